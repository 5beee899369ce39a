#pragma once

#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <map>
#include <optional>
#include <vector>

#include "aecnn/edge/multi_edge.h"
#include "aecnn/latency/device_profile.h"

namespace aecnn::studio {

// One row of the studio's device list: an agent and what it streams (value type).
struct AgentRow {
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 0;
    QByteArray token;                        // empty = tokenless loopback agent
    QString mode = QStringLiteral("aecnn");  // the agent's: aecnn | bottlenetpp | full | local
    int split = 1;
    int ratio = 8;                           // V
    double rateMbps = 10.0;                  // the agent's uplink shaper
    QString resolution = QStringLiteral("native"); // full offloading: the capture size sent
    QString modelPath;                       // the model the edge deploys for this mode
    QString codec;                           // AECNN / BottleNet++ transport; empty = the race's
    // Adaptive V (RaceRequest::adaptive): V -> the split model of this mode and split the
    // edge may switch the agent to; the row's own ratio/modelPath is always one of them.
    std::map<int, QString> ratioModels;

    QString endpoint() const { return QStringLiteral("%1:%2").arg(host).arg(port); }
};

// Adaptive V in a race: each AECNN / BottleNet++ agent is switched live, between frames, to
// the V whose predicted completion time (Eq. 1-4 with `profile`, the agent's measured rate
// and its frames' wait at the edge) fits `deadlineMs` best (core AgentRatioFollower, as
// `aecnn edge --deadline-ms MS --adaptive`).
struct RaceAdaptive {
    latency::DeviceProfile profile;
    double deadlineMs = 100.0;
};

// A race: every row streams `frames` frames of the same data set from the same image on.
struct RaceRequest {
    std::vector<AgentRow> rows;
    uint32_t frames = 100;
    long long firstImage = 0;
    QString codec = QStringLiteral("uint8+zstd"); // AECNN / BottleNet++ transport
    QString csvDir;                               // per-agent frame CSVs; empty = none
    int timeoutMs = 600000;
    std::optional<RaceAdaptive> adaptive; // unset = every agent keeps its V
};

QStringList raceAgentModes();   // aecnn, bottlenetpp, full, local
QStringList raceCaptureSizes(); // native, 224x224, 640x480, 1920x1080 (the agent's "resolution")

// The core many-agent request for a race; nothing with *error naming the row and the
// problem (unknown mode, no model, bad capture size, codec; adaptive V: a deadline <= 0, a
// profile without the row's split or without a V that has a model).
std::optional<edge::MultiEdgeRequest> multiEdgeRequestOf(const RaceRequest& race, QString* error);

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::AgentRow)
