#pragma once

#include <cstdint>

#include "aecnn/model/image_set.h"

namespace aecnn::datasets {

// Seeded images of drawn shapes (circle, square, triangle, cross) on noise: a
// learnable four-class task for tests. `count` images in total, 80 % train.
DataSplit makeSynthetic(int64_t count, uint64_t seed = 7, int size = 28, int channels = 1);

} // namespace aecnn::datasets
