#include "aecnn/codec/codec_errors.h"

namespace aecnn::codec {

const char* codecErrorName(CodecErrorCode code)
{
    switch (code) {
    case CodecErrorCode::None: return "none";
    case CodecErrorCode::Generic: return "generic";
    case CodecErrorCode::InvalidArgument: return "invalid_argument";
    case CodecErrorCode::OutOfMemory: return "out_of_memory";
    case CodecErrorCode::BadMagic: return "bad_magic";
    case CodecErrorCode::UnsupportedVersion: return "unsupported_version";
    case CodecErrorCode::Truncated: return "truncated";
    case CodecErrorCode::TrailingBytes: return "trailing_bytes";
    case CodecErrorCode::CrcMismatch: return "crc_mismatch";
    case CodecErrorCode::BadHeaderField: return "bad_header_field";
    case CodecErrorCode::LimitExceeded: return "limit_exceeded";
    case CodecErrorCode::LayoutMismatch: return "layout_mismatch";
    case CodecErrorCode::DictionaryMismatch: return "dictionary_mismatch";
    case CodecErrorCode::CorruptPayload: return "corrupt_payload";
    }
    return "unknown_code";
}

} // namespace aecnn::codec
