#include "frame_analysis.h"

#include <torch/torch.h>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_stats.h"
#include "aecnn/error.h"
#include "aecnn/method/importance.h"
#include "aecnn/split/split_transport.h"
#include "channel_coding.h"
#include "studio_config.h"

namespace aecnn::studio {

FrameAnalysis analyzeFrame(ResNetImpl& net, const ImageSet& images, int64_t imageIndex, int split,
                           const std::vector<double>& importance, int ratio, const std::string& codecName)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor x = images.normalizedBatch(torch::tensor({imageIndex}, torch::kInt64));
    const torch::Tensor f = net.head(x, split).contiguous().to(torch::kFloat32); // [1, C, H, W]
    const int channels = static_cast<int>(f.size(1));
    const int height = static_cast<int>(f.size(2));
    const int width = static_cast<int>(f.size(3));
    if (static_cast<int>(importance.size()) != channels)
        throw Error("the attention statistics have " + std::to_string(importance.size()) + " channels, split " +
                    std::to_string(split) + " has " + std::to_string(channels));
    const std::vector<int64_t> kept = keepMostImportant(importance, keptChannelCount(channels, ratio));

    FrameAnalysis result;
    auto& features = result.features;
    features.channels = channels;
    features.height = height;
    features.width = width;
    const float* all = f.data_ptr<float>();
    features.unpruned.assign(all, all + static_cast<size_t>(channels) * height * width);

    codec::FeatureTensor tensor;
    tensor.channels = static_cast<uint32_t>(kept.size());
    tensor.height = static_cast<uint32_t>(height);
    tensor.width = static_cast<uint32_t>(width);
    tensor.originalChannels = static_cast<uint32_t>(channels);
    const size_t plane = static_cast<size_t>(height) * width;
    for (int64_t c : kept) {
        features.keptChannels.push_back(static_cast<int>(c));
        if (kept.size() < static_cast<size_t>(channels))
            tensor.keptChannels.push_back(static_cast<uint16_t>(c));
        tensor.values.insert(tensor.values.end(), all + c * plane, all + (c + 1) * plane);
    }

    const TransportSettings transport = transportSettingsOfCodec(QString::fromStdString(codecName));
    codec::FrameSizes sizes;
    const std::vector<uint8_t> frame = codec::encodeFrame(tensor, toCodecSettings(transport), &sizes);
    const codec::DecodedFrame decoded = codec::decodeFrame(frame.data(), frame.size());
    features.received = decoded.tensor.values;

    const codec::SymbolStats symbols = codec::computeSymbolStats(tensor, decoded.symbols);
    const codec::CodingStats coding = codec::computeCodingStats(tensor, sizes.payloadBytes, sizes.totalBytes);
    auto& entropy = result.entropy;
    entropy.channels = features.keptChannels;
    entropy.h0Bits = symbols.channelEntropyBitsPerElement;
    entropy.overallH0Bits = symbols.entropyBitsPerElement;
    entropy.overallCodedBits = coding.codedBitsPerElement;
    // Per channel, for the coder in use: each channel coded alone, scaled to the real payload.
    entropy.codedBits = attributedCodedBits(decoded.coder, decoded.symbols, tensor.channels, tensor.height,
                                            tensor.width, sizes.payloadBytes);
    if (!entropy.codedBits.empty())
        entropy.coder = QString::fromStdString(codecName);
    entropy.histogram = symbols.histogram;
    entropy.histogramMin = symbols.histogramMin;
    entropy.histogramMax = symbols.histogramMax;
    if (decoded.symbols.representation == codec::Representation::Uniform) {
        // Symbol counts 0..2^bits-1: bin edges half a symbol around each.
        entropy.histogramMin = -0.5;
        entropy.histogramMax = static_cast<double>(symbols.histogram.size()) - 0.5;
    }
    entropy.zeroFraction = symbols.zeroFraction;
    entropy.bytesPerFrame = static_cast<double>(sizes.totalBytes);
    entropy.compressionRatio = coding.compressionRatio;
    return result;
}

} // namespace aecnn::studio
