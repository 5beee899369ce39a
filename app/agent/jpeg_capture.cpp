#include "jpeg_capture.h"

#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "aecnn/error.h"

namespace aecnn::agent {

cv::Mat resizeToCaptureSize(const cv::Mat& image, int width, int height)
{
    if (width <= 0 || (image.cols == width && image.rows == height))
        return image;
    const bool shrinking = width * height < image.cols * image.rows;
    cv::Mat resized;
    cv::resize(image, resized, cv::Size(width, height), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    return resized;
}

std::vector<uchar> encodeJpeg(const cv::Mat& image, int quality)
{
    std::vector<uchar> jpeg;
    if (!cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality}))
        throw Error("OpenCV could not JPEG-encode a " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                    " image");
    return jpeg;
}

} // namespace aecnn::agent
