#pragma once
// The wire protocol's error contract, in the style of zstd's lib/zstd_errors.h: a frame
// that cannot be decoded (frame.h: DecodeResult::error) and a message payload that
// cannot be decoded (messages.h: thrown as ProtocolError) carry one of these codes,
// with a message that names what was wrong. ProtocolError derives from aecnn::Error,
// so code that catches aecnn::Error keeps working; code that must tell problems apart
// reads code() instead of parsing messages.
//
// The numbers are stable: they may be logged, stored or sent to a peer of another
// build. Never renumber or reuse a code; add new ones at the end of their group.

#include <string>

#include "aecnn/error.h"

namespace aecnn::protocol {

enum class ProtocolErrorCode : int {
    None = 0,
    Generic = 1, // none of the below

    // Frames (frame.h).
    BadMagic = 10,           // does not start with "AECN": the peer speaks another protocol
    UnsupportedVersion = 11, // a protocol version outside the range this build speaks
    UnknownMessageType = 12, // a message type this build does not know
    Oversize = 13,           // a payload length over the frame cap
    Truncated = 14,          // the bytes (or the connection) end inside a frame
    CrcMismatch = 15,        // CRC-32 differs: the frame was corrupted
    TrailingBytes = 16,      // bytes after the end of a frame that should be the whole input
    CompactNotNegotiated = 17, // a compact frame (type 23) on a stream that did not negotiate compact headers
    BadCompactHeader = 18,   // a compact header whose length is not a minimal varint of <= 5 bytes, or type 23
                             // in a 16-byte header

    // Message payloads (messages.h).
    UnexpectedMessage = 30, // a message of another type than the one expected
    MalformedPayload = 31,  // short or corrupt: the fields cannot be read
    PayloadTrailingBytes = 32, // bytes after the last field
    BadJson = 33,           // a JSON field is not a JSON object
    BadField = 34,          // a field has an invalid value (empty version range, wrong nonce or hash size)
    UnexpectedPayload = 35, // a payload on a message that carries none
    SequenceGap = 36,       // a compact frame's sequence is not the next one (frames lost, or the peer out of step)
};

// A stable identifier for the code ("crc_mismatch"), for logs and JSON; "unknown_code"
// for a value outside the enum.
const char* protocolErrorName(ProtocolErrorCode code);

class ProtocolError : public Error {
public:
    ProtocolError(ProtocolErrorCode code, const std::string& message) : Error(message), code_(code) {}
    ProtocolErrorCode code() const noexcept { return code_; }

private:
    ProtocolErrorCode code_;
};

} // namespace aecnn::protocol
