#include "aecnn/method/feature_recovery.h"

#include <algorithm>

#include <torch/torch.h>

#include "aecnn/error.h"

namespace aecnn {

FeatureRecoveryImpl::FeatureRecoveryImpl(int channels, std::vector<int64_t> kept, int hidden)
    : channels_(channels), hidden_(hidden), kept_(std::move(kept))
{
    const int received = static_cast<int>(kept_.size());
    if (received < 1 || received >= channels)
        throw Error("feature recovery needs 1.." + std::to_string(channels - 1) + " received channels of " +
                    std::to_string(channels) + ", got " + std::to_string(received));
    if (hidden < 1)
        throw Error("feature recovery needs a positive hidden width");
    std::vector<int64_t> placement(static_cast<size_t>(channels), -1);
    for (size_t i = 0; i < kept_.size(); ++i) {
        if (kept_[i] < 0 || kept_[i] >= channels || (i > 0 && kept_[i] <= kept_[i - 1]))
            throw Error("feature recovery needs strictly ascending kept channels within 0.." + std::to_string(channels - 1));
        placement[static_cast<size_t>(kept_[i])] = static_cast<int64_t>(i);
    }
    for (int c = 0; c < channels; ++c)
        if (placement[static_cast<size_t>(c)] < 0) {
            placement[static_cast<size_t>(c)] = received + static_cast<int64_t>(pruned_.size());
            pruned_.push_back(c);
        }
    placement_ = torch::tensor(placement, torch::kInt64);

    const int regenerated = channels - received;
    auto conv = [](int in, int out, int kernel) {
        return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).padding(kernel / 2).bias(false));
    };
    conv1 = register_module("conv1", conv(received, hidden, 1));
    bn1 = register_module("bn1", torch::nn::BatchNorm2d(hidden));
    conv2 = register_module("conv2", conv(hidden, hidden, 3));
    bn2 = register_module("bn2", torch::nn::BatchNorm2d(hidden));
    conv3 = register_module("conv3", conv(hidden, regenerated, 1));
    bn3 = register_module("bn3", torch::nn::BatchNorm2d(regenerated));
    for (auto* c : {conv1.get(), conv2.get(), conv3.get()})
        torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    torch::nn::init::zeros_(bn3->weight);
}

torch::Tensor FeatureRecoveryImpl::regenerate(const torch::Tensor& received)
{
    if (received.dim() != 4 || received.size(1) != static_cast<int64_t>(kept_.size()))
        throw Error("feature recovery expects [N, " + std::to_string(kept_.size()) + ", H, W] received features");
    auto y = torch::relu(bn1(conv1(received)));
    y = torch::relu(bn2(conv2(y)));
    return bn3(conv3(y));
}

torch::Tensor FeatureRecoveryImpl::forward(const torch::Tensor& received)
{
    const auto regenerated = regenerate(received);
    return torch::cat({received, regenerated}, 1).index_select(1, placement_.to(received.device()));
}

int64_t featureRecoveryMacs(int channels, int kept, int hidden, int h, int w)
{
    const int64_t pixels = static_cast<int64_t>(h) * w;
    return pixels * (static_cast<int64_t>(kept) * hidden + 9LL * hidden * hidden +
                     static_cast<int64_t>(hidden) * (channels - kept));
}

int64_t FeatureRecoveryImpl::macs(int h, int w) const
{
    return featureRecoveryMacs(channels_, static_cast<int>(kept_.size()), hidden_, h, w);
}

int chooseRecoveryWidth(int channels, int kept, int h, int w, int64_t tailMacs, double budget)
{
    const int cap = std::max(4, channels / 2);
    for (int hidden : {64, 32, 16, 8}) {
        if (hidden > cap)
            continue;
        if (static_cast<double>(featureRecoveryMacs(channels, kept, hidden, h, w)) <= budget * static_cast<double>(tailMacs))
            return hidden;
    }
    return 4;
}

} // namespace aecnn
