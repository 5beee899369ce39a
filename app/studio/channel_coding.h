#pragma once

#include <cstdint>
#include <vector>

#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/quantizer.h"

namespace aecnn::studio {

// Coded bits per element of each transmitted channel, for the coder in use.
//
// A frame's payload is one coded stream over all channels, so a channel's share of it
// is not directly observable. Each channel's symbols are therefore coded alone with the
// same coder, representation, bit depth and zero point; those sizes say how compressible
// each channel is, and they are scaled so that they add up to the frame's real payload
// (`payloadBytes`): the mean over channels equals the frame's coded bits per element,
// and one channel's bar can be read next to its order-0 entropy H0. (Coding a channel
// alone costs the coder's per-stream overhead and loses what it shares with the other
// channels, e.g. zstd matches across channels or a trained dictionary; the scaling
// spreads that difference over the channels in proportion to their size.)
//
// `symbols.bytes` holds channels x height x width elements in channel-major order.
// Empty when the representation interleaves channels (float32-shuffled), when the sizes
// do not match, or when the coder refuses the symbols.
std::vector<double> attributedCodedBits(codec::CoderId coder, const codec::SymbolTensor& symbols, uint32_t channels,
                                        uint32_t height, uint32_t width, uint64_t payloadBytes);

// The zero point of one channel of uniform symbols from the dequantized values
// (x = (q - zeroPoint) * scale): where a value is exactly 0, or else by the line through
// two distinct (q, x) pairs; clamped to the bit depth.
uint8_t inferZeroPoint(const uint8_t* symbols, const float* values, size_t count, int bits);

} // namespace aecnn::studio
