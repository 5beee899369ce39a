#pragma once

#include <cstdint>
#include <vector>

#include <torch/nn.h>

namespace aecnn {

// Feature recovery (FR, Eq. 9): a light CNN that sees all C' received channels and
// regenerates the C - C' pruned ones; received and regenerated channels are then
// put back at their original positions, giving the full C-channel X_l for CL l+1.
//
// Architecture (every pruned channel is a function of every received channel):
//   conv1 1x1 C' -> h, BN, ReLU ; conv2 3x3 h -> h, BN, ReLU ; conv3 1x1 h -> C - C', BN
// No final ReLU: bn3 starts with zero scale, so a freshly inserted FR regenerates
// zeros (the model starts out computing what CA_Pruned computes) while its scale
// still receives gradients.
class FeatureRecoveryImpl : public torch::nn::Module {
public:
    FeatureRecoveryImpl(int channels, std::vector<int64_t> kept, int hidden);

    // received: [N, C', H, W] -> [N, C, H, W]
    torch::Tensor forward(const torch::Tensor& received);
    // Only the regenerated channels, [N, C - C', H, W], in ascending pruned-channel order.
    torch::Tensor regenerate(const torch::Tensor& received);

    int64_t macs(int h, int w) const;
    int channels() const { return channels_; }
    int hidden() const { return hidden_; }
    const std::vector<int64_t>& kept() const { return kept_; }
    const std::vector<int64_t>& pruned() const { return pruned_; }

    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr};
    torch::nn::BatchNorm2d bn1{nullptr}, bn2{nullptr}, bn3{nullptr};

private:
    int channels_ = 0;
    int hidden_ = 0;
    std::vector<int64_t> kept_, pruned_;
    torch::Tensor placement_; // channel c of X_l = channel placement_[c] of cat(received, regenerated)
};
TORCH_MODULE(FeatureRecovery);

// MACs of an FR module for an h x w feature (same formula as FeatureRecoveryImpl::macs).
int64_t featureRecoveryMacs(int channels, int kept, int hidden, int h, int w);

// Widest hidden width in {64, 32, 16, 8, 4} (capped at C/2) whose MACs stay within
// `budget` (e.g. 0.05) of `tailMacs`; at least 4.
int chooseRecoveryWidth(int channels, int kept, int h, int w, int64_t tailMacs, double budget = 0.05);

} // namespace aecnn
