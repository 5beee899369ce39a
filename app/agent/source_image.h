#pragma once

#include <opencv2/core.hpp>

namespace aecnn::agent {

// One image from a frame source: uint8, HxW with 1 or 3 channels (BGR order for colour).
struct SourceImage {
    cv::Mat image;
    int label = -1; // -1 = unknown (camera)
    long long index = 0;
};

} // namespace aecnn::agent
