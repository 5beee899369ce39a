#pragma once

#include <string>
#include <vector>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "aecnn/codec/quantizer.h"
#include "aecnn/edge/edge_session.h"
#include "aecnn/edge/frame_result.h"
#include "aecnn/edge/stage_summary.h"
#include "aecnn/protocol/session_security.h"

namespace aecnn::cli {

// One live run against an agent: connect, configure, deploy, stream N frames.
struct EdgeRunRequest {
    QString host = "127.0.0.1";
    quint16 port = 7878;
    QByteArray token;          // empty = tokenless loopback agent
    protocol::EncryptionPolicy encryption = protocol::EncryptionPolicy::Auto; // --encrypt
    QString modelPath;
    QJsonObject settings;      // agent settings (mode, rate_mbps, codec, ...)
    uint32_t frames = 100;
    QString csvPath;           // empty = none
    QStringList csvContext;
    int timeoutMs = 600000;    // the whole run
    std::vector<codec::QuantRange> fixedRanges; // framing "session": calibrated ranges (EdgeSession::setFixedRanges)
    codec::ContextPriors contextPriors;         // framing "session", coder context (EdgeSession::setContextPriors)
};

struct EdgeRunResult {
    std::vector<edge::EdgeFrameResult> frames;
    QString endReason;
    int reconnects = 0;
    double clockOffsetMs = 0.0;
    bool clockSynced = false;
    QString deployMessage;
    edge::DeviceProfileInfo deviceProfile; // what EdgeFrameResult::profileMs was predicted with

    double accuracy() const; // over frames with a label
    int64_t correct() const;
    int64_t labelled() const;
    edge::StageSummary stage(double edge::EdgeFrameResult::*field) const;
    edge::StageSummary bytes() const;
};

// Runs the request in a local event loop; throws aecnn::Error with the agent's or
// the edge's message when it cannot complete (connection, configuration, deployment,
// an early end of the stream, or the timeout).
EdgeRunResult runEdge(const EdgeRunRequest& request);

// "HOST:PORT" (IPv6 in brackets); throws UsageError.
void parseEndpoint(const std::string& text, QString& host, quint16& port);
// A token file's contents; throws aecnn::Error when unreadable or too short.
QByteArray readTokenFile(const std::string& path);

QJsonObject toJson(const edge::StageSummary& summary);

} // namespace aecnn::cli
