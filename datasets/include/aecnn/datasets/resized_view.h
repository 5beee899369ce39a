#pragma once

#include <string>

#include "aecnn/model/image_set.h"

namespace aecnn::datasets {

// `set` at another geometry: every image resized (bilinear, OpenCV INTER_LINEAR) to
// height x width, a single channel replicated to 3 when `channels` is 3 (as an
// expanded view: the stored bytes stay N x 1 x H x W). How a 28 x 28 grey data set
// stands in for 224 x 224 RGB ImageNet-sized inputs.
//
// Eager, so limit the set first (DatasetRequest::trainLimit / testLimit): the stored
// bytes must fit in half the available memory (aecnn/model/memory_budget.h), else a
// DatasetError names the size and the limit to use. `what` names the set in messages.
ImageSet resizedView(const ImageSet& set, int height, int width, int channels, const std::string& what);

} // namespace aecnn::datasets
