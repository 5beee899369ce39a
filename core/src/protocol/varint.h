#pragma once
// Unsigned LEB128 varints and zigzag for the compact per-frame messages (SessionFrame,
// CompactFrame). Internal to the protocol room.

#include <cstdint>
#include <string>

#include <QByteArray>

#include "aecnn/protocol/protocol_errors.h"

namespace aecnn::protocol::varint {

inline void put(QByteArray& out, uint64_t v)
{
    while (v >= 0x80) {
        out.append(char(uint8_t(v | 0x80)));
        v >>= 7;
    }
    out.append(char(uint8_t(v)));
}

inline int bytes(uint64_t v)
{
    int n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

inline uint64_t zigzag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
inline int64_t unzigzag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

// Reads a minimal varint of at most 10 bytes (64 bits) at `pos` of `p`; throws ProtocolError
// naming `message` and `field` (MalformedPayload when incomplete, BadField when not minimal or
// over 64 bits).
inline uint64_t take(const QByteArray& p, qsizetype& pos, const char* message, const char* field)
{
    uint64_t v = 0;
    for (int i = 0; i < 10; ++i) {
        if (pos >= p.size())
            throw ProtocolError(ProtocolErrorCode::MalformedPayload,
                                std::string("undecodable ") + message + " message: " + field + " is incomplete");
        const auto byte = uint8_t(p[pos++]);
        if (i == 9 && byte > 1)
            break;
        v |= uint64_t(byte & 0x7F) << (7 * i);
        if (!(byte & 0x80)) {
            if (i > 0 && byte == 0)
                throw ProtocolError(ProtocolErrorCode::BadField, std::string("undecodable ") + message + " message: " +
                                                                     field + " is not minimally encoded");
            return v;
        }
    }
    throw ProtocolError(ProtocolErrorCode::BadField,
                        std::string("undecodable ") + message + " message: " + field + " exceeds 64 bits");
}

} // namespace aecnn::protocol::varint
