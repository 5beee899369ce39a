#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace aecnn::agent {

// The device side of full offloading, shared by the "full" mode and `--profile`: the
// captured image resized to the capture size (width 0 = native: unchanged; INTER_AREA
// when shrinking, else INTER_LINEAR) and JPEG-encoded at `quality`.
cv::Mat resizeToCaptureSize(const cv::Mat& image, int width, int height);
std::vector<uchar> encodeJpeg(const cv::Mat& image, int quality); // throws aecnn::Error

} // namespace aecnn::agent
