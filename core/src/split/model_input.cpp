#include "aecnn/split/model_input.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/error.h"

namespace aecnn::edge {

torch::Tensor modelInput(const cv::Mat& source, const Normalization& normalization, int height, int width)
{
    const int channels = static_cast<int>(normalization.mean.size());
    if (source.depth() != CV_8U || source.channels() != channels)
        throw Error("the image has " + std::to_string(source.channels()) + " channel(s) of depth " +
                    std::to_string(source.depth()) + " but the model expects " + std::to_string(channels) +
                    " 8-bit channel(s); use a source with the model's input channels");
    cv::Mat image = source;
    if (image.rows != height || image.cols != width)
        cv::resize(image, image, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    if (channels == 3)
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    image = image.isContinuous() ? image : image.clone();
    ImageSet one;
    one.images = torch::from_blob(image.data, {1, image.rows, image.cols, channels}, torch::kUInt8)
                     .permute({0, 3, 1, 2})
                     .contiguous();
    one.labels = torch::zeros({1}, torch::kInt64);
    one.normalization = normalization;
    return one.normalizedBatch(torch::arange(1, torch::kInt64));
}

} // namespace aecnn::edge
