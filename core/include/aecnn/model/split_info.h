#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aecnn/model/resnet.h"

namespace aecnn {

// Cost of one candidate split point for a given input size.
struct SplitPointInfo {
    int point = 0;
    std::string after; // "stem", "layer1.0", ...
    int channels = 0;
    int height = 0;
    int width = 0;
    int64_t bytes = 0; // S_l: float32 feature size, 4*C*H*W
    int64_t headMacs = 0;
    int64_t tailMacs = 0;
    int64_t headParams = 0;
    int64_t tailParams = 0;
};

// Multiply-accumulates of one convolution for an input of h x w; updates h, w to the output size.
int64_t convMacs(const torch::nn::Conv2dImpl& conv, int& h, int& w);
// MACs of one bottleneck for an input of h x w; updates h, w to the output size.
int64_t bottleneckMacs(const BottleneckImpl& block, int& h, int& w);

std::vector<SplitPointInfo> describeSplitPoints(ResNetImpl& model, int inputHeight, int inputWidth);

int64_t parameterCount(const torch::nn::Module& module);

} // namespace aecnn
