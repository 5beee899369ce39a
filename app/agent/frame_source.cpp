#include "frame_source.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/error.h"

namespace aecnn::agent {
namespace {

class DatasetSource : public FrameSource {
public:
    DatasetSource(ImageSet set, std::string spec) : set_(std::move(set)), spec_(std::move(spec))
    {
        if (set_.size() == 0)
            throw Error("dataset '" + spec_ + "' has an empty test split; the agent has nothing to stream");
    }

    SourceImage next() override
    {
        const int64_t i = position_ % set_.size();
        ++position_;
        const int h = set_.height(), w = set_.width(), c = set_.channels();
        // One image to HWC at a time: a whole 224 x 224 RGB test split as HWC would take GBs
        // (the set itself may hold a grey channel viewed three times).
        const auto hwc = set_.images[i].permute({1, 2, 0}).contiguous();
        cv::Mat view(h, w, CV_8UC(c), hwc.data_ptr<uint8_t>());
        SourceImage out;
        out.image = view.clone();
        if (c == 3)
            cv::cvtColor(out.image, out.image, cv::COLOR_RGB2BGR); // ImageSet holds RGB; OpenCV wants BGR
        out.label = static_cast<int>(set_.labels[i].item<int64_t>());
        out.index = i;
        return out;
    }

    void seek(long long position) override { position_ = position; }

    std::string describe() const override
    {
        return spec_ + " test split, " + std::to_string(set_.size()) + " images " + std::to_string(set_.height()) +
               "x" + std::to_string(set_.width()) + "x" + std::to_string(set_.channels());
    }

private:
    ImageSet set_;
    std::string spec_;
    int64_t position_ = 0;
};

} // namespace

std::unique_ptr<FrameSource> makeDatasetSource(const std::string& spec, int height, int width, int channels)
{
    datasets::DatasetRequest request;
    request.height = height;
    request.width = width;
    request.channels = channels;
    request.needTrain = false; // frames come from the test split only
    auto split = datasets::loadDataset(spec, request);
    return std::make_unique<DatasetSource>(std::move(split.test), spec);
}

std::unique_ptr<FrameSource> makeFrameSource(const std::string& spec, int height, int width, int channels)
{
    return isCameraSpec(spec) ? makeCameraSource(spec, channels) : makeDatasetSource(spec, height, width, channels);
}

} // namespace aecnn::agent
