#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn.h>

#include "aecnn/model/resnet.h"

namespace aecnn {

// A copy of a torchvision bottleneck after channel surgery (the source is not modified).
//
// outputKeep (empty = all): only these output channels are computed — conv3 and bn3
// lose the other filters, a projection shortcut (downsample.0/.1) loses the same
// outputs, an identity shortcut selects the same channels.
// inputKeep (empty = all): the block receives only these channels of its original
// input — conv1 and downsample.0 lose the matching input filters; an identity
// shortcut scatters the input back to full width with zeros at the pruned channels,
// which is exactly what the unpruned block computes for zero-filled pruned inputs.
class PrunedBottleneckImpl : public torch::nn::Module {
public:
    PrunedBottleneckImpl(const BottleneckImpl& source, std::vector<int64_t> outputKeep, std::vector<int64_t> inputKeep);

    torch::Tensor forward(const torch::Tensor& x);

    int inChannels() const;
    int outChannels() const;
    // MACs for an input of h x w; updates h, w to the output size.
    int64_t macs(int& h, int& w) const;

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};
    torch::nn::Sequential downsample{nullptr};

private:
    torch::Tensor identityShortcut(const torch::Tensor& x) const;

    int fullChannels_ = 0; // width of the original block's input = output (identity case)
    torch::Tensor outputIndex_, inputIndex_; // structure, not state: rebuilt from the kept list
};
TORCH_MODULE(PrunedBottleneck);

// The device-side part of a split ResNet: stem and blocks up to split point
// `split`, computing only the `keep` channels of X_l (empty = all channels).
class SplitHeadImpl : public torch::nn::Module {
public:
    SplitHeadImpl(const ResNetImpl& source, int split, const std::vector<int64_t>& keep);

    torch::Tensor forward(const torch::Tensor& x);
    int64_t macs(int& h, int& w) const;
    int outChannels() const;

    torch::nn::Conv2d conv1{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr};
    torch::nn::ModuleList blocks{nullptr};

private:
    std::vector<PrunedBottleneck> blockList_;
};
TORCH_MODULE(SplitHead);

// The server-side part: blocks after split point `split`, global pooling and fc.
// inputKeep (empty = all) prunes the input filters of the first layer after the
// split (CA_Pruned): the tail then takes only those channels of X_l.
class SplitTailImpl : public torch::nn::Module {
public:
    SplitTailImpl(const ResNetImpl& source, int split, const std::vector<int64_t>& inputKeep);

    torch::Tensor forward(const torch::Tensor& feature);
    int64_t macs(int h, int w) const;
    int inChannels() const { return inChannels_; }

    torch::nn::ModuleList blocks{nullptr};
    torch::nn::Linear fc{nullptr};

private:
    std::vector<PrunedBottleneck> blockList_;
    int inChannels_ = 0;
};
TORCH_MODULE(SplitTail);

// Copies the state of an input-pruned tail into a full-input tail of the same split
// point: every tensor is copied, the entry layer's weights into the kept input
// columns; the other input columns keep what `full` holds.
void copyIntoWiderTail(const SplitTailImpl& pruned, const std::vector<int64_t>& inputKeep, SplitTailImpl& full);

// Output height/width of X_l for an input image of h x w.
std::pair<int, int> featureSize(const ResNetImpl& net, int split, int h, int w);

} // namespace aecnn
