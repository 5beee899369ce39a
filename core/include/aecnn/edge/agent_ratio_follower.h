#pragma once

// Adaptive V for one agent of a many-agent edge (multi_edge.h): after each finished
// frame, latency::AdaptiveRatioSelector (the one decision rule, also the studio's) picks
// V from the agent's measured uplink rate (frame bytes over t_com) and the frame's wait
// at the shared edge (queue_ms; t_com shorter than 0.1 ms, below the clock offset's
// precision, counts as 0.1 ms: a fast link); when that V differs from the one the agent streams
// with, the follower asks for a switch to the split model of that V. A second selector
// fed the same frames without the queue says why: "queue" when the rate alone asks for
// the same V as at the previous switch (or the start: the agent's first V), so only the
// queue moved the choice; "rate" when the rate alone now asks for the new V; otherwise
// "rate+queue". The first switch may follow the first frame; after a switch the next one waits
// for kSwitchDwellFrames frames of the V streamed since (the rate of small frames on a fast
// link is mostly latency, and each switch restarts the agent's stream).

#include <cstdint>
#include <map>
#include <optional>

#include <QString>

#include "aecnn/edge/frame_result.h"
#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/ratio_selection.h"

namespace aecnn::edge {

struct AdaptiveRatioSpec {
    latency::DeviceProfile profile; // what the selection predicts with (Eq. 1-4)
    int split = 0;                  // the agent's split point (in the profile)
    double deadlineMs = 0.0;
    // V -> split model file the agent can be switched to (its own model included); only
    // these V are chosen among.
    std::map<int, QString> models;
    bool live = true; // false = advisory: the choice is reported, the agent keeps its V
};

// One V switch of an agent's stream.
struct RatioSwitch {
    uint64_t afterFrame = 0; // sequence of the frame whose measurement asked for it
    int64_t firstFrame = -1; // first frame sent with the new V; -1 = the stream ended before
    int fromRatio = 0;
    int toRatio = 0;
    QString why;       // "rate", "queue" or "rate+queue"
    double mbps = 0.0; // the estimates the decision used
    double queueMs = 0.0;
};

// The follower's state at the end of a run.
struct AdaptiveRatioState {
    int chosen = 0; // the V the selection wants now; 0 = nothing measured
    bool meetsDeadline = false;
    double mbps = 0.0;
    double queueMs = 0.0;
    bool live = true;
};

class AgentRatioFollower {
public:
    static constexpr int kSwitchDwellFrames = 4;

    // Throws aecnn::Error when the profile has no such split or no V of `spec.models`.
    explicit AgentRatioFollower(const AdaptiveRatioSpec& spec);

    // One finished frame of the agent, which now streams with `currentRatio`: the switch
    // to ask for (toRatio's model is spec.models[toRatio]), if any.
    std::optional<RatioSwitch> observe(const EdgeFrameResult& frame, int currentRatio);
    AdaptiveRatioState state() const;
    const AdaptiveRatioSpec& spec() const { return spec_; }

private:
    AdaptiveRatioSpec spec_;
    latency::AdaptiveRatioSelector selector_; // rate and edge queue
    latency::AdaptiveRatioSelector rateOnly_; // the same frames without the queue: why a switch happened
    int rateChoiceBefore_ = 0;                // rateOnly_'s V at the previous switch (start: the agent's V)
    int framesSinceSwitch_ = -1;              // frames of the streamed V since the last switch; -1 = none yet
};

} // namespace aecnn::edge
