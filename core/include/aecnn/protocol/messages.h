#pragma once

#include <cstdint>

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "aecnn/protocol/frame.h"

namespace aecnn::protocol {

// Payloads of each message type. Each has `kType`; encodeMessage() turns one into
// a frame payload and decodeMessage<T>() back, throwing ProtocolError (an
// aecnn::Error with a stable code, protocol_errors.h) when the payload is undecodable
// (short, trailing bytes, bad JSON, wrong field values).
struct Hello {
    static constexpr MessageType kType = MessageType::Hello;
    uint16_t minVersion = kMinVersion;
    uint16_t maxVersion = kMaxVersion;
    QString software;
};
struct HelloAck {
    static constexpr MessageType kType = MessageType::HelloAck;
    uint16_t version = kMaxVersion;
};
struct Challenge {
    static constexpr MessageType kType = MessageType::Challenge;
    QByteArray serverNonce;
    bool tokenRequired = true; // false only on an agent that runs tokenless on loopback
    bool encryptionRequired = false; // v2: the agent's --encrypt policy asks for encrypted records
};
struct AuthProof {
    static constexpr MessageType kType = MessageType::AuthProof;
    QByteArray clientNonce;
    QByteArray mac;
    bool encrypt = false; // v2: the session's records are encrypted (either side asked for it)
};
struct AuthResult {
    static constexpr MessageType kType = MessageType::AuthResult;
    bool ok = false;
    QByteArray serverMac;
    QString message;
};
struct Configure {
    static constexpr MessageType kType = MessageType::Configure;
    QJsonObject settings;
};
struct ConfigureAck {
    static constexpr MessageType kType = MessageType::ConfigureAck;
    bool ok = false;
    QString message;
    QJsonObject effective; // the settings the agent now uses
};
struct DeployBegin {
    static constexpr MessageType kType = MessageType::DeployBegin;
    QString name;
    quint64 size = 0;
    QByteArray sha256;
};
struct DeployChunk {
    static constexpr MessageType kType = MessageType::DeployChunk;
    QByteArray data;
};
struct DeployEnd {
    static constexpr MessageType kType = MessageType::DeployEnd;
};
struct DeployResult {
    static constexpr MessageType kType = MessageType::DeployResult;
    bool ok = false;
    QString message;
};
struct Start {
    static constexpr MessageType kType = MessageType::Start;
    quint32 frames = 0; // 0 = continuous until Stop
};
struct Stop {
    static constexpr MessageType kType = MessageType::Stop;
};
struct FrameData {
    static constexpr MessageType kType = MessageType::FrameData;
    quint64 sequence = 0;
    qint32 label = -1;     // ground truth of the source image, -1 = unknown (camera)
    qint32 predicted = -1; // class computed on the device (local computing), else -1
    double iotMs = 0;      // t_iot: device compute
    double encMs = 0;      // t_enc: device encoding
    qint64 sendTimeUs = 0; // agent clock when the first byte was handed to the socket
    QString kind;          // payload format: "jpeg", "result", ...
    QByteArray payload;
};
struct StreamEnd {
    static constexpr MessageType kType = MessageType::StreamEnd;
    quint64 frames = 0;
    QString reason;
};
struct Ping {
    static constexpr MessageType kType = MessageType::Ping;
    qint64 edgeTimeUs = 0;
};
struct Pong {
    static constexpr MessageType kType = MessageType::Pong;
    qint64 edgeTimeUs = 0;
    qint64 agentTimeUs = 0;
};
struct Heartbeat {
    static constexpr MessageType kType = MessageType::Heartbeat;
};
struct FrameAck {
    static constexpr MessageType kType = MessageType::FrameAck;
    quint64 sequence = 0; // the agent's sequence number of the finished frame
};
// A feature frame of a stream with "session" framing (session_layout.h): what changes per
// frame and nothing else. FrameData spends ~58 bytes on its fields (fixed-width integers and
// doubles, the kind as UTF-16); this one spends ~11. Layout (no QDataStream):
//   varint sequence | zigzag varint label | varint iotUs | varint encUs | zigzag varint sendTimeUs | payload
// (varint = unsigned LEB128, at most 10 bytes, minimal; the payload is every remaining byte).
// The kind is "features" and predicted is -1 by definition. Only sent after the edge configured
// framing "session", so an edge that does not know the type never receives one.
struct SessionFrame {
    static constexpr MessageType kType = MessageType::SessionFrame;
    quint64 sequence = 0;
    qint32 label = -1;
    quint32 iotUs = 0;     // t_iot in microseconds
    quint32 encUs = 0;     // t_enc in microseconds
    qint64 sendTimeUs = 0; // agent clock when the frame entered the uplink
    QByteArray payload;    // one layout-framed codec frame
};
struct ErrorMessage {
    static constexpr MessageType kType = MessageType::Error;
    QString message;
};

// Version 3: sent by the agent right after authentication (the first sealed record).
// `profile` is the JSON of `aecnn-agent --profile` (latency/measured_profile.h; the
// protocol room only checks that it is a JSON object); empty with `message` saying why
// when the agent has none.
struct DeviceProfileMessage {
    static constexpr MessageType kType = MessageType::DeviceProfile;
    bool present = false;
    QString message;
    QJsonObject profile;
};

#define AECNN_PROTOCOL_MESSAGE(T)                                                                                      \
    QByteArray encodePayload(const T& message);                                                                        \
    void decodePayload(const QByteArray& payload, T& message);
AECNN_PROTOCOL_MESSAGE(Hello)
AECNN_PROTOCOL_MESSAGE(HelloAck)
AECNN_PROTOCOL_MESSAGE(Challenge)
AECNN_PROTOCOL_MESSAGE(AuthProof)
AECNN_PROTOCOL_MESSAGE(AuthResult)
AECNN_PROTOCOL_MESSAGE(Configure)
AECNN_PROTOCOL_MESSAGE(ConfigureAck)
AECNN_PROTOCOL_MESSAGE(DeployBegin)
AECNN_PROTOCOL_MESSAGE(DeployChunk)
AECNN_PROTOCOL_MESSAGE(DeployEnd)
AECNN_PROTOCOL_MESSAGE(DeployResult)
AECNN_PROTOCOL_MESSAGE(Start)
AECNN_PROTOCOL_MESSAGE(Stop)
AECNN_PROTOCOL_MESSAGE(FrameData)
AECNN_PROTOCOL_MESSAGE(StreamEnd)
AECNN_PROTOCOL_MESSAGE(Ping)
AECNN_PROTOCOL_MESSAGE(Pong)
AECNN_PROTOCOL_MESSAGE(Heartbeat)
AECNN_PROTOCOL_MESSAGE(ErrorMessage)
AECNN_PROTOCOL_MESSAGE(FrameAck)
AECNN_PROTOCOL_MESSAGE(DeviceProfileMessage)
AECNN_PROTOCOL_MESSAGE(SessionFrame)
#undef AECNN_PROTOCOL_MESSAGE

// Throws ProtocolError (UnexpectedMessage) when the type differs.
void decodeFrameAs(const Frame& frame, MessageType expected);

template <typename T>
Frame toFrame(const T& message, uint16_t version = kMaxVersion)
{
    return Frame{version, T::kType, encodePayload(message)};
}

template <typename T>
QByteArray encodeMessage(const T& message, uint16_t version = kMaxVersion)
{
    return encodeFrame(toFrame(message, version));
}

// Throws ProtocolError when the frame is not a T or its payload is undecodable.
template <typename T>
T decodeMessage(const Frame& frame)
{
    T message;
    decodeFrameAs(frame, T::kType);
    decodePayload(frame.payload, message);
    return message;
}

} // namespace aecnn::protocol
