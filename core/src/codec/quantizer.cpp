#include "aecnn/codec/quantizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "aecnn/error.h"

namespace aecnn::codec {

void validate(const FeatureTensor& tensor)
{
    if (tensor.channels == 0 || tensor.height == 0 || tensor.width == 0)
        throw Error("feature tensor has an empty shape " + std::to_string(tensor.channels) + "x" +
                    std::to_string(tensor.height) + "x" + std::to_string(tensor.width));
    if (tensor.values.size() != tensor.elementCount())
        throw Error("feature tensor holds " + std::to_string(tensor.values.size()) + " values but its shape needs " +
                    std::to_string(tensor.elementCount()));
    if (tensor.originalChannels < tensor.channels)
        throw Error("feature tensor keeps " + std::to_string(tensor.channels) + " channels of only " +
                    std::to_string(tensor.originalChannels));
    if (tensor.keptChannels.empty()) {
        if (tensor.originalChannels != tensor.channels)
            throw Error("feature tensor was pruned but does not list its kept channel indices");
        return;
    }
    if (tensor.keptChannels.size() != tensor.channels)
        throw Error("feature tensor lists " + std::to_string(tensor.keptChannels.size()) +
                    " kept channel indices for " + std::to_string(tensor.channels) + " channels");
    for (size_t i = 0; i < tensor.keptChannels.size(); ++i) {
        if (tensor.keptChannels[i] >= tensor.originalChannels)
            throw Error("kept channel index " + std::to_string(tensor.keptChannels[i]) + " is out of range (C = " +
                        std::to_string(tensor.originalChannels) + ")");
        if (i > 0 && tensor.keptChannels[i] <= tensor.keptChannels[i - 1])
            throw Error("kept channel indices must be strictly increasing");
    }
}

std::string representationName(Representation representation)
{
    switch (representation) {
    case Representation::Float32: return "float32";
    case Representation::Float32Shuffled: return "float32-shuffled";
    case Representation::Float16: return "float16";
    case Representation::Uniform: return "uint";
    }
    return "unknown";
}

Representation representationFromName(const std::string& name)
{
    for (auto r : {Representation::Float32, Representation::Float32Shuffled, Representation::Float16,
                   Representation::Uniform})
        if (representationName(r) == name)
            return r;
    throw Error("unknown representation '" + name + "'; valid: float32, float32-shuffled, float16, uint");
}

std::string rangeChoiceName(RangeChoice choice)
{
    return choice == RangeChoice::MinMse ? "mse" : "minmax";
}

RangeChoice rangeChoiceFromName(const std::string& name)
{
    for (auto c : {RangeChoice::MinMax, RangeChoice::MinMse})
        if (rangeChoiceName(c) == name)
            return c;
    throw Error("unknown quantization range '" + name + "'; valid: minmax, mse");
}

bool isLossless(Representation representation)
{
    return representation == Representation::Float32 || representation == Representation::Float32Shuffled;
}

int bytesPerElement(Representation representation)
{
    switch (representation) {
    case Representation::Float32:
    case Representation::Float32Shuffled: return 4;
    case Representation::Float16: return 2;
    case Representation::Uniform: return 1;
    }
    return 1;
}

uint16_t floatToHalf(float value)
{
    uint32_t f;
    std::memcpy(&f, &value, 4);
    const uint32_t sign = (f >> 16) & 0x8000u;
    const uint32_t exponent = (f >> 23) & 0xFFu;
    uint32_t mantissa = f & 0x7FFFFFu;
    if (exponent == 0xFF) // Inf stays Inf; NaN keeps a non-zero (quiet) mantissa
        return uint16_t(sign | 0x7C00u | (mantissa ? 0x200u | (mantissa >> 13) : 0u));
    const int e = int(exponent) - 127 + 15;
    if (e >= 31)
        return uint16_t(sign | 0x7C00u); // overflow to Inf
    if (e <= 0) {
        if (e < -10)
            return uint16_t(sign); // underflow to signed zero
        mantissa |= 0x800000u;     // subnormal half: shift in the implicit bit
        const int shift = 14 - e;
        uint32_t half = mantissa >> shift;
        const uint32_t rest = mantissa & ((1u << shift) - 1);
        const uint32_t halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half & 1u)))
            ++half;
        return uint16_t(sign | half);
    }
    uint32_t half = (uint32_t(e) << 10) | (mantissa >> 13);
    const uint32_t rest = mantissa & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
        ++half; // may carry into the exponent, which is the correct rounding (up to Inf)
    return uint16_t(sign | half);
}

float halfToFloat(uint16_t half)
{
    const uint32_t sign = uint32_t(half & 0x8000u) << 16;
    const uint32_t exponent = (half >> 10) & 0x1Fu;
    uint32_t mantissa = half & 0x3FFu;
    uint32_t f;
    if (exponent == 0) {
        if (mantissa == 0) {
            f = sign;
        } else { // subnormal: normalize
            int e = -1;
            do {
                ++e;
                mantissa <<= 1;
            } while (!(mantissa & 0x400u));
            f = sign | (uint32_t(127 - 15 - e) << 23) | ((mantissa & 0x3FFu) << 13);
        }
    } else if (exponent == 31) {
        f = sign | 0x7F800000u | (mantissa << 13);
    } else {
        f = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float out;
    std::memcpy(&out, &f, 4);
    return out;
}

namespace {

QuantRange rangeSpanning(float lo, float hi, int bits)
{
    QuantRange range;
    const int levels = (1 << bits) - 1;
    if (hi - lo <= 0.0f)
        return range;
    range.scale = (hi - lo) / float(levels);
    if (!std::isfinite(range.scale) || range.scale <= 0.0f)
        throw Error("cannot quantize values spanning [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    range.zeroPoint = uint8_t(std::clamp<long>(std::lround(-lo / range.scale), 0, levels));
    return range;
}

double roundTripSquaredError(const float* values, size_t count, const QuantRange& range, int bits)
{
    const int levels = (1 << bits) - 1;
    const float inverse = 1.0f / range.scale;
    double sum = 0.0;
    for (size_t i = 0; i < count; ++i) {
        const long q = std::clamp<long>(std::lround(values[i] * inverse) + range.zeroPoint, 0, levels);
        const double e = double(values[i]) - double(q - range.zeroPoint) * double(range.scale);
        sum += e * e;
    }
    return sum;
}

QuantRange rangeFor(const float* values, size_t count, int bits, RangeChoice choice)
{
    float lo = 0.0f, hi = 0.0f; // the range always contains zero
    for (size_t i = 0; i < count; ++i) {
        lo = std::min(lo, values[i]);
        hi = std::max(hi, values[i]);
    }
    QuantRange best = rangeSpanning(lo, hi, bits);
    if (choice == RangeChoice::MinMax || best.scale == 0.0f)
        return best;
    double bestError = roundTripSquaredError(values, count, best, bits);
    constexpr int kSteps = 24; // shrink factors 1 - k/32, down to 0.25
    for (int k = 1; k <= kSteps; ++k) {
        const float shrink = 1.0f - float(k) / 32.0f;
        const QuantRange candidate = rangeSpanning(lo * shrink, hi * shrink, bits);
        const double error = roundTripSquaredError(values, count, candidate, bits);
        if (error < bestError) {
            best = candidate;
            bestError = error;
        }
    }
    return best;
}

void quantizeInto(const float* values, size_t count, const QuantRange& range, int bits, uint8_t* out)
{
    const int levels = (1 << bits) - 1;
    if (range.scale == 0.0f) {
        std::fill(out, out + count, range.zeroPoint);
        return;
    }
    const float inverse = 1.0f / range.scale;
    for (size_t i = 0; i < count; ++i) {
        const long q = std::lround(values[i] * inverse) + range.zeroPoint;
        out[i] = uint8_t(std::clamp<long>(q, 0, levels));
    }
}

} // namespace

SymbolTensor toSymbols(const FeatureTensor& tensor, Representation representation, int bits, bool perChannel,
                       RangeChoice rangeChoice)
{
    validate(tensor);
    SymbolTensor out;
    out.representation = representation;
    const size_t n = tensor.values.size();
    const float* v = tensor.values.data();
    switch (representation) {
    case Representation::Float32:
        out.bytes.resize(n * 4);
        std::memcpy(out.bytes.data(), v, n * 4); // little-endian hosts only (x86-64, ARM)
        break;
    case Representation::Float32Shuffled: {
        out.bytes.resize(n * 4);
        for (size_t i = 0; i < n; ++i) {
            uint32_t bitsOf;
            std::memcpy(&bitsOf, &v[i], 4);
            for (int b = 0; b < 4; ++b)
                out.bytes[b * n + i] = uint8_t(bitsOf >> (8 * b));
        }
        break;
    }
    case Representation::Float16:
        out.bytes.resize(n * 2);
        for (size_t i = 0; i < n; ++i) {
            const uint16_t h = floatToHalf(v[i]);
            out.bytes[2 * i] = uint8_t(h);
            out.bytes[2 * i + 1] = uint8_t(h >> 8);
        }
        break;
    case Representation::Uniform: {
        if (bits < 2 || bits > 8)
            throw Error("quantization needs 2 to 8 bits, got " + std::to_string(bits));
        for (size_t i = 0; i < n; ++i)
            if (!std::isfinite(v[i]))
                throw Error("cannot quantize a non-finite value at element " + std::to_string(i) +
                            "; use a float representation for such tensors");
        out.quant.bits = bits;
        out.quant.perChannel = perChannel;
        out.bytes.resize(n);
        const size_t plane = tensor.planeSize();
        if (perChannel) {
            for (uint32_t c = 0; c < tensor.channels; ++c) {
                const QuantRange range = rangeFor(v + c * plane, plane, bits, rangeChoice);
                quantizeInto(v + c * plane, plane, range, bits, out.bytes.data() + c * plane);
                out.quant.ranges.push_back(range);
            }
        } else {
            const QuantRange range = rangeFor(v, n, bits, rangeChoice);
            quantizeInto(v, n, range, bits, out.bytes.data());
            out.quant.ranges.push_back(range);
        }
        break;
    }
    default: throw Error("unknown representation id " + std::to_string(int(representation)));
    }
    return out;
}

QuantRange chooseRange(const float* values, size_t count, int bits, RangeChoice choice)
{
    if (bits < 2 || bits > 8)
        throw Error("quantization needs 2 to 8 bits, got " + std::to_string(bits));
    for (size_t i = 0; i < count; ++i)
        if (!std::isfinite(values[i]))
            throw Error("cannot choose a quantization range for a non-finite value");
    return rangeFor(values, count, bits, choice);
}

SymbolTensor toSymbolsWithRanges(const FeatureTensor& tensor, const QuantParams& params)
{
    validate(tensor);
    if (params.bits < 2 || params.bits > 8)
        throw Error("quantization needs 2 to 8 bits, got " + std::to_string(params.bits));
    const size_t expected = params.perChannel ? tensor.channels : 1;
    if (params.ranges.size() != expected)
        throw Error("fixed quantization needs " + std::to_string(expected) + " ranges, got " +
                    std::to_string(params.ranges.size()));
    const int levels = (1 << params.bits) - 1;
    for (const auto& r : params.ranges)
        if (!std::isfinite(r.scale) || r.scale < 0.0f || r.zeroPoint > levels)
            throw Error("fixed quantization range has an invalid scale or zero point");
    const size_t n = tensor.values.size();
    const float* v = tensor.values.data();
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(v[i]))
            throw Error("cannot quantize a non-finite value at element " + std::to_string(i) +
                        "; use a float representation for such tensors");
    SymbolTensor out;
    out.representation = Representation::Uniform;
    out.quant = params;
    out.bytes.resize(n);
    const size_t plane = tensor.planeSize();
    if (params.perChannel)
        for (uint32_t c = 0; c < tensor.channels; ++c)
            quantizeInto(v + c * plane, plane, params.ranges[c], params.bits, out.bytes.data() + c * plane);
    else
        quantizeInto(v, n, params.ranges[0], params.bits, out.bytes.data());
    return out;
}

void fromSymbols(const SymbolTensor& symbols, FeatureTensor& tensor)
{
    const uint64_t n = tensor.elementCount();
    if (symbols.bytes.size() != n * uint64_t(bytesPerElement(symbols.representation)))
        throw Error("symbol count does not match the tensor shape");
    tensor.values.resize(n);
    float* v = tensor.values.data();
    const uint8_t* s = symbols.bytes.data();
    switch (symbols.representation) {
    case Representation::Float32: std::memcpy(v, s, n * 4); break;
    case Representation::Float32Shuffled:
        for (size_t i = 0; i < n; ++i) {
            const uint32_t bitsOf = uint32_t(s[i]) | uint32_t(s[n + i]) << 8 | uint32_t(s[2 * n + i]) << 16 |
                                    uint32_t(s[3 * n + i]) << 24;
            std::memcpy(&v[i], &bitsOf, 4);
        }
        break;
    case Representation::Float16:
        for (size_t i = 0; i < n; ++i)
            v[i] = halfToFloat(uint16_t(s[2 * i] | (s[2 * i + 1] << 8)));
        break;
    case Representation::Uniform: {
        const auto& q = symbols.quant;
        const size_t expectedRanges = q.perChannel ? tensor.channels : 1;
        if (q.ranges.size() != expectedRanges)
            throw Error("quantization parameters do not match the channel count");
        const size_t plane = tensor.planeSize();
        for (size_t i = 0; i < n; ++i) {
            const QuantRange& r = q.ranges[q.perChannel ? i / plane : 0];
            v[i] = float(int(s[i]) - int(r.zeroPoint)) * r.scale;
        }
        break;
    }
    default: throw Error("unknown representation id " + std::to_string(int(symbols.representation)));
    }
}

QuantError measureError(const std::vector<float>& original, const std::vector<float>& reconstructed)
{
    if (original.size() != reconstructed.size())
        throw Error("cannot compare tensors of different sizes");
    QuantError e;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    size_t counted = 0;
    for (size_t i = 0; i < original.size(); ++i) {
        const float a = original[i], b = reconstructed[i];
        if (std::memcmp(&a, &b, 4) == 0)
            ++counted;
        else {
            const double d = std::fabs(double(a) - double(b));
            e.maxAbs = std::isnan(d) ? std::numeric_limits<double>::infinity() : std::max(e.maxAbs, d);
            e.mse += d * d;
            ++counted;
        }
        if (std::isfinite(a)) {
            lo = std::min(lo, double(a));
            hi = std::max(hi, double(a));
        }
    }
    if (counted > 0)
        e.mse /= double(counted);
    const double peak = hi > lo ? hi - lo : 1.0;
    e.psnrDb = e.mse > 0 ? 10.0 * std::log10(peak * peak / e.mse) : std::numeric_limits<double>::infinity();
    return e;
}

} // namespace aecnn::codec
