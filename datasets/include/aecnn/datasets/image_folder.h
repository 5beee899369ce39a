#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aecnn/model/image_set.h"

namespace aecnn::datasets {

struct FolderOptions {
    int height = 224;
    int width = 224;
    int channels = 3;          // 1 = grayscale, 3 = RGB with ImageNet normalization
    double testFraction = 0.2; // per class, at least one test image when a class has two or more
    uint64_t seed = 1;
    // Sub-folders that are not classes. Caltech-101's BACKGROUND_Google holds
    // unrelated clutter images, not a category, so it is left out by default.
    std::vector<std::string> excludedClasses{"BACKGROUND_Google"};
};

struct FolderLoadReport {
    int64_t loaded = 0;
    int64_t skipped = 0;                      // unreadable files
    std::vector<std::string> excludedClasses; // sub-folders present but left out (FolderOptions::excludedClasses)
};

// One sub-folder per class (Caltech-101 layout: 101_ObjectCategories/<class>/*.jpg);
// classes are the sub-folders in sorted order, label i = i-th name. Images are
// resized on their short side and centre-cropped.
//
// The split is stratified and deterministic for a seed: one generator seeded with
// `seed` shuffles each class's sorted file list in turn (classes in sorted order);
// the first round(testFraction * n) images of the shuffle (at least 1, at most n - 1
// when n >= 2; none when n = 1) are test images, the rest training images.
// Excluded sub-folders are reported (and noted on stderr), never loaded.
DataSplit loadImageFolder(const std::string& dir, const FolderOptions& options, FolderLoadReport* report = nullptr);

} // namespace aecnn::datasets
