#include <chrono>

#include <QtEndian>
#include <torch/torch.h>

#include "aecnn/error.h"
#include "deployed_model_impl.h"
#include "aecnn/split/model_input.h"
#include "modes.h"

namespace aecnn::agent {
namespace {

class LocalComputingMode : public Mode {
public:
    explicit LocalComputingMode(std::shared_ptr<const DeployedModel> model) : model_(std::move(model))
    {
        // Warm-up: the first forward pass sets up LibTorch's kernels; not part of any t_iot.
        torch::NoGradGuard noGrad;
        const auto& m = *model_->whole;
        m.forward(torch::zeros({1, int64_t(m.inChannels), int64_t(m.usage.inputHeight), int64_t(m.usage.inputWidth)}));
    }

    std::string name() const override { return "local"; }

    void process(const SourceImage& source, protocol::FrameData& frame) override
    {
        torch::NoGradGuard noGrad; // thread-local: created where the forward runs
        const auto start = std::chrono::steady_clock::now();
        const auto& model = *model_->whole;
        const auto logits = model.forward(
            edge::modelInput(source.image, model.usage.normalization, model.usage.inputHeight, model.usage.inputWidth));
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
    if (!model || !model->whole)
        throw Error("local computing runs the whole model on the device: deploy a classifier or a whole split model "
                    "(not a split head)");
    return std::make_unique<LocalComputingMode>(std::move(model));
}

} // namespace aecnn::agent
