#include "aecnn/method/pruning.h"

#include <string>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/split_info.h"

namespace aecnn {
namespace {

torch::Tensor indexTensor(const std::vector<int64_t>& indices)
{
    return torch::tensor(indices, torch::kInt64);
}

void requireIndices(const std::vector<int64_t>& indices, int64_t channels, const char* what)
{
    for (size_t i = 0; i < indices.size(); ++i) {
        if (indices[i] < 0 || indices[i] >= channels)
            throw Error(std::string(what) + " channel " + std::to_string(indices[i]) + " does not exist (the layer has " +
                        std::to_string(channels) + " channels)");
        if (i > 0 && indices[i] <= indices[i - 1])
            throw Error(std::string(what) + " channel list must be strictly ascending");
    }
}

// Copy of a bias-free convolution keeping the given output / input filters (empty = all).
torch::nn::Conv2d prunedConv(const torch::nn::Conv2dImpl& source, const std::vector<int64_t>& outputKeep,
                             const std::vector<int64_t>& inputKeep)
{
    torch::NoGradGuard noGrad;
    if (source.options.groups() != 1 || source.bias.defined())
        throw Error("channel surgery supports only bias-free, ungrouped convolutions");
    auto weight = source.weight.detach();
    if (!outputKeep.empty()) {
        requireIndices(outputKeep, weight.size(0), "output");
        weight = weight.index_select(0, indexTensor(outputKeep));
    }
    if (!inputKeep.empty()) {
        requireIndices(inputKeep, weight.size(1), "input");
        weight = weight.index_select(1, indexTensor(inputKeep));
    }
    const auto& o = source.options;
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(weight.size(1), weight.size(0), o.kernel_size())
                               .stride(o.stride())
                               .padding(o.padding())
                               .dilation(o.dilation())
                               .bias(false));
    conv->weight.copy_(weight);
    return conv;
}

torch::nn::BatchNorm2d prunedBatchNorm(const torch::nn::BatchNorm2dImpl& source, const std::vector<int64_t>& keep)
{
    torch::NoGradGuard noGrad;
    auto select = [&](const torch::Tensor& t) { return keep.empty() ? t.detach() : t.detach().index_select(0, indexTensor(keep)); };
    if (!keep.empty())
        requireIndices(keep, source.weight.size(0), "output");
    auto options = source.options;
    options.num_features(keep.empty() ? source.weight.size(0) : static_cast<int64_t>(keep.size()));
    torch::nn::BatchNorm2d bn(options);
    bn->weight.copy_(select(source.weight));
    bn->bias.copy_(select(source.bias));
    bn->running_mean.copy_(select(source.running_mean));
    bn->running_var.copy_(select(source.running_var));
    bn->num_batches_tracked.copy_(source.num_batches_tracked);
    return bn;
}

} // namespace

PrunedBottleneckImpl::PrunedBottleneckImpl(const BottleneckImpl& source, std::vector<int64_t> outputKeep,
                                           std::vector<int64_t> inputKeep)
    : fullChannels_(static_cast<int>(source.conv1->options.in_channels()))
{
    conv1 = register_module("conv1", prunedConv(*source.conv1, {}, inputKeep));
    bn1 = register_module("bn1", prunedBatchNorm(*source.bn1, {}));
    conv2 = register_module("conv2", prunedConv(*source.conv2, {}, {}));
    bn2 = register_module("bn2", prunedBatchNorm(*source.bn2, {}));
    conv3 = register_module("conv3", prunedConv(*source.conv3, outputKeep, {}));
    bn3 = register_module("bn3", prunedBatchNorm(*source.bn3, outputKeep));
    if (source.downsample) {
        const auto& conv = *source.downsample->ptr<torch::nn::Conv2dImpl>(0);
        const auto& bn = *source.downsample->ptr(1)->as<torch::nn::BatchNorm2dImpl>();
        downsample = register_module("downsample",
                                     torch::nn::Sequential(prunedConv(conv, outputKeep, inputKeep), prunedBatchNorm(bn, outputKeep)));
    } else {
        if (!outputKeep.empty())
            outputIndex_ = indexTensor(outputKeep);
        if (!inputKeep.empty())
            inputIndex_ = indexTensor(inputKeep);
    }
}

torch::Tensor PrunedBottleneckImpl::identityShortcut(const torch::Tensor& x) const
{
    auto shortcut = x;
    if (inputIndex_.defined()) {
        shortcut = torch::zeros({x.size(0), fullChannels_, x.size(2), x.size(3)}, x.options())
                       .index_copy(1, inputIndex_.to(x.device()), x);
    }
    if (outputIndex_.defined())
        shortcut = shortcut.index_select(1, outputIndex_.to(x.device()));
    return shortcut;
}

torch::Tensor PrunedBottleneckImpl::forward(const torch::Tensor& x)
{
    auto y = torch::relu(bn1(conv1(x)));
    y = torch::relu(bn2(conv2(y)));
    y = bn3(conv3(y));
    return torch::relu(y + (downsample ? downsample->forward(x) : identityShortcut(x)));
}

int PrunedBottleneckImpl::inChannels() const
{
    return static_cast<int>(conv1->options.in_channels());
}

int PrunedBottleneckImpl::outChannels() const
{
    return static_cast<int>(conv3->options.out_channels());
}

int64_t PrunedBottleneckImpl::macs(int& h, int& w) const
{
    int h0 = h, w0 = w;
    int64_t total = convMacs(*conv1, h, w) + convMacs(*conv2, h, w) + convMacs(*conv3, h, w);
    if (downsample)
        total += convMacs(*downsample->ptr<torch::nn::Conv2dImpl>(0), h0, w0);
    return total;
}

SplitHeadImpl::SplitHeadImpl(const ResNetImpl& source, int split, const std::vector<int64_t>& keep)
{
    requireSplitPoint(source.config(), split);
    const bool stemIsLast = split == 1;
    conv1 = register_module("conv1", prunedConv(*source.conv1, stemIsLast ? keep : std::vector<int64_t>{}, {}));
    bn1 = register_module("bn1", prunedBatchNorm(*source.bn1, stemIsLast ? keep : std::vector<int64_t>{}));
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int point = 2; point <= split; ++point) {
        PrunedBottleneck block(*source.blockAt(point), point == split ? keep : std::vector<int64_t>{},
                               std::vector<int64_t>{});
        blocks->push_back(block);
        blockList_.push_back(block);
    }
}

torch::Tensor SplitHeadImpl::forward(const torch::Tensor& x)
{
    auto y = torch::max_pool2d(torch::relu(bn1(conv1(x))), 3, 2, 1);
    for (auto& block : blockList_)
        y = block->forward(y);
    return y;
}

int64_t SplitHeadImpl::macs(int& h, int& w) const
{
    int64_t total = convMacs(*conv1, h, w);
    h = (h + 2 - 3) / 2 + 1; // maxpool 3x3 stride 2 padding 1
    w = (w + 2 - 3) / 2 + 1;
    for (const auto& block : blockList_)
        total += block->macs(h, w);
    return total;
}

int SplitHeadImpl::outChannels() const
{
    return blockList_.empty() ? static_cast<int>(conv1->options.out_channels()) : blockList_.back()->outChannels();
}

SplitTailImpl::SplitTailImpl(const ResNetImpl& source, int split, const std::vector<int64_t>& inputKeep)
{
    const auto& config = source.config();
    requireSplitPoint(config, split);
    blocks = register_module("blocks", torch::nn::ModuleList());
    for (int point = split + 1; point <= config.splitPointCount(); ++point) {
        PrunedBottleneck block(*source.blockAt(point), std::vector<int64_t>{}, point == split + 1 ? inputKeep : std::vector<int64_t>{});
        blocks->push_back(block);
        blockList_.push_back(block);
    }
    const bool fcIsEntry = blockList_.empty();
    {
        torch::NoGradGuard noGrad;
        auto weight = source.fc->weight.detach();
        if (fcIsEntry && !inputKeep.empty()) {
            requireIndices(inputKeep, weight.size(1), "input");
            weight = weight.index_select(1, indexTensor(inputKeep));
        }
        fc = register_module("fc", torch::nn::Linear(weight.size(1), weight.size(0)));
        fc->weight.copy_(weight);
        fc->bias.copy_(source.fc->bias.detach());
    }
    inChannels_ = fcIsEntry ? static_cast<int>(fc->weight.size(1)) : blockList_.front()->inChannels();
}

torch::Tensor SplitTailImpl::forward(const torch::Tensor& feature)
{
    if (feature.dim() != 4 || feature.size(1) != inChannels_)
        throw Error("the tail expects [N, " + std::to_string(inChannels_) + ", H, W] features");
    auto y = feature;
    for (auto& block : blockList_)
        y = block->forward(y);
    return fc(torch::adaptive_avg_pool2d(y, {1, 1}).flatten(1));
}

int64_t SplitTailImpl::macs(int h, int w) const
{
    int64_t total = 0;
    for (const auto& block : blockList_)
        total += block->macs(h, w);
    return total + fc->weight.numel();
}

void copyIntoWiderTail(const SplitTailImpl& pruned, const std::vector<int64_t>& inputKeep, SplitTailImpl& full)
{
    torch::NoGradGuard noGrad;
    const auto index = indexTensor(inputKeep);
    auto copyAll = [&](const torch::OrderedDict<std::string, torch::Tensor>& from,
                       torch::OrderedDict<std::string, torch::Tensor> to) {
        for (const auto& item : from) {
            auto* target = to.find(item.key());
            if (!target)
                throw Error("tail surgery: the wider tail has no tensor '" + item.key() + "'");
            if (target->sizes() == item.value().sizes())
                target->copy_(item.value());
            else if (target->dim() >= 2 && item.value().size(1) == static_cast<int64_t>(inputKeep.size()))
                target->index_copy_(1, index, item.value());
            else
                throw Error("tail surgery: tensor '" + item.key() + "' does not fit the wider tail");
        }
    };
    copyAll(pruned.named_parameters(), full.named_parameters());
    copyAll(pruned.named_buffers(), full.named_buffers());
}

std::pair<int, int> featureSize(const ResNetImpl& net, int split, int h, int w)
{
    requireSplitPoint(net.config(), split);
    convMacs(*net.conv1, h, w);
    h = (h + 2 - 3) / 2 + 1;
    w = (w + 2 - 3) / 2 + 1;
    for (int point = 2; point <= split; ++point)
        bottleneckMacs(*net.blockAt(point), h, w);
    return {h, w};
}

} // namespace aecnn
