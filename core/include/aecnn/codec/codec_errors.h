#pragma once
// The codec's error contract, in the style of zstd's lib/zstd_errors.h: every problem
// found while decoding a feature frame (bitstream.h) or its payload (the coders) is
// thrown as a CodecError carrying one of these codes, with a message that names the
// field or value at fault. CodecError derives from aecnn::Error, so code that catches
// aecnn::Error keeps working; code that needs to tell problems apart (tests, a peer
// that reports them, tools that count them) reads code() instead of parsing messages.
//
// The numbers are stable: they may be logged, stored or sent to another build.
// Never renumber or reuse a code; add new ones at the end of their group.

#include <string>

#include "aecnn/error.h"

namespace aecnn::codec {

enum class CodecErrorCode : int {
    None = 0,
    Generic = 1,           // none of the below (e.g. encoding with invalid settings)
    InvalidArgument = 2,   // the caller broke the contract (no data, inconsistent layout)
    OutOfMemory = 3,       // a coder could not allocate its state

    // The frame container (bitstream.h).
    BadMagic = 10,           // does not start with "AECF": not a feature frame
    UnsupportedVersion = 11, // a version this build does not read
    Truncated = 12,          // ends before the header or the frame does
    TrailingBytes = 13,      // bytes after the end of the frame
    CrcMismatch = 14,        // CRC-32 differs: the frame was corrupted
    BadHeaderField = 15,     // a header field has an invalid value (ids, bits, flags, shape, indices, scales)
    LimitExceeded = 16,      // a shape or length beyond the decoder's limits (DecodeLimits)
    LayoutMismatch = 17,     // a layout-framed frame (session_layout.h) made for another session layout

    // Side information.
    DictionaryMismatch = 20, // the frame needs a zstd dictionary that was not given, or another one

    // The payload (the coders).
    CorruptPayload = 30, // does not decode to the shape and bit depth the header declares
};

// A stable identifier for the code ("crc_mismatch"), for logs and JSON; "unknown_code"
// for a value outside the enum.
const char* codecErrorName(CodecErrorCode code);

class CodecError : public Error {
public:
    CodecError(CodecErrorCode code, const std::string& message) : Error(message), code_(code) {}
    CodecErrorCode code() const noexcept { return code_; }

private:
    CodecErrorCode code_;
};

} // namespace aecnn::codec
