#include "cmd_reproduce_transmission.h"

#include <chrono>
#include <cmath>

#include <torch/torch.h>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_stats.h"
#include "aecnn/error.h"

namespace aecnn::cli {
namespace {

codec::FeatureTensor toFeatureTensor(const torch::Tensor& sample, const std::vector<int64_t>& kept, int originalChannels)
{
    const auto t = sample.contiguous().to(torch::kFloat);
    codec::FeatureTensor f;
    f.channels = static_cast<uint32_t>(t.size(0));
    f.height = static_cast<uint32_t>(t.size(1));
    f.width = static_cast<uint32_t>(t.size(2));
    f.originalChannels = static_cast<uint32_t>(originalChannels);
    for (auto c : kept)
        f.keptChannels.push_back(static_cast<uint16_t>(c));
    f.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    return f;
}

double millisecondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

TransmissionStats measureTransmission(AecnnModelImpl& model, const ImageSet& images, int count)
{
    TransmissionStats stats;
    const int64_t n = std::min<int64_t>(count, images.size());
    if (n < 1)
        throw Error("measuring the transmitted tensor needs at least one image");
    torch::NoGradGuard noGrad;
    model.eval();
    const bool pruned = model.variant() != SplitVariant::BottleNetPP;
    // BottleNet++ codes are sent whole: C/V channels of their own, not a subset of X_l.
    const std::vector<int64_t> kept = pruned ? model.kept() : std::vector<int64_t>{};
    const int original = pruned ? model.featureChannels() : model.transmittedChannels();
    const codec::CodecSettings settings; // the default codec: 8-bit per-channel uniform + zstd-entropy
    double sum = 0.0, sumSquares = 0.0;
    for (int64_t begin = 0; begin < n; begin += 64) {
        const int64_t end = std::min(n, begin + 64);
        const auto transmitted = model.encode(images.normalizedBatch(torch::arange(begin, end, torch::kInt64)));
        for (int64_t i = 0; i < end - begin; ++i) {
            const auto feature = toFeatureTensor(transmitted[i], kept, original);
            const auto symbols = codec::toSymbols(feature, codec::Representation::Uniform, settings.bits, settings.perChannel);
            const double h0 = codec::computeSymbolStats(feature, symbols).entropyBitsPerElement;
            sum += h0;
            sumSquares += h0 * h0;
            auto start = std::chrono::steady_clock::now();
            codec::FrameSizes sizes;
            const auto frame = codec::encodeFrame(feature, settings, &sizes);
            stats.encodeMs += millisecondsSince(start);
            start = std::chrono::steady_clock::now();
            const auto decoded = codec::decodeFrame(frame.data(), frame.size());
            stats.decodeMs += millisecondsSince(start);
            stats.frameBytes += static_cast<double>(sizes.totalBytes);
            if (decoded.tensor.values.size() != feature.values.size())
                throw Error("the codec returned a tensor of the wrong size");
        }
    }
    const auto images_ = static_cast<double>(n);
    stats.images = static_cast<int>(n);
    stats.entropyBits = sum / images_;
    stats.entropyBitsStd = std::sqrt(std::max(0.0, sumSquares / images_ - stats.entropyBits * stats.entropyBits));
    stats.encodeMs /= images_;
    stats.decodeMs /= images_;
    stats.frameBytes /= images_;
    return stats;
}

} // namespace aecnn::cli
