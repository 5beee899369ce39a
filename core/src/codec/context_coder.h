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
std::vector<uint8_t> contextEncode(const uint8_t* symbols, const SymbolLayout& layout);
// Fills out[0 .. C*H*W); throws aecnn::Error when a decoded value cannot be a
// symbol of the layout (corrupt payload).
void contextDecode(const uint8_t* payload, size_t size, const SymbolLayout& layout, uint8_t* out);

} // namespace aecnn::codec::detail
