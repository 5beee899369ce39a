#include "aecnn/codec/codec_stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "aecnn/error.h"

namespace aecnn::codec {
namespace {

// Order-0 entropy of a run of symbols given as integers.
template <typename Symbol> double entropyOf(std::vector<Symbol> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    std::vector<uint64_t> counts;
    for (size_t i = 0; i < values.size();) {
        size_t j = i;
        while (j < values.size() && values[j] == values[i])
            ++j;
        counts.push_back(j - i);
        i = j;
    }
    return entropyOfCounts(counts);
}

// The transmitted symbol of element i as an integer (its bit pattern for floats).
uint64_t symbolAt(const SymbolTensor& s, size_t n, size_t i)
{
    const uint8_t* b = s.bytes.data();
    switch (s.representation) {
    case Representation::Uniform: return b[i];
    case Representation::Float16: return uint64_t(b[2 * i]) | uint64_t(b[2 * i + 1]) << 8;
    case Representation::Float32: return uint64_t(b[4 * i]) | uint64_t(b[4 * i + 1]) << 8 | uint64_t(b[4 * i + 2]) << 16 |
                                         uint64_t(b[4 * i + 3]) << 24;
    case Representation::Float32Shuffled:
        return uint64_t(b[i]) | uint64_t(b[n + i]) << 8 | uint64_t(b[2 * n + i]) << 16 | uint64_t(b[3 * n + i]) << 24;
    }
    return 0;
}

} // namespace

double entropyOfCounts(const std::vector<uint64_t>& counts)
{
    uint64_t total = 0;
    for (auto c : counts)
        total += c;
    if (total == 0)
        return 0.0;
    double h = 0.0;
    for (auto c : counts)
        if (c > 0) {
            const double p = double(c) / double(total);
            h -= p * std::log2(p);
        }
    return h;
}

SymbolStats computeSymbolStats(const FeatureTensor& tensor, const SymbolTensor& symbols)
{
    const size_t n = size_t(tensor.elementCount());
    if (symbols.bytes.size() != n * size_t(bytesPerElement(symbols.representation)) || tensor.values.size() != n)
        throw Error("statistics need symbols and values of the same tensor");
    SymbolStats stats;
    stats.elements = n;
    const size_t plane = size_t(tensor.planeSize());
    std::vector<uint64_t> all(n);
    for (size_t i = 0; i < n; ++i)
        all[i] = symbolAt(symbols, n, i);
    for (uint32_t c = 0; c < tensor.channels; ++c)
        stats.channelEntropyBitsPerElement.push_back(
            entropyOf(std::vector<uint64_t>(all.begin() + std::ptrdiff_t(c * plane),
                                            all.begin() + std::ptrdiff_t((c + 1) * plane))));
    stats.entropyBitsPerElement = entropyOf(std::move(all));

    size_t zeros = 0;
    for (float v : tensor.values)
        zeros += v == 0.0f;
    stats.zeroFraction = n ? double(zeros) / double(n) : 0.0;

    if (symbols.representation == Representation::Uniform) {
        stats.histogram.assign(size_t(1) << symbols.quant.bits, 0);
        for (uint8_t s : symbols.bytes)
            if (s < stats.histogram.size())
                ++stats.histogram[s];
        stats.histogramMin = 0;
        stats.histogramMax = double(stats.histogram.size() - 1);
    } else {
        stats.histogram.assign(64, 0);
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (float v : tensor.values)
            if (std::isfinite(v)) {
                lo = std::min(lo, double(v));
                hi = std::max(hi, double(v));
            }
        if (lo <= hi) {
            stats.histogramMin = lo;
            stats.histogramMax = hi;
            const double width = hi > lo ? (hi - lo) / 64.0 : 1.0;
            for (float v : tensor.values)
                if (std::isfinite(v))
                    ++stats.histogram[std::min<size_t>(63, size_t((double(v) - lo) / width))];
        }
    }
    return stats;
}

CodingStats computeCodingStats(const FeatureTensor& tensor, uint64_t payloadBytes, uint64_t frameBytes)
{
    CodingStats s;
    const double n = double(tensor.elementCount());
    const double unprunedBits = double(tensor.originalChannels) * double(tensor.planeSize()) * 32.0;
    s.payloadBytes = payloadBytes;
    s.frameBytes = frameBytes;
    if (n > 0) {
        s.codedBitsPerElement = double(payloadBytes) * 8.0 / n;
        s.frameBitsPerElement = double(frameBytes) * 8.0 / n;
    }
    s.compressionRatio = frameBytes ? unprunedBits / (double(frameBytes) * 8.0) : 0.0;
    s.payloadCompressionRatio = payloadBytes ? unprunedBits / (double(payloadBytes) * 8.0) : 0.0;
    return s;
}

} // namespace aecnn::codec
