#include "aecnn/method/bottlenetpp.h"

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/method/importance.h"

namespace aecnn {

BottleNetPPImpl::BottleNetPPImpl(int channels, int ratio)
    : channels_(channels), codeChannels_(keptChannelCount(channels, ratio))
{
    auto conv3x3 = [](int in, int out) {
        return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false));
    };
    encoderConv = register_module("encoder_conv", conv3x3(channels_, codeChannels_));
    encoderBn = register_module("encoder_bn", torch::nn::BatchNorm2d(codeChannels_));
    decoderConv = register_module("decoder_conv", conv3x3(codeChannels_, channels_));
    decoderBn = register_module("decoder_bn", torch::nn::BatchNorm2d(channels_));
}

torch::Tensor BottleNetPPImpl::encode(const torch::Tensor& feature)
{
    if (feature.dim() != 4 || feature.size(1) != channels_)
        throw Error("the BottleNet++ encoder expects [N, " + std::to_string(channels_) + ", H, W] features");
    return torch::sigmoid(encoderBn(encoderConv(feature)));
}

torch::Tensor BottleNetPPImpl::decode(const torch::Tensor& code)
{
    if (code.dim() != 4 || code.size(1) != codeChannels_)
        throw Error("the BottleNet++ decoder expects [N, " + std::to_string(codeChannels_) + ", H, W] codes");
    return torch::relu(decoderBn(decoderConv(code)));
}

int64_t BottleNetPPImpl::encoderMacs(int h, int w) const
{
    return encoderConv->weight.numel() * h * w;
}

int64_t BottleNetPPImpl::decoderMacs(int h, int w) const
{
    return decoderConv->weight.numel() * h * w;
}

} // namespace aecnn
