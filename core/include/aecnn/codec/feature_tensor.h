#pragma once

#include <cstdint>
#include <vector>

namespace aecnn::codec {

// One transmitted intermediate tensor: the kept channels of a C x H x W
// feature map, channel-major (C' x H x W), as plain floats.
struct FeatureTensor {
    uint32_t channels = 0; // C' (kept channels)
    uint32_t height = 0;
    uint32_t width = 0;
    // Channels of the unpruned tensor (C); equals `channels` when nothing was pruned.
    uint32_t originalChannels = 0;
    // Index in the unpruned tensor of each kept channel, strictly increasing;
    // empty means all channels 0..C-1 were kept.
    std::vector<uint16_t> keptChannels;
    std::vector<float> values; // C' * H * W

    uint64_t elementCount() const { return uint64_t(channels) * height * width; }
    uint64_t planeSize() const { return uint64_t(height) * width; }
    // V = C / C' (1 when nothing was pruned).
    double pruningRatio() const { return channels == 0 ? 0.0 : double(originalChannels) / channels; }
};

// Throws aecnn::Error when sizes or channel indices are inconsistent.
void validate(const FeatureTensor& tensor);

} // namespace aecnn::codec
