#pragma once

#include <array>
#include <string>

namespace aecnn {

enum class StemKind {
    ImageNet, // conv 7x7 stride 2 + maxpool 3x3 stride 2 (torchvision)
    Small,    // conv 3x3 stride 1 + maxpool 3x3 stride 2 (28x28 .. 64x64 images)
};

// Hyper-parameters of a ResNet-50-topology network. A plain value type: it is
// stored in checkpoints and crosses thread and library boundaries.
struct ResNetConfig {
    int inChannels = 3;
    int numClasses = 1000;
    int stemChannels = 64;
    std::array<int, 4> stagePlanes{64, 128, 256, 512}; // bottleneck inner widths
    std::array<int, 4> stageDepths{3, 4, 6, 3};
    StemKind stem = StemKind::ImageNet;

    static constexpr int expansion = 4;

    int blockCount() const { return stageDepths[0] + stageDepths[1] + stageDepths[2] + stageDepths[3]; }
    // Split point 1 is after the stem, points 2..blockCount()+1 after each block.
    int splitPointCount() const { return blockCount() + 1; }
    int featureChannels() const { return stagePlanes[3] * expansion; }

    // torchvision's resnet50 with `widthMultiplier` applied to every stage.
    static ResNetConfig resnet50(int numClasses = 1000, int inChannels = 3, double widthMultiplier = 1.0,
                                 StemKind stem = StemKind::ImageNet);
};

std::string toString(StemKind stem);
StemKind stemKindFromString(const std::string& name); // throws aecnn::Error

bool operator==(const ResNetConfig& a, const ResNetConfig& b);

} // namespace aecnn
