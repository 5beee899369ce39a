#pragma once

#include <cstdint>
#include <vector>

#include "aecnn/codec/entropy_coder.h"

namespace aecnn::codec::detail {

// Context-modelling coder for n-bit symbols of ReLU-sparse feature maps. Per
// element (channel-major raster order) it codes whether the magnitude equals
// the left neighbour's, then whether it is zero, then an Elias-gamma style
// magnitude; every bit has an adaptive probability chosen from the left,
// upper, upper-left and upper-right neighbours in the same channel.
// Up to 4 bits (bitstream unchanged since frame version 1) the exponent
// floorLog2(m) is unary and every mantissa bit is modelled. Above 4 bits
// (frame version 2) the exponent is a binary tree and mantissa bits worth less
// than 2^(bits-3) are sent raw: they are close to uniform, and fewer
// modelled decisions make 8-bit coding faster.
// `priors` (null or empty: none, every bit starts at 1/2) must be the same on both sides.
std::vector<uint8_t> contextEncode(const uint8_t* symbols, const SymbolLayout& layout,
                                   const ContextPriors* priors = nullptr);
// Fills out[0 .. C*H*W); throws aecnn::Error when a decoded value cannot be a
// symbol of the layout (corrupt payload).
void contextDecode(const uint8_t* payload, size_t size, const SymbolLayout& layout, uint8_t* out,
                   const ContextPriors* priors = nullptr);
// Adds, per adaptive bit, how often contextEncode would code a 0 and a 1 for these
// symbols (zeros and ones hold kContextModelBits counts).
void contextCountDecisions(const uint8_t* symbols, const SymbolLayout& layout, uint64_t* zeros, uint64_t* ones);

} // namespace aecnn::codec::detail
