#pragma once

#include <opencv2/core.hpp>
#include <torch/types.h>

#include "aecnn/model/image_set.h"

namespace aecnn::edge {

// An 8-bit image (1 channel, or 3 in OpenCV's BGR order) as the normalized
// 1 x C x H x W batch a model expects: resized (area) when its size differs, BGR ->
// RGB, then normalized by the very ImageSet code offline evaluation uses, so the
// device, the edge and `aecnn eval` see the same numbers. Throws aecnn::Error when
// the channel counts differ. Used by the agent (device) and for full offloading (edge).
torch::Tensor modelInput(const cv::Mat& image, const Normalization& normalization, int height, int width);

} // namespace aecnn::edge
