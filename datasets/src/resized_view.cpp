#include "aecnn/datasets/resized_view.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/datasets/dataset_error.h"
#include "aecnn/model/memory_budget.h"

namespace aecnn::datasets {

ImageSet resizedView(const ImageSet& set, int height, int width, int channels, const std::string& what)
{
    if (set.channels() == channels && set.height() == height && set.width() == width)
        return set;
    if (channels != set.channels() && !(set.channels() == 1 && channels == 3))
        throw DatasetError(what + " has " + std::to_string(set.channels()) + " channel(s); it can be viewed with " +
                           std::to_string(set.channels()) + " or, from 1, with 3 channels, not " +
                           std::to_string(channels));
    if (height < 8 || width < 8 || height > 4096 || width > 4096)
        throw DatasetError(what + ": view size must be 8..4096 pixels per side");
    const int64_t n = set.size();
    const int64_t storedChannels = set.channels();
    const int64_t bytes = n * storedChannels * height * width;
    const int64_t available = availableMemoryBytes();
    if (available > 0 && bytes > available / 2)
        throw DatasetError(what + " resized to " + std::to_string(height) + "x" + std::to_string(width) + " needs " +
                           formatBytes(bytes) + " for " + std::to_string(n) + " images but only " +
                           formatBytes(available) + " is available (the view may use half); use fewer images, "
                           "e.g. --train-limit / --test-limit (or --limit) " +
                           std::to_string(std::max<int64_t>(1, available / 2 / (storedChannels * height * width))));
    auto source = set.images.contiguous();
    auto resized = torch::empty({n, storedChannels, height, width}, torch::kUInt8);
    for (int64_t i = 0; i < n; ++i)
        for (int64_t c = 0; c < storedChannels; ++c) {
            cv::Mat in(set.height(), set.width(), CV_8UC1, source[i][c].data_ptr<uint8_t>());
            cv::Mat out(height, width, CV_8UC1, resized[i][c].data_ptr<uint8_t>());
            cv::resize(in, out, out.size(), 0, 0, cv::INTER_LINEAR);
        }
    ImageSet view = set;
    view.images = channels == storedChannels ? resized : resized.expand({n, channels, height, width});
    if (channels != storedChannels) {
        view.normalization.mean.assign(size_t(channels), set.normalization.mean.at(0));
        view.normalization.std.assign(size_t(channels), set.normalization.std.at(0));
    }
    return view;
}

} // namespace aecnn::datasets
