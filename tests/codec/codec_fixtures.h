#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "aecnn/codec/feature_tensor.h"

namespace aecnn::codec::testing {

inline FeatureTensor emptyTensor(uint32_t c, uint32_t h, uint32_t w)
{
    FeatureTensor t;
    t.channels = t.originalChannels = c;
    t.height = h;
    t.width = w;
    t.values.assign(size_t(c) * h * w, 0.0f);
    return t;
}

inline FeatureTensor randomTensor(uint32_t c, uint32_t h, uint32_t w, uint32_t seed, float lo = -3.0f, float hi = 5.0f)
{
    FeatureTensor t = emptyTensor(c, h, w);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    for (float& v : t.values)
        v = dist(rng);
    return t;
}

// Spatially smooth blobs passed through ReLU: sparse and correlated like real
// activations after a conv + ReLU.
inline FeatureTensor reluBlobs(uint32_t c, uint32_t h, uint32_t w, uint32_t seed)
{
    FeatureTensor t = emptyTensor(c, h, w);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (uint32_t ch = 0; ch < c; ++ch) {
        const float fx = 0.15f + 0.5f * u(rng), fy = 0.15f + 0.5f * u(rng), px = 6.3f * u(rng), py = 6.3f * u(rng);
        const float gain = 0.5f + 3.0f * u(rng), bias = -0.6f * u(rng) - 0.3f;
        for (uint32_t y = 0; y < h; ++y)
            for (uint32_t x = 0; x < w; ++x) {
                const float v = gain * (std::sin(fx * float(x) + px) * std::cos(fy * float(y) + py) + bias) +
                                0.05f * (u(rng) - 0.5f);
                t.values[(size_t(ch) * h + y) * w + x] = std::max(0.0f, v);
            }
    }
    return t;
}

inline FeatureTensor specialValues()
{
    FeatureTensor t = randomTensor(3, 5, 7, 11);
    const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity(), -0.0f, std::numeric_limits<float>::denorm_min(),
                              std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(),
                              std::numeric_limits<float>::signaling_NaN()};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; ++i)
        t.values[i * 11] = specials[i];
    return t;
}

} // namespace aecnn::codec::testing
