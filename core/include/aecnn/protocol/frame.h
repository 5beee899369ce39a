#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <QByteArray>

#include "aecnn/protocol/protocol_errors.h"

namespace aecnn::protocol {

// Wire frame, all integers big-endian:
//   0  magic   "AECN"
//   4  version u16  protocol version the payload is written in
//   6  type    u16  MessageType
//   8  length  u32  payload bytes
//  12  crc32   u32  CRC-32 (zlib) of bytes 0..11 followed by the payload
//  16  payload
inline constexpr char kMagic[4] = {'A', 'E', 'C', 'N'};
inline constexpr size_t kHeaderBytes = 16;
//
// Compact wire form, message type 23 (CompactFrame) only, and only on a stream whose edge
// configured it (Configure "frame_header": "compact"; FrameReader::setCompactAllowed):
//   0  marker  u8      0x17 (the type; never 'A', the first byte of the magic)
//   1  length  varint  payload bytes: unsigned LEB128, minimal, at most 5 bytes, <= the frame cap
//   .. payload (compact_frame.h; sealed like any other payload, record_layer.h)
// No magic, version or CRC: the version was agreed at Hello, TCP checksums the bytes, and
// with a token the record layer authenticates each record (its additional data binds type 23,
// version kCompactFrameVersion and the length). Type 23 is refused in a 16-byte header.
inline constexpr uint8_t kCompactFrameMarker = 23;
inline constexpr uint16_t kCompactFrameVersion = 0; // Frame::version of a compact frame
inline constexpr size_t kMaxCompactLengthBytes = 5;
// Bytes of the compact header in front of a payload of `payloadBytes` (1 + varint).
size_t compactHeaderBytes(size_t payloadBytes);
// Frames of versions kMinVersion..kMaxVersion are read, so that a version-1 peer's
// Hello or Error can be answered; a session needs kMinSessionVersion (2: every message
// after authentication sealed, session_security.h / record_layer.h). Version 3 adds
// DeviceProfile (the agent's first message after authentication); a session negotiated
// at version 2 works as before, without it (kDeviceProfileVersion).
inline constexpr uint16_t kMinVersion = 1;
inline constexpr uint16_t kMaxVersion = 3;
inline constexpr uint16_t kDeviceProfileVersion = 3;
inline constexpr uint16_t kMinSessionVersion = 2;
inline constexpr uint32_t kDefaultMaxPayload = 16u << 20; // 16 MiB

enum class MessageType : uint16_t {
    Hello = 1,       // both ways: supported version range
    HelloAck = 2,    // agent -> edge: chosen version
    Challenge = 3,   // agent -> edge: server nonce
    AuthProof = 4,   // edge -> agent: client nonce + HMAC
    AuthResult = 5,  // agent -> edge: ok + agent's HMAC (mutual)
    Configure = 6,   // edge -> agent: JSON settings
    ConfigureAck = 7,
    DeployBegin = 8, // edge -> agent: model name, size, SHA-256
    DeployChunk = 9,
    DeployEnd = 10,
    DeployResult = 11,
    Start = 12,
    Stop = 13,
    FrameData = 14,  // agent -> edge: one processed frame
    StreamEnd = 15,
    Ping = 16,
    Pong = 17,
    Heartbeat = 18,
    Error = 19,      // either way: a message, then the sender closes
    FrameAck = 20,   // edge -> agent: a frame is finished (paces a stream with a window)
    DeviceProfile = 21, // agent -> edge (version >= 3): the device's measured profile, or why there is none
    SessionFrame = 22, // agent -> edge: one feature frame of a configured session layout (compact FrameData)
    CompactFrame = 23, // agent -> edge: a session frame in the compact wire form (above; compact_frame.h)
};
std::optional<MessageType> messageTypeFrom(uint16_t value);
std::string toString(MessageType type);

struct Frame {
    uint16_t version = kMaxVersion;
    MessageType type = MessageType::Heartbeat;
    QByteArray payload;
};

// Throws ProtocolError (Oversize) when the payload is larger than maxPayload. A CompactFrame
// is written in the compact form (its version is not written), every other type with the
// 16-byte header.
QByteArray encodeFrame(const Frame& frame, uint32_t maxPayload = kDefaultMaxPayload);

struct DecodeResult {
    enum class Status { Complete, NeedMore, Failed };
    Status status = Status::NeedMore;
    Frame frame;            // when Complete
    size_t consumed = 0;    // bytes of the input that made up the frame
    ProtocolErrorCode error = ProtocolErrorCode::None; // when Failed: one of the frame codes (protocol_errors.h)
    std::string message;    // when Failed: what was wrong, for the log
};

// Decodes one frame from the start of `data`. NeedMore when the bytes seen so
// far are a valid prefix; Failed as soon as they cannot be one. A compact frame is read only
// when `compactAllowed` (the stream negotiated it), else it fails with CompactNotNegotiated.
DecodeResult decodeFrame(const char* data, size_t size, uint32_t maxPayload = kDefaultMaxPayload,
                         bool compactAllowed = false);
// Exactly one whole frame: an incomplete input is Truncated, extra bytes are TrailingBytes.
DecodeResult decodeWholeFrame(const QByteArray& bytes, uint32_t maxPayload = kDefaultMaxPayload,
                              bool compactAllowed = false);

// Incremental reader for a byte stream (a socket): append what arrives, take
// frames out. After a failure it stays failed.
class FrameReader {
public:
    explicit FrameReader(uint32_t maxPayload = kDefaultMaxPayload) : maxPayload_(maxPayload) {}
    // Compact frames (type 23) are read from now on; before, one fails the stream (CompactNotNegotiated).
    void setCompactAllowed(bool allowed) { compactAllowed_ = allowed; }
    bool compactAllowed() const { return compactAllowed_; }
    void append(const QByteArray& bytes) { buffer_.append(bytes); }
    // Complete: a frame was taken; NeedMore: wait for bytes; Failed: close the connection.
    DecodeResult next();
    // The stream ended: leftover bytes are a truncated frame (Failed); error None = clean end.
    DecodeResult finish() const;
    size_t buffered() const { return static_cast<size_t>(buffer_.size()); }

private:
    uint32_t maxPayload_;
    bool compactAllowed_ = false;
    QByteArray buffer_;
    std::optional<DecodeResult> failure_;
};

// Highest version in both ranges, or empty when they do not overlap.
std::optional<uint16_t> negotiateVersion(uint16_t localMin, uint16_t localMax, uint16_t remoteMin, uint16_t remoteMax);

} // namespace aecnn::protocol
