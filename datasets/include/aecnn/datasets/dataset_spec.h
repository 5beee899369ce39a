#pragma once

#include <cstdint>
#include <string>

#include "aecnn/model/image_set.h"

namespace aecnn::datasets {

struct DatasetRequest {
    // Image geometry wanted by the model. folder: and synthetic: images are made at
    // this size; fashion-mnist (28 x 28 grey) is resized to it, its channel
    // replicated when 3 are asked for (a 224 x 224 RGB stand-in for ImageNet inputs).
    int height = 28;
    int width = 28;
    int channels = 1;
    uint64_t seed = 1;
    // Keep only the first N images of each split, 0 = all; applied before any resizing,
    // which is eager: a 224 x 224 view of all 60000 Fashion-MNIST training images would
    // take 3 GB, so commands pass their --train-limit / --test-limit here.
    int64_t trainLimit = 0;
    int64_t testLimit = 0;
    bool needTrain = true; // false: the train split comes back empty (0 images)
    bool needTest = true;  // false: the test split comes back empty (0 images)
};

// Spec strings shared by every command:
//   fashion-mnist[:DIR]   Fashion-MNIST (default dir: $AECNN_FASHION_MNIST_DIR or Debian's),
//                         resized to the requested geometry (e.g. 224x224, 3 channels)
//   folder:DIR            one sub-folder per class, any image format OpenCV reads
//   synthetic[:N]         N generated shape images (default 1000)
DataSplit loadDataset(const std::string& spec, const DatasetRequest& request);

std::string datasetSpecHelp();

} // namespace aecnn::datasets
