#pragma once

// Many devices, one edge: one EdgeSession per agent, all on the calling thread's event
// loop, sharing one batched tail (tail_executor.h). Each agent has its own settings
// (mode, rate, window, codec, ...), model (split, V) and CSV; an agent that fails or
// dies affects only its own rows: a lost connection is retried by its session
// (reconnect, resume at the next image), the others keep streaming.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "aecnn/edge/agent_ratio_follower.h"
#include "aecnn/edge/edge_session.h"
#include "aecnn/edge/frame_result.h"
#include "aecnn/edge/stage_summary.h"
#include "aecnn/edge/tail_executor.h"

namespace aecnn::edge {

struct AgentRunSpec {
    QString name; // shown in reports, e.g. "agent1"
    QString host = "127.0.0.1";
    quint16 port = 7878;
    QByteArray token; // empty = tokenless loopback agent
    QJsonObject settings;
    QString modelPath;
    uint32_t frames = 100;
    QString csvPath; // empty = none
    QStringList csvContext;
    // Adaptive V (agent_ratio_follower.h): after each finished frame the V for this agent is
    // chosen from its measured rate and its frames' wait at this edge; live, the stream is
    // switched to that V's model between frames (EdgeSession::switchModel: frames already
    // sent finish with their V, the run goes on as one stream and one CSV).
    std::optional<AdaptiveRatioSpec> adaptive;
};

struct MultiEdgeRequest {
    std::vector<AgentRunSpec> agents;
    TailBatchOptions batching;
    // The shared tail; null = a new one with `batching` (tests pass their own to inject faults).
    std::shared_ptr<TailExecutor> tail;
    EdgeOptions session; // base options of every session (tail is set by the runner)
    int timeoutMs = 600000;
    // Called after each finished frame (agent index, frame); tests use it to inject faults.
    std::function<void(size_t agent, const EdgeFrameResult&)> onFrame;
};

struct AgentRunResult {
    QString name;
    std::vector<EdgeFrameResult> frames; // finished, with their predictions
    // Received but not finished (EdgeFrameResult::failure says why); each has its CSV row too.
    // frames + failed = every frame received, once each.
    std::vector<EdgeFrameResult> failed;
    uint64_t received = 0; // frames the edge received from this agent (its session's count)
    QString error; // empty = the stream ended normally (and no frame failed)
    QString endReason;
    int reconnects = 0;
    std::vector<RatioSwitch> switches;          // adaptive V: the switches asked for, in order
    std::optional<AdaptiveRatioState> adaptive; // adaptive V: the selection's state at the end
    QString adaptiveError;                      // a switch that could not be made (the stream went on)
    double startedMs = 0.0;  // edge steady clock when its stream started
    double finishedMs = 0.0; // ... when its last frame was finished
    double framesPerSecond() const;
    StageSummary completion() const; // measured completion time (ms) per frame
};

struct MultiEdgeResult {
    std::vector<AgentRunResult> agents;
    TailStats tail;
    double wallMs = 0.0; // first stream start .. last frame finished
    int64_t frames() const;
    double framesPerSecond() const; // all agents' frames over wallMs
    StageSummary completion() const; // every frame of every agent
};

// Runs every agent's stream to its end (or error, or the timeout) in a local event loop.
// Never throws for one agent's failure: see AgentRunResult::error.
MultiEdgeResult runMultiEdge(const MultiEdgeRequest& request);

} // namespace aecnn::edge
