#pragma once

#include <cstdint>
#include <string>

#include "aecnn/model/image_set.h"

namespace aecnn::datasets {

struct FolderOptions {
    int height = 224;
    int width = 224;
    int channels = 3;          // 1 = grayscale, 3 = RGB with ImageNet normalization
    double testFraction = 0.2; // per class, at least one test image when a class has two or more
    uint64_t seed = 1;
};

struct FolderLoadReport {
    int64_t loaded = 0;
    int64_t skipped = 0; // unreadable files
};

// One sub-folder per class (Caltech-101 layout); images resized on their short side
// and centre-cropped. The split is stratified and deterministic for a seed.
DataSplit loadImageFolder(const std::string& dir, const FolderOptions& options, FolderLoadReport* report = nullptr);

} // namespace aecnn::datasets
