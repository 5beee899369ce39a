#pragma once

#include <cstdint>
#include <string>

#include "aecnn/model/image_set.h"

namespace aecnn::datasets {

struct DatasetRequest {
    // Image geometry wanted by the model; used by folder: and synthetic: specs.
    int height = 28;
    int width = 28;
    int channels = 1;
    uint64_t seed = 1;
};

// Spec strings shared by every command:
//   fashion-mnist[:DIR]   Fashion-MNIST (default dir: $AECNN_FASHION_MNIST_DIR or Debian's)
//   folder:DIR            one sub-folder per class, any image format OpenCV reads
//   synthetic[:N]         N generated shape images (default 1000)
DataSplit loadDataset(const std::string& spec, const DatasetRequest& request);

std::string datasetSpecHelp();

} // namespace aecnn::datasets
