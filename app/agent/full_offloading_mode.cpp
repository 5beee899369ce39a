#include <chrono>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "aecnn/error.h"
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
        cv::Mat image = source.image;
        if (width_ > 0 && (image.cols != width_ || image.rows != height_)) {
            const bool shrinking = width_ * height_ < image.cols * image.rows;
            cv::resize(image, image, cv::Size(width_, height_), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        frame.iotMs = msSince(start);
        const auto encodeStart = std::chrono::steady_clock::now();
        std::vector<uchar> jpeg;
        if (!cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, quality_}))
            throw Error("OpenCV could not JPEG-encode a " + std::to_string(image.cols) + "x" +
                        std::to_string(image.rows) + " image");
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
