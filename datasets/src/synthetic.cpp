#include "aecnn/datasets/synthetic.h"

#include <random>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/datasets/dataset_error.h"

namespace aecnn::datasets {
namespace {

void drawShape(cv::Mat& image, int kind, std::mt19937_64& rng)
{
    const int size = image.rows;
    std::uniform_int_distribution<int> radius(size / 6, size / 3);
    const int r = radius(rng);
    std::uniform_int_distribution<int> centre(r, size - 1 - r);
    // One draw per statement: the order in which a call's arguments are evaluated is
    // unspecified, and GCC takes them right to left on x86-64 but left to right on aarch64,
    // so `c(centre(rng), centre(rng))` drew other images on a Raspberry Pi (found by
    // test_agent_arm64_qemu). y first keeps the images the x86 builds always made.
    const int y = centre(rng);
    const int x = centre(rng);
    const cv::Point c(x, y);
    std::uniform_int_distribution<int> intensity(160, 255);
    const cv::Scalar colour = cv::Scalar::all(intensity(rng));
    const int thickness = std::max(1, size / 14);
    switch (kind) {
    case 0:
        cv::circle(image, c, r, colour, thickness);
        break;
    case 1:
        cv::rectangle(image, c - cv::Point(r, r), c + cv::Point(r, r), colour, thickness);
        break;
    case 2: {
        std::vector<cv::Point> triangle{{c.x, c.y - r}, {c.x - r, c.y + r}, {c.x + r, c.y + r}};
        cv::polylines(image, triangle, true, colour, thickness);
        break;
    }
    default:
        cv::line(image, c - cv::Point(r, r), c + cv::Point(r, r), colour, thickness);
        cv::line(image, c + cv::Point(-r, r), c + cv::Point(r, -r), colour, thickness);
    }
}

} // namespace

DataSplit makeSynthetic(int64_t count, uint64_t seed, int size, int channels)
{
    if (count < 8 || count > 1000000)
        throw DatasetError("synthetic dataset size must be between 8 and 1000000");
    if (size < 8 || size > 1024 || (channels != 1 && channels != 3))
        throw DatasetError("synthetic dataset needs a size of 8..1024 and 1 or 3 channels");
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 12.0);
    auto images = torch::empty({count, channels, size, size}, torch::kUInt8);
    auto labels = torch::empty({count}, torch::kInt64);
    for (int64_t i = 0; i < count; ++i) {
        const int kind = int(i % 4);
        cv::Mat image(size, size, CV_8UC1, cv::Scalar(20));
        drawShape(image, kind, rng);
        cv::Mat noisy(size, size, CV_8UC1);
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x)
                noisy.at<uint8_t>(y, x) = cv::saturate_cast<uint8_t>(image.at<uint8_t>(y, x) + noise(rng));
        auto plane = torch::from_blob(noisy.data, {size, size}, torch::kUInt8);
        for (int ch = 0; ch < channels; ++ch)
            images[i][ch].copy_(plane);
        labels[i] = kind;
    }
    const int64_t trainCount = count * 4 / 5;
    const Normalization norm{std::vector<float>(size_t(channels), 0.15f), std::vector<float>(size_t(channels), 0.25f)};
    const std::vector<std::string> names{"circle", "square", "triangle", "cross"};
    ImageSet train{images.slice(0, 0, trainCount), labels.slice(0, 0, trainCount), names, norm};
    ImageSet test{images.slice(0, trainCount), labels.slice(0, trainCount), names, norm};
    return {train, test};
}

} // namespace aecnn::datasets
