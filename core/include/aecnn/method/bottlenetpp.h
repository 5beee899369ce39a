#pragma once

#include <cstdint>

#include <torch/nn.h>

namespace aecnn {

// The BottleNet++ baseline (Shao & Zhang, 2020) at a split point, ideal channel:
//   encoder: conv 3x3 C -> C/V (padding 1, no spatial shrinking), BN, sigmoid
//   decoder: conv 3x3 C/V -> C, BN, ReLU
// It transmits C/V channels of H x W, the same number of elements as AECNN at ratio V.
class BottleNetPPImpl : public torch::nn::Module {
public:
    BottleNetPPImpl(int channels, int ratio);

    torch::Tensor encode(const torch::Tensor& feature);
    torch::Tensor decode(const torch::Tensor& code);
    torch::Tensor forward(const torch::Tensor& feature) { return decode(encode(feature)); }

    int channels() const { return channels_; }
    int codeChannels() const { return codeChannels_; }
    int64_t encoderMacs(int h, int w) const;
    int64_t decoderMacs(int h, int w) const;

    torch::nn::Conv2d encoderConv{nullptr}, decoderConv{nullptr};
    torch::nn::BatchNorm2d encoderBn{nullptr}, decoderBn{nullptr};

private:
    int channels_ = 0;
    int codeChannels_ = 0;
};
TORCH_MODULE(BottleNetPP);

} // namespace aecnn
