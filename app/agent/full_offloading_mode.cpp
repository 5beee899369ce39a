#include <chrono>

#include "jpeg_capture.h"
#include "modes.h"

namespace aecnn::agent {
namespace {

class FullOffloadingMode : public Mode {
public:
    explicit FullOffloadingMode(const StreamSettings& s)
        : quality_(s.jpegQuality), width_(s.resizeWidth), height_(s.resizeHeight)
    {
    }

    std::string name() const override { return "full"; }

    void process(const SourceImage& source, protocol::FrameData& frame) override
    {
        const auto start = std::chrono::steady_clock::now();
        const cv::Mat image = resizeToCaptureSize(source.image, width_, height_);
        frame.iotMs = msSince(start);
        const auto encodeStart = std::chrono::steady_clock::now();
        const std::vector<uchar> jpeg = encodeJpeg(image, quality_);
        frame.encMs = msSince(encodeStart);
        frame.kind = "jpeg";
        frame.predicted = -1;
        frame.payload = QByteArray(reinterpret_cast<const char*>(jpeg.data()), static_cast<qsizetype>(jpeg.size()));
    }

private:
    int quality_;
    int width_;
    int height_;
};

} // namespace

std::unique_ptr<Mode> makeFullOffloadingMode(const StreamSettings& settings)
{
    return std::make_unique<FullOffloadingMode>(settings);
}

} // namespace aecnn::agent
