#pragma once

// Per-session frame layout (issue 15). A self-describing frame (bitstream.h) repeats
// in every frame what never changes for a deployed model: shape, kept-channel index,
// coder, bit depth, dictionary id — 22 of the ~100 bytes of a 1x14x14 frame at split 1,
// V = 64. A SessionLayout holds those fields once; the peers agree on it when the
// stream is configured (the edge sends serializeLayout() in Configure), and each frame
// then carries only what changes:
//
// Layout-framed frame ("session frame"):
//   0  u8  layout tag        low 8 bits of layoutId(layout): a frame made for another
//                            layout is refused (LayoutMismatch) instead of being
//                            decoded into a wrong tensor
//      (f32 scale, u8 zero point) x (C' per channel, else 1)
//                            Uniform only, and only when the layout does not fix the
//                            ranges (SessionLayout::fixedRanges empty)
//      payload               every remaining byte (no length field, no CRC: the
//                            carrier — a protocol message with its CRC-32 and record tag,
//                            or a file with its own length — delimits and checks it)
//
// Serialized layout (what Configure carries; little-endian, varints as in bitstream.h):
//   0  "AECL"  magic
//   4  u8  version: 1, or 2 when the layout carries context priors
//   5  u8  coder id | representation << 4
//   6  u8  bits (2..8 for Uniform, 0 otherwise) | flags << 4
//          flags: 1 per-channel quantization, 2 pruned, 4 zstd dictionary, 8 fixed ranges
//      varint C', varint H, varint W
//      varint C                          (pruned only)
//      u32 zstd dictionary id            (dictionary only)
//      varint x C'                       (pruned only) kept channel indices as in bitstream.h
//      (f32 scale, u8 zero point) x (C' per channel, else 1)   (fixed ranges only)
//      u8 confidence (1..31), varint n (>= 1),                  (version 2 only: context
//      (varint context step, u16 p(0)) x n                        priors, entropy_coder.h;
//                                                                  the first step is the
//                                                                  first context, then > 0)
//      u32 CRC-32 of every preceding byte
// A layout without priors is written as version 1, byte for byte as before priors existed.
//
// Torch-free and Qt-free like the rest of the codec room.

#include <cstdint>
#include <vector>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/feature_tensor.h"
#include "aecnn/codec/quantizer.h"

namespace aecnn::codec {

constexpr uint8_t kLayoutVersion = 1;
constexpr uint8_t kLayoutVersionWithPriors = 2;

struct SessionLayout {
    CoderId coder = CoderId::Context;
    Representation representation = Representation::Uniform;
    int bits = 8; // Uniform: 2..8; ignored (0 on the wire) otherwise
    bool perChannel = true;
    uint32_t channels = 0, height = 0, width = 0;
    uint32_t originalChannels = 0;      // C; equals channels when nothing was pruned
    std::vector<uint16_t> keptChannels; // as FeatureTensor::keptChannels
    uint32_t dictionaryId = 0;          // zstd coders: the dictionary both peers hold; 0 = none
    // Uniform only: ranges fixed for the session (calibrated on the model), one per
    // channel (perChannel) or one; empty = every frame carries its own ranges.
    std::vector<QuantRange> fixedRanges;
    // Context coder only: starting probabilities of its adaptive bits for every frame
    // (ContextPriorCounter on calibration frames, sessionSymbols); empty = none.
    ContextPriors contextPriors;

    bool rangesFixed() const { return !fixedRanges.empty(); }
    uint64_t elementCount() const { return uint64_t(channels) * height * width; }
    bool operator==(const SessionLayout& other) const;
    bool operator!=(const SessionLayout& other) const { return !(*this == other); }
};

// Throws CodecError (InvalidArgument) naming the first inconsistent field.
void validate(const SessionLayout& layout);
std::vector<uint8_t> serializeLayout(const SessionLayout& layout);
// Validates every field and the CRC; throws CodecError like decodeFrame.
SessionLayout parseLayout(const uint8_t* data, size_t size, const DecodeLimits& limits = {});
// The CRC-32 that ends serializeLayout(layout): equal layouts, equal ids.
uint32_t layoutId(const SessionLayout& layout);
// "context uint4 per-channel 1x14x14 of 64 (pruned) ranges=frame": for logs and errors.
std::string describeLayout(const SessionLayout& layout);

// The layout a self-describing frame of `tensor` with `settings` would describe.
SessionLayout layoutFor(const FeatureTensor& tensor, const CodecSettings& settings);

// What encodeSessionFrame codes for a tensor: its symbols (quantized with the layout's
// fixed ranges, else per frame with settings.range) and the coder's view of them. Throws
// like encodeSessionFrame. Count these with a ContextPriorCounter to make contextPriors.
struct SessionSymbols {
    SymbolTensor symbols;
    SymbolLayout coderLayout;
};
SessionSymbols sessionSymbols(const FeatureTensor& tensor, const SessionLayout& layout, const CodecSettings& settings);

// Per-frame overhead of a layout: bytes before the payload.
size_t sessionFrameHeaderBytes(const SessionLayout& layout);

// Encodes `tensor` against `layout`. Throws CodecError (InvalidArgument) when the tensor
// does not match the layout (shape, kept channels) or the dictionary is not the layout's.
// `settings` supplies what is an encoder-side choice only: zstd level, range choice
// (per-frame ranges), the dictionary bytes; its coder/representation/bits are ignored.
std::vector<uint8_t> encodeSessionFrame(const FeatureTensor& tensor, const SessionLayout& layout,
                                        const CodecSettings& settings, FrameSizes* sizes = nullptr,
                                        CoderWorkspace* workspace = nullptr);

// Decodes one layout-framed frame (`size` bytes exactly). Throws CodecError: Truncated
// (empty, or shorter than the per-frame fields), LayoutMismatch (tag of another layout),
// BadHeaderField (a scale or zero point), DictionaryMismatch, CorruptPayload (the payload
// does not decode to exactly the layout's symbols, e.g. a frame of another length).
DecodedFrame decodeSessionFrame(const uint8_t* data, size_t size, const SessionLayout& layout,
                                const ZstdDictionary* dictionary = nullptr, CoderWorkspace* workspace = nullptr);

} // namespace aecnn::codec
