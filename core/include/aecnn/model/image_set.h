#pragma once

#include <string>
#include <vector>

#include <torch/types.h>

namespace aecnn {

// Per-channel normalization applied to images scaled to [0, 1].
struct Normalization {
    std::vector<float> mean;
    std::vector<float> std;

    static Normalization identity(int channels);
    static Normalization imageNet();
};

// A labelled image collection held in memory as uint8 [N, C, H, W].
struct ImageSet {
    torch::Tensor images; // uint8, N x C x H x W
    torch::Tensor labels; // int64, N
    std::vector<std::string> classNames;
    Normalization normalization;

    int64_t size() const { return images.defined() ? images.size(0) : 0; }
    int channels() const { return static_cast<int>(images.size(1)); }
    int height() const { return static_cast<int>(images.size(2)); }
    int width() const { return static_cast<int>(images.size(3)); }

    // Float batch of the given indices, scaled to [0,1] and normalized.
    torch::Tensor normalizedBatch(const torch::Tensor& indices) const;
    ImageSet subset(const torch::Tensor& indices) const;
    ImageSet head(int64_t count) const;
};

struct DataSplit {
    ImageSet train;
    ImageSet test;
    // Test images of the whole split before any limit (DatasetRequest::testLimit): what a
    // device streaming the split cycles through; -1 = not known.
    int64_t testTotal = -1;
};

} // namespace aecnn
