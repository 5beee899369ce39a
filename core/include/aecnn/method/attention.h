#pragma once

#include <torch/types.h>

namespace aecnn {

// Channel attention of the AECNN paper, Eq. 5-7, without learnable weights:
// per sample, the global average-pool A and global max-pool M of X_l (C-vectors)
// are each normalized across their C entries, (A - mean) / sqrt(var + eps), with
// the population variance; Q = sigmoid(A_hat + M_hat).
// features: [N, C, H, W] float -> Q: [N, C] in (0, 1).
torch::Tensor channelAttention(const torch::Tensor& features, double eps = 1e-5);

// The CA module inserted after split point l: scales each channel of X_l by its Q.
torch::Tensor applyChannelAttention(const torch::Tensor& features, double eps = 1e-5);

} // namespace aecnn
