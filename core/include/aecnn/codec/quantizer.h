#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aecnn/codec/feature_tensor.h"

namespace aecnn::codec {

// How the floats of a FeatureTensor become the bytes handed to an entropy coder.
enum class Representation : uint8_t {
    Float32 = 0,         // lossless, 4 little-endian bytes per element
    Float32Shuffled = 1, // lossless, byte planes (all byte 0s, then all byte 1s, ...)
    Float16 = 2,         // IEEE half, round to nearest even; NaN/Inf preserved
    Uniform = 3,         // n-bit integers (2..8) with scale and zero point, one byte each
};

std::string representationName(Representation representation);
// "float32", "float32-shuffled", "float16", "uint" (the bit count is separate).
Representation representationFromName(const std::string& name); // throws aecnn::Error listing the valid names
bool isLossless(Representation representation);
int bytesPerElement(Representation representation);

// How a uniform quantizer picks each range: the values' full [min, max], or the
// range (the full one shrunk toward zero by up to 75 %) whose quantize/dequantize
// round trip has the least squared error — outliers then saturate, and the
// levels go where most values are. An encoder-side choice: the frame carries the
// chosen scale either way, decoders need not know it.
enum class RangeChoice : uint8_t { MinMax = 0, MinMse = 1 };
std::string rangeChoiceName(RangeChoice choice);           // "minmax", "mse"
RangeChoice rangeChoiceFromName(const std::string& name); // throws aecnn::Error listing the valid names

// Affine map of one channel (or of the whole tensor): x ~ (q - zeroPoint) * scale.
// The range always contains 0, so 0.0f maps to zeroPoint and back to exactly 0
// (ReLU zeros stay zeros; non-negative data gets zeroPoint 0).
struct QuantRange {
    float scale = 0.0f; // 0 when the range is empty (all zeros)
    uint8_t zeroPoint = 0;
};

struct QuantParams {
    int bits = 8;                  // 2..8
    bool perChannel = true;        // one QuantRange per kept channel, else one for the tensor
    std::vector<QuantRange> ranges; // size channels (per channel) or 1
};

// The bytes a coder sees plus what is needed to turn them back into floats.
struct SymbolTensor {
    Representation representation = Representation::Float32;
    QuantParams quant; // meaningful for Uniform only
    std::vector<uint8_t> bytes;
};

// Turns floats into symbols. Uniform needs finite values (throws aecnn::Error
// naming the first NaN/Inf otherwise) and 2 <= bits <= 8.
SymbolTensor toSymbols(const FeatureTensor& tensor, Representation representation, int bits = 8,
                       bool perChannel = true, RangeChoice range = RangeChoice::MinMax);
// Uniform symbols with ranges fixed in advance (a session's calibrated ranges,
// session_layout.h): values outside a range saturate at its ends. `params.ranges`
// holds one range per channel (perChannel) or one; throws aecnn::Error otherwise.
SymbolTensor toSymbolsWithRanges(const FeatureTensor& tensor, const QuantParams& params);
// The range toSymbols would choose for `values` (e.g. pooled calibration tensors of one channel).
QuantRange chooseRange(const float* values, size_t count, int bits, RangeChoice choice);
// Inverse of toSymbols into tensor.values; tensor must already have its shape set.
// Sizes are checked (aecnn::Error).
void fromSymbols(const SymbolTensor& symbols, FeatureTensor& tensor);

struct QuantError {
    double maxAbs = 0.0;
    double mse = 0.0;
    double psnrDb = 0.0; // peak = max - min of the original; +inf when exact
};

// Compares reconstructed against original values (same size; non-finite pairs
// that are bit-identical count as exact).
QuantError measureError(const std::vector<float>& original, const std::vector<float>& reconstructed);

// IEEE 754 binary16 conversions used by Representation::Float16.
uint16_t floatToHalf(float value);
float halfToFloat(uint16_t half);

} // namespace aecnn::codec
