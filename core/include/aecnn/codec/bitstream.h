#pragma once

#include <cstdint>
#include <vector>

#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/feature_tensor.h"
#include "aecnn/codec/quantizer.h"

namespace aecnn::codec {

// Frame layout, version 1, all integers little-endian:
//   0  "AECF"           magic
//   4  u8  version      1
//   5  u8  coder id     CoderId
//   6  u8  representation
//   7  u8  bits         2..8 for Uniform, 0 otherwise
//   8  u16 flags        bit 0: per-channel quantization; other bits 0
//   10 u16 reserved     0
//   12 u32 C'  16 u32 H  20 u32 W  24 u32 C (unpruned channels)
//   28 u32 zstd dictionary id (0 = none)
//   32 u32 payload length
//   36 u16 x C'         kept channel indices, strictly increasing, < C (absent when C' == C)
//      (f32 scale, u8 zero point) x (C' or 1)   Uniform only
//      payload
//      u32 CRC-32 (zlib polynomial) of every preceding byte
constexpr uint8_t kFrameVersion = 1;
constexpr size_t kFixedHeaderSize = 36;

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
};

// Sizes of one encoded frame.
struct FrameSizes {
    size_t headerBytes = 0;  // fixed header + channel indices + quantization parameters
    size_t payloadBytes = 0;
    size_t totalBytes = 0;   // header + payload + CRC
};

// Encodes a tensor into one self-contained frame. Throws aecnn::Error when the
// tensor or the settings are invalid (e.g. "context" with a float representation).
std::vector<uint8_t> encodeFrame(const FeatureTensor& tensor, const CodecSettings& settings,
                                 FrameSizes* sizes = nullptr);

struct DecodedFrame {
    FeatureTensor tensor;
    CoderId coder = CoderId::Store;
    SymbolTensor symbols; // the decoded symbols (what the coder transmitted)
    FrameSizes sizes;
};

// Validates every field, the CRC and the payload; throws aecnn::Error naming the
// first problem. `size` must be exactly one frame (see frameLength to split a stream).
DecodedFrame decodeFrame(const uint8_t* data, size_t size, const DecodeLimits& limits = {},
                         const ZstdDictionary* dictionary = nullptr);

// Length of the frame starting at data (header fields only, not the CRC);
// throws aecnn::Error when the header is incomplete or implausible.
size_t frameLength(const uint8_t* data, size_t size, const DecodeLimits& limits = {});

} // namespace aecnn::codec
