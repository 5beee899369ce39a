#include <chrono>

#include <QtEndian>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/error.h"
#include "deployed_model_impl.h"
#include "modes.h"

namespace aecnn::agent {
namespace {

class LocalComputingMode : public Mode {
public:
    explicit LocalComputingMode(std::shared_ptr<const DeployedModel> model) : model_(std::move(model)) {}

    std::string name() const override { return "local"; }

    void process(const SourceImage& source, protocol::FrameData& frame) override
    {
        torch::NoGradGuard noGrad; // thread-local: created where the forward runs
        const auto start = std::chrono::steady_clock::now();
        const auto& classifier = model_->classifier;
        const int channels = static_cast<int>(classifier.normalization.mean.size());
        if (source.image.channels() != channels)
            throw Error("the source gives " + std::to_string(source.image.channels()) +
                        "-channel images but the model expects " + std::to_string(channels));
        cv::Mat image = source.image;
        if (image.rows != classifier.inputHeight || image.cols != classifier.inputWidth)
            cv::resize(image, image, cv::Size(classifier.inputWidth, classifier.inputHeight), 0, 0, cv::INTER_AREA);
        if (channels == 3)
            cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
        image = image.isContinuous() ? image : image.clone();
        // Through ImageSet so that normalization is the very code offline evaluation uses.
        ImageSet one;
        one.images = torch::from_blob(image.data, {1, image.rows, image.cols, channels}, torch::kUInt8)
                         .permute({0, 3, 1, 2})
                         .contiguous();
        one.labels = torch::zeros({1}, torch::kInt64);
        one.normalization = classifier.normalization;
        auto net = classifier.net; // shares the module; forward() is not const
        const auto logits = net->forward(one.normalizedBatch(torch::arange(1, torch::kInt64)));
        const int predicted = static_cast<int>(logits.argmax(1).item<int64_t>());
        frame.iotMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        frame.encMs = 0;
        frame.kind = "result";
        frame.predicted = predicted;
        frame.payload = QByteArray(4, '\0');
        qToBigEndian<qint32>(predicted, frame.payload.data());
    }

private:
    std::shared_ptr<const DeployedModel> model_;
};

} // namespace

std::unique_ptr<Mode> makeLocalComputingMode(std::shared_ptr<const DeployedModel> model)
{
    if (!model)
        throw Error("local computing needs a deployed model");
    return std::make_unique<LocalComputingMode>(std::move(model));
}

} // namespace aecnn::agent
