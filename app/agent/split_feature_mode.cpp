#include <chrono>

#include <torch/torch.h>

#include "aecnn/codec/session_layout.h"
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

// Framing "session": the edge's layout (Configure key session_layout) is the contract. Its
// fixed ranges and context priors, if any, are adopted; everything else must be what this head and these
// settings give, or the stream does not start.
TransportSettings withEdgeRanges(TransportSettings settings, const std::string& edgeLayout)
{
    if (settings.framing != "session")
        return settings;
    if (edgeLayout.empty())
        throw Error("framing 'session' needs the edge's session layout (Configure key session_layout), which it did "
                    "not send; update the edge or use framing 'frame'");
    const QByteArray bytes = QByteArray::fromBase64(QByteArray::fromStdString(edgeLayout));
    const auto layout = codec::parseLayout(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    settings.fixedRanges = layout.fixedRanges;
    settings.contextPriors = layout.contextPriors;
    return settings;
}

void requireEdgeLayout(const SplitTransport& transport, const std::string& edgeLayout)
{
    if (!transport.sessionFramed())
        return;
    const QByteArray bytes = QByteArray::fromBase64(QByteArray::fromStdString(edgeLayout));
    const auto edge = codec::parseLayout(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
    if (edge != transport.sessionLayout())
        throw Error("the edge's session layout (" + codec::describeLayout(edge) + ", id " +
                    std::to_string(codec::layoutId(edge)) + ") differs from this device's (" +
                    codec::describeLayout(transport.sessionLayout()) + ", id " +
                    std::to_string(codec::layoutId(transport.sessionLayout())) +
                    "): device and edge must run the same split model, codec settings and dictionary");
}

// Head on the device, then quantize + entropy code the transmitted tensor into one
// codec frame (SplitTransport, the same path as `aecnn eval --codec`).
class SplitFeatureMode : public Mode {
public:
    SplitFeatureMode(edge::SplitHeadModel head, const TransportSettings& settings, const std::string& edgeLayout)
        : head_(std::move(head)),
          transport_(edge::transmittedLayout(head_), withEdgeRanges(withDictionary(settings, head_), edgeLayout))
    {
        requireEdgeLayout(transport_, edgeLayout);
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

    bool sessionFramed() const override { return transport_.sessionFramed(); }

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
    return std::make_unique<AecnnMode>(head, settings.transport, settings.sessionLayout);
}

std::unique_ptr<Mode> makeBottleNetMode(const StreamSettings& settings, std::shared_ptr<const DeployedModel> model)
{
    const auto& head = requireHead(model, "bottlenetpp", "bottlenetpp");
    if (head.variant != SplitVariant::BottleNetPP)
        throw Error("mode 'bottlenetpp' needs a bottlenetpp head, but a " + toString(head.variant) +
                    " head is deployed; use mode 'aecnn' or deploy another model");
    return std::make_unique<BottleNetMode>(head, settings.transport, settings.sessionLayout);
}

} // namespace aecnn::agent
