#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "aecnn/error.h"
#include "frame_source.h"

namespace aecnn::agent {
namespace {

// Frames of a camera through OpenCV, converted to the channels the model expects
// (the size is adapted later, by the mode). Labels are unknown (-1).
class CameraSource : public FrameSource {
public:
    CameraSource(int index, int channels) : index_(index), channels_(channels)
    {
        if (!capture_.open(index_))
            throw Error("camera " + std::to_string(index_) +
                        " cannot be opened: no such camera or no permission (check that /dev/video" +
                        std::to_string(index_) + " exists and that the agent's user is in group 'video'), or "
                        "stream a dataset instead (dataset setting, e.g. fashion-mnist or synthetic:100)");
    }

    SourceImage next() override
    {
        cv::Mat frame;
        if (!capture_.read(frame) || frame.empty())
            throw Error("camera " + std::to_string(index_) + " delivered no frame (unplugged or in use?)");
        SourceImage out;
        if (channels_ == 1 && frame.channels() == 3)
            cv::cvtColor(frame, out.image, cv::COLOR_BGR2GRAY);
        else if (channels_ == 3 && frame.channels() == 1)
            cv::cvtColor(frame, out.image, cv::COLOR_GRAY2BGR);
        else
            out.image = frame;
        out.label = -1;
        out.index = count_++;
        return out;
    }

    std::string describe() const override { return "camera " + std::to_string(index_); }
    void seek(long long) override {} // a live source has no positions

private:
    int index_;
    int channels_;
    cv::VideoCapture capture_;
    long long count_ = 0;
};

} // namespace

bool isCameraSpec(const std::string& spec)
{
    return spec.rfind("camera:", 0) == 0;
}

std::unique_ptr<FrameSource> makeCameraSource(const std::string& spec, int channels)
{
    const std::string index = spec.substr(7);
    if (index.empty() || index.size() > 3 || index.find_first_not_of("0123456789") != std::string::npos)
        throw Error("camera source '" + spec + "': expected camera:N with N the camera index, e.g. camera:0");
    return std::make_unique<CameraSource>(std::stoi(index), channels);
}

} // namespace aecnn::agent
