#include "aecnn/split/split_transport.h"

#include <algorithm>

#include <torch/torch.h>

#include "aecnn/split/split_model.h"
#include "aecnn/error.h"
#include "aecnn/model/memory_budget.h"
#include "aecnn/codec/quantizer.h"
#include "aecnn/model/image_set.h"

namespace aecnn {
namespace {

std::string shapeText(uint32_t c, uint32_t h, uint32_t w)
{
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}


} // namespace

codec::CodecSettings toCodecSettings(const TransportSettings& settings)
{
    validate(settings);
    codec::CodecSettings c;
    c.coder = codec::coderFromName(settings.coder);
    c.representation = codec::representationFromName(settings.representation);
    c.bits = c.representation == codec::Representation::Uniform ? settings.bits : 8;
    c.perChannel = settings.perChannel;
    c.range = codec::rangeChoiceFromName(settings.range);
    c.zstdLevel = settings.zstdLevel;
    c.dictionary = settings.dictionary.bytes.empty() ? nullptr : &settings.dictionary;
    return c;
}

void validate(const TransportSettings& settings)
{
    const auto coder = codec::coderFromName(settings.coder); // throws, listing the valid names
    const auto representation = codec::representationFromName(settings.representation);
    if (!codec::coderSupports(coder, representation))
        throw Error("coder '" + settings.coder + "' cannot code " + settings.representation +
                    " symbols; use representation 'uint' (quantized) with it");
    if (representation == codec::Representation::Uniform && (settings.bits < 2 || settings.bits > 8))
        throw Error("quantization needs 2..8 bits, got " + std::to_string(settings.bits));
    codec::rangeChoiceFromName(settings.range); // throws, listing the valid names
    if (settings.framing != "frame" && settings.framing != "session")
        throw Error("framing must be frame or session, got '" + settings.framing + "'");
    if (!settings.fixedRanges.empty() && (settings.framing != "session" || representation != codec::Representation::Uniform))
        throw Error("fixed quantization ranges need framing 'session' and representation 'uint'");
    if (!settings.contextPriors.empty()) {
        if (settings.framing != "session" || coder != codec::CoderId::Context)
            throw Error("context priors need framing 'session' and coder 'context'");
        codec::validate(settings.contextPriors);
    }
    if (settings.zstdLevel < -7 || settings.zstdLevel > 22)
        throw Error("zstd level must be in -7..22, got " + std::to_string(settings.zstdLevel));
    if (!settings.dictionary.bytes.empty()) {
        if (settings.dictionary.id() == 0)
            throw Error("the transport's zstd dictionary is not a zstd dictionary (no dictionary id); retrain it");
        if (coder != codec::CoderId::Zstd && coder != codec::CoderId::ZstdEntropy)
            throw Error("a zstd dictionary only works with the zstd coders, not '" + settings.coder + "'");
    }
}

TransmittedLayout transmittedLayout(AecnnModelImpl& model, int inputHeight, int inputWidth)
{
    const auto cost = describeSplitModel(model, inputHeight, inputWidth);
    TransmittedLayout layout;
    layout.variant = toString(model.variant());
    layout.split = model.split();
    layout.ratio = model.ratio();
    layout.featureChannels = uint32_t(model.featureChannels());
    layout.channels = uint32_t(model.transmittedChannels());
    layout.height = uint32_t(cost.featureHeight);
    layout.width = uint32_t(cost.featureWidth);
    if (model.variant() != SplitVariant::BottleNetPP && layout.channels < layout.featureChannels)
        layout.kept.assign(model.kept().begin(), model.kept().end());
    return layout;
}

SplitTransport::SplitTransport(TransmittedLayout layout, TransportSettings settings)
    : layout_(std::move(layout)), settings_(std::move(settings))
{
    validate(settings_);
    if (layout_.elements() == 0)
        throw Error("split transport needs a non-empty transmitted shape, got " +
                    shapeText(layout_.channels, layout_.height, layout_.width));
    if (!layout_.kept.empty() && layout_.kept.size() != layout_.channels)
        throw Error("split transport layout lists " + std::to_string(layout_.kept.size()) +
                    " kept channels for " + std::to_string(layout_.channels) + " transmitted channels");
    codec::FeatureTensor shape;
    shape.channels = layout_.channels;
    shape.height = layout_.height;
    shape.width = layout_.width;
    shape.originalChannels = layout_.kept.empty() ? layout_.channels : layout_.featureChannels;
    shape.keptChannels = layout_.kept;
    shape.values.assign(size_t(layout_.elements()), 0.0f);
    sessionLayout_ = codec::layoutFor(shape, toCodecSettings(settings_));
    if (!settings_.fixedRanges.empty()) {
        const size_t expected = settings_.perChannel ? layout_.channels : 1;
        if (settings_.fixedRanges.size() != expected)
            throw Error("split transport has " + std::to_string(settings_.fixedRanges.size()) +
                        " fixed quantization ranges for " + std::to_string(expected));
        sessionLayout_.fixedRanges = settings_.fixedRanges;
        codec::validate(sessionLayout_);
    }
    sessionLayout_.contextPriors = settings_.contextPriors; // validated with the settings
}

codec::FeatureTensor SplitTransport::toFeatureTensor(const at::Tensor& transmitted) const
{
    auto t = transmitted.detach();
    if (t.dim() == 4 && t.size(0) == 1)
        t = t.squeeze(0);
    if (t.dim() != 3 || t.size(0) != layout_.channels || t.size(1) != layout_.height || t.size(2) != layout_.width)
        throw Error("transmitted tensor has shape " + std::string(c10::str(t.sizes())) + " but the " +
                    layout_.variant + " model (split " + std::to_string(layout_.split) + ", V=" +
                    std::to_string(layout_.ratio) + ") transmits " +
                    shapeText(layout_.channels, layout_.height, layout_.width) + " per image");
    t = t.to(torch::kCPU, torch::kFloat32).contiguous();
    codec::FeatureTensor f;
    f.channels = layout_.channels;
    f.height = layout_.height;
    f.width = layout_.width;
    f.originalChannels = layout_.kept.empty() ? layout_.channels : layout_.featureChannels;
    f.keptChannels = layout_.kept;
    const float* data = t.data_ptr<float>();
    f.values.assign(data, data + t.numel());
    return f;
}

std::vector<uint8_t> SplitTransport::encodeFeatures(const codec::FeatureTensor& tensor, codec::FrameSizes* sizes,
                                                    codec::CoderWorkspace* workspace) const
{
    if (sessionFramed())
        return codec::encodeSessionFrame(tensor, sessionLayout_, toCodecSettings(settings_), sizes, workspace);
    return codec::encodeFrame(tensor, toCodecSettings(settings_), sizes, workspace);
}

std::vector<uint8_t> SplitTransport::encode(const at::Tensor& transmitted, TransportFrameInfo* info,
                                            codec::CoderWorkspace* workspace) const
{
    codec::FrameSizes sizes;
    auto frame = encodeFeatures(toFeatureTensor(transmitted), &sizes, workspace);
    if (info)
        *info = {sizes, settings_.coder};
    return frame;
}

codec::FeatureTensor SplitTransport::decodeFeatures(const uint8_t* frame, size_t size, codec::FrameSizes* sizes,
                                                    codec::CoderWorkspace* workspace) const
{
    // The decoder may allocate no more than this model's tensor.
    codec::DecodeLimits limits;
    limits.maxChannels = std::max(layout_.channels, layout_.featureChannels);
    limits.maxHeight = layout_.height;
    limits.maxWidth = layout_.width;
    limits.maxElements = layout_.elements();
    const auto* dictionary = settings_.dictionary.bytes.empty() ? nullptr : &settings_.dictionary;
    if (sessionFramed()) { // the layout fixes shape and kept channels: nothing to compare
        auto decoded = codec::decodeSessionFrame(frame, size, sessionLayout_, dictionary, workspace);
        if (sizes)
            *sizes = decoded.sizes;
        return std::move(decoded.tensor);
    }
    auto decoded = codec::decodeFrame(frame, size, limits, dictionary, workspace);
    auto& t = decoded.tensor;
    if (t.channels != layout_.channels || t.height != layout_.height || t.width != layout_.width)
        throw Error("frame carries a " + shapeText(t.channels, t.height, t.width) + " tensor but this " +
                    layout_.variant + " model (split " + std::to_string(layout_.split) + ", V=" +
                    std::to_string(layout_.ratio) + ") expects " +
                    shapeText(layout_.channels, layout_.height, layout_.width) +
                    "; device and edge must run the same split model");
    const uint32_t expectedOriginal = layout_.kept.empty() ? layout_.channels : layout_.featureChannels;
    if (t.keptChannels != layout_.kept || t.originalChannels != expectedOriginal)
        throw Error("frame's kept channel indices differ from this model's (split " + std::to_string(layout_.split) +
                    ", V=" + std::to_string(layout_.ratio) +
                    "); device and edge must run the same split model (same Eq. 8 channel selection)");
    if (sizes)
        *sizes = decoded.sizes;
    return std::move(decoded.tensor);
}

at::Tensor SplitTransport::decode(const uint8_t* frame, size_t size, TransportFrameInfo* info,
                                  codec::CoderWorkspace* workspace) const
{
    codec::FrameSizes sizes;
    auto t = decodeFeatures(frame, size, &sizes, workspace);
    if (info) {
        info->sizes = sizes;
        info->coder.clear();
        if (sessionFramed())
            info->coder = settings_.coder;
        else if (size > 5)
            info->coder = codec::coderName(codec::CoderId(frame[5] & 0x0F)); // validated by decodeFrame
    }
    return torch::from_blob(t.values.data(), {1, int64_t(t.channels), int64_t(t.height), int64_t(t.width)},
                            torch::kFloat32)
        .clone();
}

namespace {

// Hands `use` the model's transmitted tensor of every calibration image, at most 128
// images per forward pass, fewer when they would not fit (memory_budget.h).
template <typename Use>
void forEachTransmitted(AecnnModelImpl& model, const ImageSet& calibration, Use&& use)
{
    torch::NoGradGuard noGrad;
    model.eval();
    const int64_t kBatch = inferenceBatchSize(model.config(), calibration.height(), calibration.width(), 128).batchSize;
    for (int64_t start = 0; start < calibration.size(); start += kBatch) {
        const int64_t end = std::min<int64_t>(calibration.size(), start + kBatch);
        const auto transmitted = model.encode(calibration.normalizedBatch(torch::arange(start, end)));
        for (int64_t i = 0; i < end - start; ++i)
            use(transmitted[i]);
    }
}

} // namespace

codec::ZstdDictionary trainTransportDictionary(AecnnModelImpl& model, const SplitTransport& transport,
                                               const ImageSet& calibration, size_t capacity)
{
    const auto codecSettings = toCodecSettings(transport.settings());
    std::vector<std::vector<uint8_t>> samples;
    forEachTransmitted(model, calibration, [&](const at::Tensor& transmitted) {
        samples.push_back(codec::toSymbols(transport.toFeatureTensor(transmitted), codecSettings.representation,
                                           codecSettings.bits, codecSettings.perChannel, codecSettings.range)
                              .bytes);
    });
    return codec::trainZstdDictionary(samples, capacity);
}

std::vector<codec::QuantRange> calibrateTransportRanges(AecnnModelImpl& model, const TransmittedLayout& layout,
                                                        const TransportSettings& settings,
                                                        const ImageSet& calibration)
{
    const auto codecSettings = toCodecSettings(settings);
    if (codecSettings.representation != codec::Representation::Uniform)
        throw Error("calibrated quantization ranges need representation 'uint'");
    if (calibration.size() == 0)
        throw Error("no calibration images");
    TransportSettings plain = settings;
    plain.fixedRanges.clear();
    plain.contextPriors = {};
    const SplitTransport transport(layout, plain);
    const size_t plane = size_t(layout.height) * layout.width;
    const size_t groups = settings.perChannel ? layout.channels : 1;
    std::vector<std::vector<float>> pooled(groups);
    forEachTransmitted(model, calibration, [&](const at::Tensor& transmitted) {
        const auto f = transport.toFeatureTensor(transmitted);
        for (size_t g = 0; g < groups; ++g) {
            const size_t count = settings.perChannel ? plane : f.values.size();
            pooled[g].insert(pooled[g].end(), f.values.begin() + g * plane, f.values.begin() + g * plane + count);
        }
    });
    std::vector<codec::QuantRange> ranges;
    for (const auto& values : pooled)
        ranges.push_back(codec::chooseRange(values.data(), values.size(), codecSettings.bits, codecSettings.range));
    return ranges;
}

codec::ContextPriors calibrateContextPriors(AecnnModelImpl& model, const TransmittedLayout& layout,
                                            const TransportSettings& settings, const ImageSet& calibration)
{
    if (settings.framing != "session" || settings.coder != "context")
        throw Error("context priors need framing 'session' and coder 'context'");
    if (calibration.size() == 0)
        throw Error("no calibration images");
    TransportSettings plain = settings;
    plain.contextPriors = {};
    const SplitTransport transport(layout, plain);
    const auto codecSettings = toCodecSettings(plain);
    codec::ContextPriorCounter counter;
    forEachTransmitted(model, calibration, [&](const at::Tensor& transmitted) {
        const auto coded = codec::sessionSymbols(transport.toFeatureTensor(transmitted), transport.sessionLayout(),
                                                 codecSettings);
        counter.add(coded.symbols.bytes, coded.coderLayout);
    });
    return counter.priors();
}

TransportEvaluation evaluateThroughTransport(AecnnModelImpl& model, const SplitTransport& transport,
                                             const ImageSet& images, int batchSize)
{
    return evaluateThroughTransports(model, {transport}, images, batchSize).front();
}

std::vector<TransportEvaluation> evaluateThroughTransports(AecnnModelImpl& model,
                                                           const std::vector<SplitTransport>& transports,
                                                           const ImageSet& images, int batchSize)
{
    if (batchSize < 1)
        throw Error("batch size must be at least 1");
    if (transports.empty())
        throw Error("no transport to evaluate");
    torch::NoGradGuard noGrad;
    model.eval();
    std::vector<TransportEvaluation> results(transports.size());
    for (size_t k = 0; k < transports.size(); ++k)
        results[k].unsplitBytesPerImage = transports[k].layout().unsplitBytes();
    const auto labels = images.labels.to(torch::kInt64);
    codec::CoderWorkspace workspace;
    for (int64_t start = 0; start < images.size(); start += batchSize) {
        const int64_t end = std::min<int64_t>(images.size(), start + batchSize);
        const auto transmitted = model.encode(images.normalizedBatch(torch::arange(start, end)));
        const auto truth = labels.slice(0, start, end);
        std::vector<std::pair<torch::Tensor, torch::Tensor>> decoded; // received batch -> predictions
        for (size_t k = 0; k < transports.size(); ++k) {
            std::vector<torch::Tensor> received;
            received.reserve(size_t(end - start));
            for (int64_t i = 0; i < end - start; ++i) {
                TransportFrameInfo info;
                const auto frame = transports[k].encode(transmitted[i], &info, &workspace);
                results[k].totalFrameBytes += frame.size();
                results[k].totalPayloadBytes += info.sizes.payloadBytes;
                received.push_back(transports[k].decode(frame.data(), frame.size(), nullptr, &workspace));
            }
            const auto batch = torch::cat(received, 0);
            torch::Tensor predicted;
            for (const auto& [seen, predictions] : decoded)
                if (torch::equal(seen, batch))
                    predicted = predictions;
            if (!predicted.defined()) {
                predicted = model.decode(batch).argmax(1);
                decoded.emplace_back(batch, predicted);
            }
            results[k].correct += predicted.eq(truth).sum().item<int64_t>();
            results[k].count += end - start;
        }
    }
    return results;
}

} // namespace aecnn
