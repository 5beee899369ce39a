#include "live_frame_views.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace aecnn::studio {
namespace {

constexpr int kHistogramBins = 64;

// Order-0 entropy in bits per element of `count` symbols or values.
template <typename T>
double entropyBits(const T* values, size_t count)
{
    std::unordered_map<T, size_t> counts;
    for (size_t i = 0; i < count; ++i)
        ++counts[values[i]];
    double bits = 0.0;
    for (const auto& entry : counts) {
        const double p = static_cast<double>(entry.second) / static_cast<double>(count);
        bits -= p * std::log2(p);
    }
    return bits;
}

} // namespace

std::optional<LiveFrameViews> liveFrameViews(const edge::EdgeFrameResult& frame, int splitChannels)
{
    const size_t plane = static_cast<size_t>(frame.featureHeight) * frame.featureWidth;
    const size_t sent = frame.featureChannels;
    if (sent == 0 || plane == 0 || frame.features.size() != sent * plane)
        return std::nullopt;

    LiveFrameViews views;
    widgets::FeatureFrame& features = views.features;
    for (size_t c = 0; c < sent; ++c)
        features.keptChannels.push_back(frame.keptChannels.empty() ? static_cast<int>(c) : frame.keptChannels[c]);
    const int largest = *std::max_element(features.keptChannels.begin(), features.keptChannels.end());
    features.channels = std::max(splitChannels, largest + 1);
    features.height = static_cast<int>(frame.featureHeight);
    features.width = static_cast<int>(frame.featureWidth);
    features.received = frame.features;
    if (frame.rebuiltChannels == static_cast<uint32_t>(features.channels) &&
        frame.rebuilt.size() == static_cast<size_t>(features.channels) * plane)
        features.recovered = frame.rebuilt;

    widgets::EntropyData& entropy = views.entropy;
    entropy.channels = features.keptChannels;
    const auto [low, high] = std::minmax_element(frame.features.begin(), frame.features.end());
    entropy.histogramMin = *low;
    entropy.histogramMax = *high > *low ? *high : *low + 1.0;
    entropy.histogram.assign(kHistogramBins, 0);
    const double binWidth = (entropy.histogramMax - entropy.histogramMin) / kHistogramBins;
    size_t zeros = 0;
    for (float v : frame.features) {
        const auto bin = static_cast<int>((v - entropy.histogramMin) / binWidth);
        ++entropy.histogram[static_cast<size_t>(std::clamp(bin, 0, kHistogramBins - 1))];
        zeros += v == 0.0f ? 1 : 0;
    }
    const double elements = static_cast<double>(frame.features.size());
    // The coder's symbols when there is one per element (n-bit uniform): the same scale
    // for every channel; else the dequantized values.
    if (frame.symbols.size() == frame.features.size()) {
        for (size_t c = 0; c < sent; ++c)
            entropy.h0Bits.push_back(entropyBits(frame.symbols.data() + c * plane, plane));
        entropy.overallH0Bits = entropyBits(frame.symbols.data(), frame.symbols.size());
    } else {
        for (size_t c = 0; c < sent; ++c)
            entropy.h0Bits.push_back(entropyBits(frame.features.data() + c * plane, plane));
        entropy.overallH0Bits = entropyBits(frame.features.data(), frame.features.size());
    }
    entropy.zeroFraction = static_cast<double>(zeros) / elements;
    entropy.bytesPerFrame = static_cast<double>(frame.payloadBytes);
    entropy.overallCodedBits = 8.0 * static_cast<double>(frame.payloadBytes) / elements;
    if (frame.payloadBytes > 0)
        entropy.compressionRatio =
            static_cast<double>(features.channels) * static_cast<double>(plane) * 4.0 / static_cast<double>(frame.payloadBytes);
    return views;
}

} // namespace aecnn::studio
