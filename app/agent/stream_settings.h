#pragma once

#include <string>

#include <QJsonObject>

#include "aecnn/split/split_transport.h"

namespace aecnn::agent {

// What the edge configures with a Configure message; unknown keys are refused.
struct StreamSettings {
    std::string mode = "full";   // see availableModes()
    double rateMbps = 0.0;       // uplink shaping, 0 = unshaped
    std::string dataset;         // empty = the agent's default
    int jpegQuality = 90;        // full offloading
    int resizeWidth = 0;         // full offloading: 0 = native resolution
    int resizeHeight = 0;
    int inputHeight = 28;        // source geometry when no model is deployed
    int inputWidth = 28;
    int inputChannels = 1;
    TransportSettings transport;         // AECNN / BottleNet++: coder, representation, bits, per channel
    int window = 0;                      // frames sent but not acknowledged (FrameAck) at most; 0 = no pacing
    long long firstImage = 0;            // source position of the next stream (resuming after a reconnect)
    // Framing "session": the layout the edge derived from its model (codec::serializeLayout, base64),
    // which the device must reproduce exactly; its fixed ranges, if any, are adopted. Empty = none.
    std::string sessionLayout;
    // How session-framed frames travel (protocol/compact_frame.h): "full" = SessionFrame with the
    // 16-byte header, "compact" = CompactFrame (type 23: 1-byte type, varint length, sequence gap).
    // With framing "frame" frames are FrameData either way.
    std::string frameHeader = "full";
    // Compact frames only: the device's times (t_iot, t_enc, send time) travel with each frame.
    bool frameTiming = true;
};

// Applies `json` on top of `current`; throws aecnn::Error naming the bad key and the valid ones.
StreamSettings applySettings(const StreamSettings& current, const QJsonObject& json);
QJsonObject toJson(const StreamSettings& settings);

} // namespace aecnn::agent
