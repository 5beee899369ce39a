#include "aecnn/protocol/frame.h"

#include <algorithm>
#include <cstring>

#include <zlib.h>

#include "aecnn/error.h"

namespace aecnn::protocol {
namespace {

void putU16(char* p, uint16_t v)
{
    p[0] = static_cast<char>(v >> 8);
    p[1] = static_cast<char>(v);
}

void putU32(char* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<char>(v >> (24 - 8 * i));
}

uint16_t getU16(const char* p)
{
    return static_cast<uint16_t>((uint8_t(p[0]) << 8) | uint8_t(p[1]));
}

uint32_t getU32(const char* p)
{
    return (uint32_t(uint8_t(p[0])) << 24) | (uint32_t(uint8_t(p[1])) << 16) | (uint32_t(uint8_t(p[2])) << 8) |
           uint32_t(uint8_t(p[3]));
}

uint32_t frameCrc(const char* header12, const char* payload, size_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(header12), 12);
    // zlib takes uInt lengths; payloads are capped far below 4 GiB, but stay general.
    while (size > 0) {
        const uInt chunk = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
        crc = crc32(crc, reinterpret_cast<const Bytef*>(payload), chunk);
        payload += chunk;
        size -= chunk;
    }
    return static_cast<uint32_t>(crc);
}

DecodeResult failed(ProtocolErrorCode error, std::string message)
{
    DecodeResult r;
    r.status = DecodeResult::Status::Failed;
    r.error = error;
    r.message = std::move(message);
    return r;
}

// The compact form (frame.h): marker, varint length, payload.
DecodeResult decodeCompactFrame(const char* data, size_t size, uint32_t maxPayload)
{
    uint64_t length = 0;
    size_t at = 1;
    for (;; ++at) {
        if (at > kMaxCompactLengthBytes)
            return failed(ProtocolErrorCode::BadCompactHeader,
                          "bad compact frame header: its length field runs past " +
                              std::to_string(kMaxCompactLengthBytes) + " bytes");
        if (at >= size)
            return {};
        const auto byte = uint8_t(data[at]);
        length |= uint64_t(byte & 0x7F) << (7 * (at - 1));
        if (!(byte & 0x80)) {
            if (at > 1 && byte == 0)
                return failed(ProtocolErrorCode::BadCompactHeader,
                              "bad compact frame header: its length field is not minimally encoded");
            break;
        }
    }
    if (length > maxPayload)
        return failed(ProtocolErrorCode::Oversize, "compact frame of " + std::to_string(length) +
                                                       " bytes is over the cap of " + std::to_string(maxPayload) +
                                                       " bytes");
    const size_t header = at + 1;
    if (size - header < length)
        return {};
    DecodeResult r;
    r.status = DecodeResult::Status::Complete;
    r.frame.version = kCompactFrameVersion;
    r.frame.type = MessageType::CompactFrame;
    r.frame.payload = QByteArray(data + header, static_cast<qsizetype>(length));
    r.consumed = header + static_cast<size_t>(length);
    return r;
}

} // namespace

size_t compactHeaderBytes(size_t payloadBytes)
{
    size_t bytes = 1;
    do {
        ++bytes;
        payloadBytes >>= 7;
    } while (payloadBytes != 0);
    return bytes;
}

std::optional<MessageType> messageTypeFrom(uint16_t value)
{
    if (value >= uint16_t(MessageType::Hello) && value <= uint16_t(MessageType::CompactFrame))
        return static_cast<MessageType>(value);
    return std::nullopt;
}

std::string toString(MessageType type)
{
    static const char* names[] = {"Hello",        "HelloAck",  "Challenge",  "AuthProof",   "AuthResult",
                                  "Configure",    "ConfigureAck", "DeployBegin", "DeployChunk", "DeployEnd",
                                  "DeployResult", "Start",     "Stop",       "FrameData",   "StreamEnd",
                                  "Ping",         "Pong",      "Heartbeat",  "Error",       "FrameAck",
                                  "DeviceProfile", "SessionFrame", "CompactFrame"};
    const auto index = static_cast<size_t>(type) - 1;
    return index < std::size(names) ? names[index] : "type " + std::to_string(static_cast<int>(type));
}

QByteArray encodeFrame(const Frame& frame, uint32_t maxPayload)
{
    if (static_cast<uint64_t>(frame.payload.size()) > maxPayload)
        throw ProtocolError(ProtocolErrorCode::Oversize, "cannot send a " + toString(frame.type) + " message of " +
                                                             std::to_string(frame.payload.size()) +
                                                             " bytes: the frame cap is " + std::to_string(maxPayload) +
                                                             " bytes");
    if (frame.type == MessageType::CompactFrame) {
        QByteArray out;
        out.reserve(static_cast<qsizetype>(compactHeaderBytes(size_t(frame.payload.size())) + frame.payload.size()));
        out.append(char(kCompactFrameMarker));
        for (auto v = static_cast<uint64_t>(frame.payload.size()); ; v >>= 7) {
            if (v < 0x80) {
                out.append(char(uint8_t(v)));
                break;
            }
            out.append(char(uint8_t(v | 0x80)));
        }
        out.append(frame.payload);
        return out;
    }
    QByteArray out(static_cast<qsizetype>(kHeaderBytes), '\0');
    char* h = out.data();
    std::memcpy(h, kMagic, 4);
    putU16(h + 4, frame.version);
    putU16(h + 6, static_cast<uint16_t>(frame.type));
    putU32(h + 8, static_cast<uint32_t>(frame.payload.size()));
    putU32(h + 12, frameCrc(h, frame.payload.constData(), static_cast<size_t>(frame.payload.size())));
    out.append(frame.payload);
    return out;
}

DecodeResult decodeFrame(const char* data, size_t size, uint32_t maxPayload, bool compactAllowed)
{
    if (size > 0 && uint8_t(data[0]) == kCompactFrameMarker) {
        if (!compactAllowed)
            return failed(ProtocolErrorCode::CompactNotNegotiated,
                          "a compact frame (first byte 0x17, message type 23) on a stream that did not negotiate "
                          "compact frame headers (the edge enables them with the Configure setting frame_header "
                          "'compact', framing 'session'): the peer is out of step");
        return decodeCompactFrame(data, size, maxPayload);
    }
    // Check each header field as soon as its bytes are there, so garbage is refused early.
    const size_t magicSeen = std::min<size_t>(size, 4);
    if (std::memcmp(data, kMagic, magicSeen) != 0)
        return failed(ProtocolErrorCode::BadMagic, "bad magic: the peer does not speak the AECNN protocol");
    if (size >= 6) {
        const uint16_t version = getU16(data + 4);
        if (version < kMinVersion || version > kMaxVersion)
            return failed(ProtocolErrorCode::UnsupportedVersion,
                          "unsupported protocol version " + std::to_string(version) + " (this build speaks " +
                              std::to_string(kMinVersion) + ".." + std::to_string(kMaxVersion) + ")");
    }
    if (size >= 8 && !messageTypeFrom(getU16(data + 6)))
        return failed(ProtocolErrorCode::UnknownMessageType,
                      "unknown message type " + std::to_string(getU16(data + 6)));
    if (size >= 8 && getU16(data + 6) == uint16_t(MessageType::CompactFrame))
        return failed(ProtocolErrorCode::BadCompactHeader,
                      "message type 23 (CompactFrame) in a 16-byte header: it travels only in the compact form");
    if (size >= 12 && getU32(data + 8) > maxPayload)
        return failed(ProtocolErrorCode::Oversize, "frame of " + std::to_string(getU32(data + 8)) +
                                                       " bytes is over the cap of " + std::to_string(maxPayload) +
                                                       " bytes");
    if (size < kHeaderBytes)
        return {};
    const uint32_t length = getU32(data + 8);
    if (size - kHeaderBytes < length)
        return {};
    const char* payload = data + kHeaderBytes;
    if (frameCrc(data, payload, length) != getU32(data + 12))
        return failed(ProtocolErrorCode::CrcMismatch, "bad CRC on a " + toString(*messageTypeFrom(getU16(data + 6))) +
                                                          " frame: the data was corrupted");
    DecodeResult r;
    r.status = DecodeResult::Status::Complete;
    r.frame.version = getU16(data + 4);
    r.frame.type = *messageTypeFrom(getU16(data + 6));
    r.frame.payload = QByteArray(payload, static_cast<qsizetype>(length));
    r.consumed = kHeaderBytes + length;
    return r;
}

DecodeResult decodeWholeFrame(const QByteArray& bytes, uint32_t maxPayload, bool compactAllowed)
{
    auto r = decodeFrame(bytes.constData(), static_cast<size_t>(bytes.size()), maxPayload, compactAllowed);
    if (r.status == DecodeResult::Status::NeedMore)
        return failed(ProtocolErrorCode::Truncated, "truncated frame: " + std::to_string(bytes.size()) + " bytes");
    if (r.status == DecodeResult::Status::Complete && r.consumed != static_cast<size_t>(bytes.size()))
        return failed(ProtocolErrorCode::TrailingBytes,
                      std::to_string(bytes.size() - r.consumed) + " bytes after the end of the frame");
    return r;
}

DecodeResult FrameReader::next()
{
    if (failure_)
        return *failure_;
    if (buffer_.isEmpty())
        return {};
    auto r = decodeFrame(buffer_.constData(), static_cast<size_t>(buffer_.size()), maxPayload_, compactAllowed_);
    if (r.status == DecodeResult::Status::Failed)
        failure_ = r;
    else if (r.status == DecodeResult::Status::Complete)
        buffer_.remove(0, static_cast<qsizetype>(r.consumed));
    return r;
}

DecodeResult FrameReader::finish() const
{
    if (failure_)
        return *failure_;
    if (buffer_.isEmpty())
        return {};
    return failed(ProtocolErrorCode::Truncated, "connection closed inside a frame (" + std::to_string(buffer_.size()) +
                                                    " bytes of an incomplete frame)");
}

std::optional<uint16_t> negotiateVersion(uint16_t localMin, uint16_t localMax, uint16_t remoteMin, uint16_t remoteMax)
{
    const uint16_t low = std::max(localMin, remoteMin);
    const uint16_t high = std::min(localMax, remoteMax);
    if (low > high)
        return std::nullopt;
    return high;
}

} // namespace aecnn::protocol
