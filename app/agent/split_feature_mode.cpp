#include <chrono>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/split/split_transport.h"
#include "deployed_model_impl.h"
#include "aecnn/split/model_input.h"
#include "modes.h"

namespace aecnn::agent {
namespace {

// zstd coders use the split model's dictionary when it has one, as `aecnn eval --codec` does.
TransportSettings withDictionary(TransportSettings settings, const edge::SplitHeadModel& head)
{
    if (settings.coder.rfind("zstd", 0) == 0 && settings.dictionary.bytes.empty())
        settings.dictionary = head.codecDictionary;
    return settings;
}

// Head on the device, then quantize + entropy code the transmitted tensor into one
// codec frame (SplitTransport, the same path as `aecnn eval --codec`).
class SplitFeatureMode : public Mode {
public:
    SplitFeatureMode(edge::SplitHeadModel head, const TransportSettings& settings)
        : head_(std::move(head)), transport_(edge::transmittedLayout(head_), withDictionary(settings, head_))
    {
        // Warm-up: LibTorch's first forward pass sets up kernels (hundreds of ms) that
        // belong to no frame's t_iot.
        transport_.encode(
            head_.encode(torch::zeros({1, head_.inChannels(), head_.usage.inputHeight, head_.usage.inputWidth})));
    }

    void process(const SourceImage& source, protocol::FrameData& frame) override
    {
        torch::NoGradGuard noGrad; // thread-local: created where the forward runs
        const auto start = std::chrono::steady_clock::now();
        const auto transmitted = head_.encode(
            edge::modelInput(source.image, head_.usage.normalization, head_.usage.inputHeight, head_.usage.inputWidth));
        frame.iotMs = msSince(start);
        const auto encodeStart = std::chrono::steady_clock::now();
        const auto bytes = transport_.encode(transmitted, nullptr, &workspace_);
        frame.encMs = msSince(encodeStart);
        frame.kind = "features";
        frame.predicted = -1;
        frame.payload = QByteArray(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
    }

private:
    edge::SplitHeadModel head_;
    SplitTransport transport_;
    codec::CoderWorkspace workspace_;
};

class AecnnMode : public SplitFeatureMode {
public:
    using SplitFeatureMode::SplitFeatureMode;
    std::string name() const override { return "aecnn"; }
};

class BottleNetMode : public SplitFeatureMode {
public:
    using SplitFeatureMode::SplitFeatureMode;
    std::string name() const override { return "bottlenetpp"; }
};

const edge::SplitHeadModel& requireHead(const std::shared_ptr<const DeployedModel>& model, const std::string& mode,
                                        const std::string& variants)
{
    if (!model || !model->head)
        throw Error("mode '" + mode + "' runs a split head on the device: deploy one first (the edge extracts it from a " +
                    variants + " split model)");
    return *model->head;
}

} // namespace

std::unique_ptr<Mode> makeAecnnMode(const StreamSettings& settings, std::shared_ptr<const DeployedModel> model)
{
    const auto& head = requireHead(model, "aecnn", "aecnn or ca_pruned");
    if (head.variant == SplitVariant::BottleNetPP)
        throw Error("mode 'aecnn' needs an aecnn or ca_pruned head, but a bottlenetpp head is deployed; use mode "
                    "'bottlenetpp' or deploy another model");
    return std::make_unique<AecnnMode>(head, settings.transport);
}

std::unique_ptr<Mode> makeBottleNetMode(const StreamSettings& settings, std::shared_ptr<const DeployedModel> model)
{
    const auto& head = requireHead(model, "bottlenetpp", "bottlenetpp");
    if (head.variant != SplitVariant::BottleNetPP)
        throw Error("mode 'bottlenetpp' needs a bottlenetpp head, but a " + toString(head.variant) +
                    " head is deployed; use mode 'aecnn' or deploy another model");
    return std::make_unique<BottleNetMode>(head, settings.transport);
}

} // namespace aecnn::agent
