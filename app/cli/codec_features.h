#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "aecnn/model/classifier.h"
#include "aecnn/codec/feature_tensor.h"
#include "aecnn/model/image_set.h"
#include "aecnn/model/memory_budget.h"
#include "aecnn/split/split_model.h"

namespace aecnn::cli {

// Real activations at one split point, one FeatureTensor per image.
struct FeatureDump {
    int split = 0;
    int ratio = 1;
    uint32_t channels = 0; // C of the unpruned feature map
    std::vector<uint16_t> kept; // ascending; all channels when ratio == 1
    std::vector<codec::FeatureTensor> tensors;
    std::vector<int64_t> labels;
    InferenceBatch batch; // images per forward pass (memory_budget.h)
};

// Keeps the C / ratio channels of highest importance (paper Eq. 8, mean channel
// attention over `images`), ascending indices, ties to the lower index: the
// channels an AECNN model of that ratio transmits.
std::vector<uint16_t> keepImportantChannels(Classifier& model, int split, const ImageSet& images, int ratio);

// Runs head(split) on every image and keeps `kept` (empty = all channels).
FeatureDump dumpFeatures(Classifier& model, int split, const ImageSet& images, std::vector<uint16_t> kept, int ratio);

// What a trained split model transmits for every image: its encode() (head, the pruned
// channels it keeps, BottleNet++'s encoder), before any quantization. `kept` and
// `channels` are the model's (transmittedLayout); `split` and `ratio` its own.
FeatureDump dumpTransmitted(AecnnClassifier& model, const ImageSet& images);

// Top-1 accuracy when every split-point tensor (all channels) goes through
// `transform` (e.g. quantize + dequantize) between head and tail.
double accuracyThroughSplit(Classifier& model, int split, const ImageSet& images,
                            const std::function<void(codec::FeatureTensor&)>& transform);

// Repeats each feature map's plane by bilinear upsampling to height x width,
// to time coders on the paper's 56x56 shapes with realistic content.
codec::FeatureTensor resizedPlanes(const codec::FeatureTensor& tensor, uint32_t channels, uint32_t height,
                                   uint32_t width);

} // namespace aecnn::cli
