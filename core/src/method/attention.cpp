#include "aecnn/method/attention.h"

#include <torch/torch.h>

#include "aecnn/error.h"

namespace aecnn {
namespace {

torch::Tensor normalizeAcrossChannels(const torch::Tensor& pooled, double eps)
{
    const auto mean = pooled.mean(1, /*keepdim=*/true);
    const auto variance = (pooled - mean).pow(2).mean(1, /*keepdim=*/true);
    return (pooled - mean) / torch::sqrt(variance + eps);
}

} // namespace

torch::Tensor channelAttention(const torch::Tensor& features, double eps)
{
    if (features.dim() != 4)
        throw Error("channel attention needs a [N, C, H, W] tensor, got " + std::to_string(features.dim()) +
                    " dimensions");
    if (features.size(2) * features.size(3) == 0)
        throw Error("channel attention needs a non-empty spatial extent");
    if (!(eps > 0.0))
        throw Error("channel attention epsilon must be > 0");
    const auto flat = features.flatten(2);
    const auto averaged = flat.mean(2);           // Eq. 5
    const auto maxed = std::get<0>(flat.max(2));  // the max-pool counterpart
    return torch::sigmoid(normalizeAcrossChannels(averaged, eps) + normalizeAcrossChannels(maxed, eps)); // Eq. 6-7
}

torch::Tensor applyChannelAttention(const torch::Tensor& features, double eps)
{
    return features * channelAttention(features, eps).unsqueeze(-1).unsqueeze(-1);
}

} // namespace aecnn
