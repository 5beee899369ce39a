#pragma once

#include <cstdint>
#include <vector>

#include "aecnn/codec/codec_errors.h"
#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/feature_tensor.h"
#include "aecnn/codec/quantizer.h"

namespace aecnn::codec {

// Frame layout, version 2 (version 1 is the same frame; its context payloads of
// 5-8 bit symbols used a magnitude coding this build does not read). "varint" = unsigned LEB128 (7 bits per byte, low
// first, at most 5 bytes, no superfluous zero bytes); fixed-size integers are
// little-endian. Small frames matter: at split 1 and V = 64 a whole frame of a
// 1x14x14 tensor is ~60 bytes, so the header is kept to ~20 of them.
//   0  "AECF"               magic
//   4  u8  version          2
//   5  u8  coder id (low 4 bits) | representation << 4
//   6  u8  bits (low 4 bits: 2..8 for Uniform, 0 otherwise) | flags << 4
//          flags: 1 per-channel quantization, 2 pruned, 4 zstd dictionary; 8 must be 0
//      varint C', varint H, varint W
//      varint C                       (pruned only: channels of the unpruned tensor, > C')
//      u32 zstd dictionary id         (dictionary only)
//      varint payload length
//      varint x C'                    (pruned only) kept channel indices: the first, then the
//                                     differences (>= 1) to the previous one; all < C
//      (f32 scale, u8 zero point) x (C' per channel, else 1)   Uniform only
//      payload
//      u32 CRC-32 (zlib polynomial) of every preceding byte
constexpr uint8_t kFrameVersion = 2;
constexpr uint8_t kOldestReadableFrameVersion = 1;

// Caps a decoder enforces before allocating anything.
struct DecodeLimits {
    uint32_t maxChannels = 4096;
    uint32_t maxHeight = 4096;
    uint32_t maxWidth = 4096;
    uint64_t maxElements = uint64_t(1) << 24; // 16 Mi elements (64 MiB as float32)
};

struct CodecSettings {
    CoderId coder = CoderId::ZstdEntropy;
    Representation representation = Representation::Uniform;
    int bits = 8;
    bool perChannel = true;
    int zstdLevel = kDefaultZstdLevel;
    const ZstdDictionary* dictionary = nullptr;
    RangeChoice range = RangeChoice::MinMax; // Uniform only
};

// Sizes of one encoded frame.
struct FrameSizes {
    size_t headerBytes = 0;  // everything before the payload
    size_t payloadBytes = 0;
    size_t totalBytes = 0;   // header + payload + CRC
};

// Encodes a tensor into one self-contained frame. Throws aecnn::Error when the
// tensor or the settings are invalid (e.g. "context" with a float representation).
// `workspace` (optional, one thread at a time) reuses coder state between frames.
std::vector<uint8_t> encodeFrame(const FeatureTensor& tensor, const CodecSettings& settings,
                                 FrameSizes* sizes = nullptr, CoderWorkspace* workspace = nullptr);

struct DecodedFrame {
    FeatureTensor tensor;
    CoderId coder = CoderId::Store;
    SymbolTensor symbols; // the decoded symbols (what the coder transmitted)
    FrameSizes sizes;
};

// Validates every field, the CRC and the payload; throws CodecError (an aecnn::Error
// with a stable code, codec_errors.h) naming the first problem. `size` must be exactly
// one frame (see frameLength to split a stream).
DecodedFrame decodeFrame(const uint8_t* data, size_t size, const DecodeLimits& limits = {},
                         const ZstdDictionary* dictionary = nullptr, CoderWorkspace* workspace = nullptr);

// Length of the frame starting at data (header fields only, not the CRC);
// throws CodecError when the header is incomplete (Truncated) or implausible.
size_t frameLength(const uint8_t* data, size_t size, const DecodeLimits& limits = {});

} // namespace aecnn::codec
