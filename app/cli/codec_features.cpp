#include "codec_features.h"

#include "aecnn/method/importance.h"

#include <algorithm>
#include <numeric>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/memory_budget.h"
#include "aecnn/split/split_transport.h"

namespace aecnn::cli {
namespace {

constexpr int64_t kBatch = 128;

codec::FeatureTensor toFeatureTensor(const torch::Tensor& chw, uint32_t originalChannels,
                                     const std::vector<uint16_t>& kept)
{
    const auto contiguous = chw.to(torch::kFloat32).contiguous();
    codec::FeatureTensor t;
    t.channels = uint32_t(contiguous.size(0));
    t.height = uint32_t(contiguous.size(1));
    t.width = uint32_t(contiguous.size(2));
    t.originalChannels = originalChannels;
    if (t.channels != originalChannels)
        t.keptChannels = kept;
    const float* data = contiguous.data_ptr<float>();
    t.values.assign(data, data + contiguous.numel());
    return t;
}

// Batches of at most kBatch images, fewer when they would not fit in memory (memory_budget.h).
template <typename Body> InferenceBatch forEachBatch(const ResNetConfig& config, const ImageSet& images, Body&& body)
{
    const auto batch = inferenceBatchSize(config, images.height(), images.width(), kBatch);
    for (int64_t start = 0; start < images.size(); start += batch.batchSize) {
        const int64_t end = std::min(images.size(), start + batch.batchSize);
        body(images.normalizedBatch(torch::arange(start, end)), start, end);
    }
    return batch;
}

} // namespace

std::vector<uint16_t> keepImportantChannels(Classifier& model, int split, const ImageSet& images, int ratio)
{
    // Eq. 8 of the paper: mean channel attention over the calibration images.
    const auto report = computeImportance(*model.net, split, images, /*batches=*/0, kBatch);
    const auto kept = keepMostImportant(report.importance, keptChannelCount(report.channels, ratio));
    return {kept.begin(), kept.end()};
}

FeatureDump dumpFeatures(Classifier& model, int split, const ImageSet& images, std::vector<uint16_t> kept, int ratio)
{
    requireSplitPoint(model.net->config(), split);
    torch::NoGradGuard noGrad;
    model.net->eval();
    FeatureDump dump;
    dump.split = split;
    dump.ratio = ratio;
    const auto labels = images.labels.to(torch::kInt64).contiguous();
    dump.batch = forEachBatch(model.net->config(), images, [&](const torch::Tensor& x, int64_t start, int64_t end) {
        auto f = model.net->head(x, split);
        dump.channels = uint32_t(f.size(1));
        if (kept.empty()) {
            kept.resize(dump.channels);
            std::iota(kept.begin(), kept.end(), uint16_t(0));
        }
        const auto index = torch::tensor(std::vector<int64_t>(kept.begin(), kept.end()), torch::kInt64);
        f = f.index_select(1, index);
        for (int64_t i = start; i < end; ++i) {
            dump.tensors.push_back(toFeatureTensor(f[i - start], dump.channels, kept));
            dump.labels.push_back(labels[i].item<int64_t>());
        }
    });
    dump.kept = kept;
    return dump;
}

FeatureDump dumpTransmitted(AecnnClassifier& model, const ImageSet& images)
{
    torch::NoGradGuard noGrad;
    auto& net = *model.net;
    net.eval();
    const auto layout = transmittedLayout(net, int(images.height()), int(images.width()));
    FeatureDump dump;
    dump.split = layout.split;
    dump.ratio = layout.ratio;
    dump.channels = layout.featureChannels;
    dump.kept = layout.kept;
    const auto labels = images.labels.to(torch::kInt64).contiguous();
    dump.batch = forEachBatch(net.config(), images, [&](const torch::Tensor& x, int64_t start, int64_t end) {
        const auto transmitted = net.encode(x);
        for (int64_t i = start; i < end; ++i) {
            dump.tensors.push_back(toFeatureTensor(transmitted[i - start], layout.featureChannels, layout.kept));
            dump.labels.push_back(labels[i].item<int64_t>());
        }
    });
    return dump;
}

double accuracyThroughSplit(Classifier& model, int split, const ImageSet& images,
                            const std::function<void(codec::FeatureTensor&)>& transform)
{
    requireSplitPoint(model.net->config(), split);
    torch::NoGradGuard noGrad;
    model.net->eval();
    int64_t correct = 0;
    const auto labels = images.labels.to(torch::kInt64);
    forEachBatch(model.net->config(), images, [&](const torch::Tensor& x, int64_t start, int64_t end) {
        auto f = model.net->head(x, split).contiguous();
        for (int64_t i = 0; i < f.size(0); ++i) {
            codec::FeatureTensor t = toFeatureTensor(f[i], uint32_t(f.size(1)), {});
            transform(t);
            if (t.values.size() != size_t(f[i].numel()))
                throw Error("feature transform changed the tensor size");
            f[i].copy_(torch::from_blob(t.values.data(), f[i].sizes(), torch::kFloat32));
        }
        const auto predicted = model.net->tail(f, split).argmax(1);
        correct += predicted.eq(labels.slice(0, start, end)).sum().item<int64_t>();
    });
    return images.size() ? double(correct) / double(images.size()) : 0.0;
}

codec::FeatureTensor resizedPlanes(const codec::FeatureTensor& tensor, uint32_t channels, uint32_t height,
                                   uint32_t width)
{
    auto source = torch::from_blob(const_cast<float*>(tensor.values.data()),
                                   {1, int64_t(tensor.channels), int64_t(tensor.height), int64_t(tensor.width)},
                                   torch::kFloat32);
    // Cycle through the source channels when more are asked for.
    const auto index = torch::arange(int64_t(channels), torch::kInt64).remainder(int64_t(tensor.channels));
    auto resized = torch::nn::functional::interpolate(
        source.index_select(1, index),
        torch::nn::functional::InterpolateFuncOptions()
            .size(std::vector<int64_t>{int64_t(height), int64_t(width)})
            .mode(torch::kBilinear)
            .align_corners(false));
    codec::FeatureTensor out = toFeatureTensor(resized[0], channels, {});
    return out;
}

} // namespace aecnn::cli
