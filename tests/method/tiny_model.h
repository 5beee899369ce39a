#pragma once

#include <torch/torch.h>

#include "aecnn/model/resnet.h"

namespace aecnn::testing {

// A ResNet-50-topology network small enough for unit tests, 1 x 28 x 28 input.
// Split points: 1 stem (8 ch, 14x14), 2 layer1.0 (16 ch, projection shortcut),
// 3 layer1.1 (16 ch, identity shortcut), 4 layer2.0 (32 ch, 7x7), 5 layer3.0,
// 6 layer4.0 (the last block: the layer after it is fc).
inline ResNetConfig tinyConfig(int numClasses = 4)
{
    auto config = ResNetConfig::resnet50(numClasses, 1, 1.0, StemKind::Small);
    config.stemChannels = 8;
    config.stagePlanes = {4, 8, 8, 8};
    config.stageDepths = {2, 1, 1, 1};
    return config;
}

// Random weights and BN statistics so that no layer is close to the identity.
inline ResNet tinyNet(uint64_t seed, int numClasses = 4)
{
    torch::manual_seed(seed);
    ResNet net(tinyConfig(numClasses));
    torch::NoGradGuard noGrad;
    for (auto& p : net->named_parameters())
        if (p.key().find("bn") != std::string::npos || p.key().find("downsample.1") != std::string::npos)
            p.value().uniform_(0.5, 1.5);
    for (auto& b : net->named_buffers()) {
        if (b.key().find("running_var") != std::string::npos)
            b.value().uniform_(0.5, 2.0);
        if (b.key().find("running_mean") != std::string::npos)
            b.value().uniform_(-0.2, 0.2);
    }
    net->eval();
    return net;
}

} // namespace aecnn::testing
