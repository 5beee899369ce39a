#include "aecnn/model/resnet_config.h"

#include <cmath>

#include "aecnn/error.h"

namespace aecnn {

ResNetConfig ResNetConfig::resnet50(int numClasses, int inChannels, double widthMultiplier, StemKind stem)
{
    if (!(widthMultiplier > 0.0) || widthMultiplier > 8.0)
        throw Error("width multiplier must be in (0, 8]");
    ResNetConfig config;
    config.numClasses = numClasses;
    config.inChannels = inChannels;
    config.stem = stem;
    const int base[4] = {64, 128, 256, 512};
    for (int i = 0; i < 4; ++i)
        config.stagePlanes[i] = std::max(1, static_cast<int>(std::lround(base[i] * widthMultiplier)));
    return config;
}

std::string toString(StemKind stem)
{
    return stem == StemKind::ImageNet ? "imagenet" : "small";
}

StemKind stemKindFromString(const std::string& name)
{
    if (name == "imagenet")
        return StemKind::ImageNet;
    if (name == "small")
        return StemKind::Small;
    throw Error("unknown stem '" + name + "'; valid stems: imagenet, small");
}

bool operator==(const ResNetConfig& a, const ResNetConfig& b)
{
    return a.inChannels == b.inChannels && a.numClasses == b.numClasses && a.stemChannels == b.stemChannels &&
           a.stagePlanes == b.stagePlanes && a.stageDepths == b.stageDepths && a.stem == b.stem;
}

} // namespace aecnn
