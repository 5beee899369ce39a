#pragma once

#include <vector>

#include <torch/nn.h>

#include "aecnn/model/resnet_config.h"

namespace aecnn {

// torchvision's Bottleneck (stride on the 3x3 conv, "ResNet v1.5"), with the
// submodules registered under torchvision's names.
class BottleneckImpl : public torch::nn::Module {
public:
    BottleneckImpl(int inChannels, int planes, int stride, bool withDownsample);

    torch::Tensor forward(const torch::Tensor& x);

    int outChannels() const;

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    torch::nn::Sequential downsample{nullptr}; // conv 1x1 ("downsample.0") + BN ("downsample.1")
};
TORCH_MODULE(Bottleneck);

// ResNet-50 topology that can be run between any two split points.
//
// Point 0 is the input image, point 1 the stem output (conv1/bn1/relu/maxpool),
// points 2..B+1 the outputs of the B residual blocks, and point B+2 the logits.
class ResNetImpl : public torch::nn::Module {
public:
    explicit ResNetImpl(const ResNetConfig& config);

    torch::Tensor forward(const torch::Tensor& x);
    // Runs the network from the feature at split point `from` to the feature at `to`.
    torch::Tensor forwardRange(torch::Tensor x, int from, int to);
    torch::Tensor head(const torch::Tensor& x, int split) { return forwardRange(x, 0, split); }
    torch::Tensor tail(const torch::Tensor& feature, int split) { return forwardRange(feature, split, logitsPoint()); }

    int splitPointCount() const { return config_.splitPointCount(); }
    int logitsPoint() const { return config_.splitPointCount() + 1; }
    const ResNetConfig& config() const { return config_; }
    // The residual block whose output is split point `split` (>= 2).
    Bottleneck blockAt(int split) const;
    const std::vector<Bottleneck>& blocks() const { return blocks_; }

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::Sequential layer1{nullptr}, layer2{nullptr}, layer3{nullptr}, layer4{nullptr};
    torch::nn::Linear fc{nullptr};

private:
    torch::Tensor stem(const torch::Tensor& x);

    ResNetConfig config_;
    std::vector<Bottleneck> blocks_; // in execution order, aliasing layer1..layer4
};
TORCH_MODULE(ResNet);

// Checks that a split point index is valid for `config`; throws aecnn::Error otherwise.
void requireSplitPoint(const ResNetConfig& config, int split);

} // namespace aecnn
