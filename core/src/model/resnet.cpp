#include "aecnn/model/resnet.h"

#include <string>

#include "aecnn/error.h"

namespace aecnn {
namespace {

torch::nn::Conv2d makeConv(int in, int out, int kernel, int stride, int padding)
{
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

} // namespace

BottleneckImpl::BottleneckImpl(int inChannels, int planes, int stride, bool withDownsample)
{
    const int out = planes * ResNetConfig::expansion;
    conv1 = register_module("conv1", makeConv(inChannels, planes, 1, 1, 0));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(planes));
    conv2 = register_module("conv2", makeConv(planes, planes, 3, stride, 1));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(planes));
    conv3 = register_module("conv3", makeConv(planes, out, 1, 1, 0));
    bn3 = register_module("bn3", torch::nn::BatchNorm2d(out));
    if (withDownsample) {
        downsample = register_module(
            "downsample", torch::nn::Sequential(makeConv(inChannels, out, 1, stride, 0), torch::nn::BatchNorm2d(out)));
    }
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x)
{
    auto y = torch::relu(bn1(conv1(x)));
    y = torch::relu(bn2(conv2(y)));
    y = bn3(conv3(y));
    const auto shortcut = downsample ? downsample->forward(x) : x;
    return torch::relu(y + shortcut);
}

int BottleneckImpl::outChannels() const
{
    return static_cast<int>(conv3->options.out_channels());
}

ResNetImpl::ResNetImpl(const ResNetConfig& config) : config_(config)
{
    if (config.inChannels < 1 || config.numClasses < 1 || config.stemChannels < 1)
        throw Error("invalid ResNet configuration: channels and classes must be positive");
    for (int i = 0; i < 4; ++i)
        if (config.stagePlanes[i] < 1 || config.stageDepths[i] < 1)
            throw Error("invalid ResNet configuration: stage widths and depths must be positive");

    if (config.stem == StemKind::ImageNet)
        conv1 = register_module("conv1", makeConv(config.inChannels, config.stemChannels, 7, 2, 3));
    else
        conv1 = register_module("conv1", makeConv(config.inChannels, config.stemChannels, 3, 1, 1));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(config.stemChannels));

    int channels = config.stemChannels;
    torch::nn::Sequential* layers[4] = {&layer1, &layer2, &layer3, &layer4};
    for (int stage = 0; stage < 4; ++stage) {
        torch::nn::Sequential seq;
        const int planes = config.stagePlanes[stage];
        for (int b = 0; b < config.stageDepths[stage]; ++b) {
            const int stride = (b == 0 && stage > 0) ? 2 : 1;
            const bool needsProjection = b == 0 && (stride != 1 || channels != planes * ResNetConfig::expansion);
            Bottleneck block(channels, planes, stride, needsProjection);
            seq->push_back(block);
            blocks_.push_back(block);
            channels = planes * ResNetConfig::expansion;
        }
        *layers[stage] = register_module("layer" + std::to_string(stage + 1), seq);
    }
    fc = register_module("fc", torch::nn::Linear(channels, config.numClasses));

    for (auto& module : modules(/*include_self=*/false)) {
        if (auto* conv = module->as<torch::nn::Conv2dImpl>()) {
            torch::nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
        } else if (auto* bn = module->as<torch::nn::BatchNorm2dImpl>()) {
            torch::nn::init::ones_(bn->weight);
            torch::nn::init::zeros_(bn->bias);
        }
    }
    // Zero-init of each residual branch's last BN, as torchvision's zero_init_residual:
    // every block starts as identity, which trains faster and more stably.
    for (auto& block : blocks_)
        torch::nn::init::zeros_(block->bn3->weight);
}

torch::Tensor ResNetImpl::stem(const torch::Tensor& x)
{
    auto y = torch::relu(bn1(conv1(x)));
    return torch::max_pool2d(y, 3, 2, 1);
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& x)
{
    return forwardRange(x, 0, logitsPoint());
}

torch::Tensor ResNetImpl::forwardRange(torch::Tensor x, int from, int to)
{
    if (from < 0 || to > logitsPoint() || from > to)
        throw Error("invalid split range " + std::to_string(from) + ".." + std::to_string(to) +
                    " (valid points are 0.." + std::to_string(logitsPoint()) + ")");
    if (from == 0 && to >= 1)
        x = stem(x);
    const int lastBlockPoint = config_.splitPointCount();
    for (int point = std::max(from, 1) + 1; point <= std::min(to, lastBlockPoint); ++point)
        x = blocks_[static_cast<size_t>(point - 2)]->forward(x);
    if (to == logitsPoint() && from < to) {
        x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
        x = fc(x);
    }
    return x;
}

Bottleneck ResNetImpl::blockAt(int split) const
{
    if (split < 2 || split > config_.splitPointCount())
        throw Error("split point " + std::to_string(split) + " is not after a residual block (valid: 2.." +
                    std::to_string(config_.splitPointCount()) + ")");
    return blocks_[static_cast<size_t>(split - 2)];
}

void requireSplitPoint(const ResNetConfig& config, int split)
{
    if (split < 1 || split > config.splitPointCount())
        throw Error("split point " + std::to_string(split) + " does not exist; valid split points are 1.." +
                    std::to_string(config.splitPointCount()));
}

} // namespace aecnn
