#include "live_frame_views.h"

#include <algorithm>
#include <cmath>
#include <QObject>
#include <unordered_map>

#include "aecnn/codec/entropy_coder.h"
#include "aecnn/split/split_transport.h"
#include "channel_coding.h"
#include "studio_config.h"

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

// Coded bits per channel of a live frame for the codec in use (channel_coding.h): the
// received uniform symbols, with each channel's zero point recovered from its values.
std::vector<double> liveCodedBits(const edge::EdgeFrameResult& frame, const QString& codecName)
{
    if (codecName.isEmpty())
        return {};
    try {
        const TransportSettings settings = transportSettingsOfCodec(codecName);
        if (settings.representation != "uint" || frame.symbols.size() != frame.features.size())
            return {}; // float frames: the edge keeps no per-element symbols
        const size_t plane = static_cast<size_t>(frame.featureHeight) * frame.featureWidth;
        codec::SymbolTensor symbols;
        symbols.representation = codec::Representation::Uniform;
        symbols.quant.bits = settings.bits;
        symbols.bytes = frame.symbols;
        for (size_t c = 0; c < frame.featureChannels; ++c)
            symbols.quant.ranges.push_back(codec::QuantRange{
                1.0f, inferZeroPoint(frame.symbols.data() + c * plane, frame.features.data() + c * plane, plane,
                                     settings.bits)});
        return attributedCodedBits(codec::coderFromName(settings.coder), symbols, frame.featureChannels,
                                   frame.featureHeight, frame.featureWidth, static_cast<uint64_t>(frame.payloadBytes));
    } catch (const std::exception&) {
        return {};
    }
}

} // namespace

widgets::DeviceFrame deviceFrameOf(const edge::EdgeFrameResult& frame, const widgets::FeatureFrame& features,
                                   const LiveFrameContext& context)
{
    widgets::DeviceFrame device;
    device.sequence = static_cast<long long>(frame.sequence);
    device.label = frame.label;
    device.predicted = frame.predicted;
    device.features = features;
    device.rebuiltBy = context.mode == QLatin1String("bottlenetpp") ? widgets::DeviceFrame::Rebuilt::Decoder
                                                                    : widgets::DeviceFrame::Rebuilt::FeatureRecovery;
    const InputImages* images = context.images;
    if (!images || images->empty()) {
        device.inputCaption = QObject::tr("The agent sends only features, and the edge has no copy of the data set "
                                          "loaded yet (computing channel attention loads it).");
    } else if (context.imagePosition < 0) {
        device.inputCaption = QObject::tr("The agent sends only features, and this frame's source position is not known.");
    } else {
        device.classNames = images->classNames;
        const long long index = images->indexOf(context.imagePosition);
        device.input = images->image(index);
        const int label = images->label(index);
        if (device.input.isNull()) {
            device.inputCaption = QObject::tr("Test image #%1 of %2 is beyond the %3 images the edge holds.")
                                      .arg(index).arg(images->dataset).arg(images->count);
        } else if (frame.label >= 0 && label != frame.label) {
            device.inputCaption = QObject::tr("Not the captured image: the agent's label (%1) differs from %2 test "
                                              "image #%3 (%4), so the agent streams another source.")
                                      .arg(frame.label).arg(images->dataset).arg(index).arg(label);
            device.input = QImage();
        } else {
            device.inputCaption = QObject::tr("The edge's copy of %1 test image #%2: the agent sends only features and "
                                              "streams this data set in order, so this is the image it captured%3.")
                                      .arg(images->dataset)
                                      .arg(index)
                                      .arg(frame.label >= 0 ? QObject::tr(" (its label matches)")
                                                            : QObject::tr(" (no label to check it by)"));
        }
    }
    if (!context.attention.empty()) {
        for (int channel : features.keptChannels)
            device.keptAttention.push_back(
                channel >= 0 && channel < static_cast<int>(context.attention.size()) ? context.attention[channel] : 0.0);
        device.attentionCaption = QObject::tr("data-set mean attention (Eq. 8)");
    }
    return device;
}

std::optional<LiveFrameViews> liveFrameViews(const edge::EdgeFrameResult& frame, int splitChannels)
{
    LiveFrameContext context;
    context.splitChannels = splitChannels;
    return liveFrameViews(frame, context);
}

std::optional<LiveFrameViews> liveFrameViews(const edge::EdgeFrameResult& frame, const LiveFrameContext& context)
{
    const int splitChannels = context.splitChannels;
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
    // The edge's rebuilt map knows C itself; right after a change of split point frames of
    // the old split still arrive while `splitChannels` already names the new one.
    if (frame.rebuiltChannels > static_cast<uint32_t>(largest) &&
        frame.rebuilt.size() == static_cast<size_t>(frame.rebuiltChannels) * plane)
        features.channels = static_cast<int>(frame.rebuiltChannels);
    features.height = static_cast<int>(frame.featureHeight);
    features.width = static_cast<int>(frame.featureWidth);
    features.received = frame.features;
    if (frame.rebuiltChannels == static_cast<uint32_t>(features.channels) &&
        frame.rebuilt.size() == static_cast<size_t>(features.channels) * plane)
        features.recovered = frame.rebuilt;
    features.recoveredByDecoder = context.mode == QLatin1String("bottlenetpp");

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
    entropy.codedBits = liveCodedBits(frame, context.codec);
    if (!entropy.codedBits.empty())
        entropy.coder = context.codec;
    views.device = deviceFrameOf(frame, features, context);
    return views;
}

} // namespace aecnn::studio
