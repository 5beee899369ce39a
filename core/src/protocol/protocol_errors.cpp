#include "aecnn/protocol/protocol_errors.h"

namespace aecnn::protocol {

const char* protocolErrorName(ProtocolErrorCode code)
{
    switch (code) {
    case ProtocolErrorCode::None: return "none";
    case ProtocolErrorCode::Generic: return "generic";
    case ProtocolErrorCode::BadMagic: return "bad_magic";
    case ProtocolErrorCode::UnsupportedVersion: return "unsupported_version";
    case ProtocolErrorCode::UnknownMessageType: return "unknown_message_type";
    case ProtocolErrorCode::Oversize: return "oversize";
    case ProtocolErrorCode::Truncated: return "truncated";
    case ProtocolErrorCode::CrcMismatch: return "crc_mismatch";
    case ProtocolErrorCode::TrailingBytes: return "trailing_bytes";
    case ProtocolErrorCode::CompactNotNegotiated: return "compact_not_negotiated";
    case ProtocolErrorCode::BadCompactHeader: return "bad_compact_header";
    case ProtocolErrorCode::UnexpectedMessage: return "unexpected_message";
    case ProtocolErrorCode::MalformedPayload: return "malformed_payload";
    case ProtocolErrorCode::PayloadTrailingBytes: return "payload_trailing_bytes";
    case ProtocolErrorCode::BadJson: return "bad_json";
    case ProtocolErrorCode::BadField: return "bad_field";
    case ProtocolErrorCode::UnexpectedPayload: return "unexpected_payload";
    case ProtocolErrorCode::SequenceGap: return "sequence_gap";
    }
    return "unknown_code";
}

} // namespace aecnn::protocol
