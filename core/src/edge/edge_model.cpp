#include "edge_model.h"

#include <chrono>

#include <QFileInfo>
#include <QtEndian>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/codec/bitstream.h"
#include "aecnn/split/model_input.h"
#include "aecnn/split/split_head.h"
#include "aecnn/error.h"
#include "aecnn/model/model_spec.h"

namespace aecnn::edge {
namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

EdgeModel::EdgeModel(const QString& spec) : path_(spec == "default" ? defaultModelPath() : spec)
{
    whole_ = loadInferenceModel(path_.toStdString());
    // Self-contained for the device: a derived model's tensors shared with its base
    // (checkpoint.h) are resolved here, since the base is not on the device.
    auto checkpoint = readCheckpoint(path_, whole_.kind);
    checkpoint.metadata.remove("base");
    fileBytes_ = serializeCheckpoint(checkpoint);
    if (auto net = std::dynamic_pointer_cast<AecnnModelImpl>(whole_.module)) {
        AecnnClassifier split;
        split.net = AecnnModel(net);
        split.usage = whole_.usage;
        split.usage.provenance = {}; // the head deployed to the device has never carried it
        split.codecDictionary = loadAecnnClassifierFile(path_).codecDictionary;
        split_ = std::move(split);
    }
    whole_.module->eval();
}

void EdgeModel::requireMode(const std::string& mode) const
{
    if (mode == "full" || mode == "local")
        return;
    if (mode != "aecnn" && mode != "bottlenetpp")
        throw Error("unknown mode '" + mode + "'; valid: aecnn, bottlenetpp, full, local");
    if (!split_)
        throw Error("mode '" + mode + "' needs a split model (kind aecnn from aecnn-train), but '" +
                    path_.toStdString() + "' is a " + checkpointKindName(whole_.kind).toStdString());
    const auto variant = split_->net->variant();
    if ((mode == "bottlenetpp") != (variant == SplitVariant::BottleNetPP))
        throw Error("mode '" + mode + "' cannot run the " + toString(variant) + " model '" + path_.toStdString() +
                    "'; use mode '" + (variant == SplitVariant::BottleNetPP ? "bottlenetpp" : "aecnn") +
                    "' or a matching model");
}

Deployment EdgeModel::deploymentFor(const std::string& mode) const
{
    requireMode(mode);
    const QString name = QFileInfo(path_).fileName();
    if (mode == "aecnn" || mode == "bottlenetpp")
        return {name + ".head", serializeSplitHead(*split_)};
    return {name, fileBytes_};
}

void EdgeModel::prepare(const std::string& mode, const TransportSettings& transport)
{
    requireMode(mode);
    mode_ = mode;
    transport_.reset();
    if (mode == "aecnn" || mode == "bottlenetpp") {
        // zstd coders use the split model's dictionary when it has one, as `aecnn eval --codec` does.
        TransportSettings settings = transport;
        if (settings.coder.rfind("zstd", 0) == 0 && settings.dictionary.bytes.empty())
            settings.dictionary = split_->codecDictionary;
        transport_.emplace(transmittedLayout(*split_->net, split_->usage.inputHeight, split_->usage.inputWidth),
                           settings);
    }
    // Warm-up: LibTorch sets up its kernels on the first forward pass (hundreds of ms);
    // that belongs to no frame's t_es.
    torch::NoGradGuard noGrad;
    if (transport_) {
        const auto& l = transport_->layout();
        split_->net->decode(torch::zeros({1, int64_t(l.channels), int64_t(l.height), int64_t(l.width)}));
    } else if (mode == "full") {
        whole_.forward(torch::zeros(
            {1, int64_t(whole_.inChannels), int64_t(whole_.usage.inputHeight), int64_t(whole_.usage.inputWidth)}));
    }
}

QByteArray EdgeModel::sessionLayoutBase64() const
{
    if (!sessionFramed())
        return {};
    const auto bytes = codec::serializeLayout(transport_->sessionLayout());
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())).toBase64();
}

void EdgeModel::finish(const std::string& kind, const QByteArray& payload, bool keepFeatures, EdgeFrameResult& result)
{
    torch::NoGradGuard noGrad; // thread-local: created where the forward runs
    if (kind == "features") {
        if (!transport_)
            throw Error("the agent sent features but this stream is in mode '" + mode_ + "'");
        finishFeatures(payload, keepFeatures, result);
    } else if (kind == "jpeg") {
        finishJpeg(payload, result);
    } else if (kind == "result") {
        if (payload.size() != 4)
            throw Error("a 'result' payload must be 4 bytes, got " + std::to_string(payload.size()));
        const int predicted = qFromBigEndian<qint32>(payload.constData());
        if (predicted < 0 || predicted >= static_cast<int>(whole_.usage.classNames.size()))
            throw Error("the device predicted class " + std::to_string(predicted) + " of a " +
                        std::to_string(whole_.usage.classNames.size()) + "-class model");
        result.predicted = predicted;
    } else {
        throw Error("unknown payload kind '" + kind + "' (expected features, jpeg or result)");
    }
}

void EdgeModel::finishFeatures(const QByteArray& payload, bool keepFeatures, EdgeFrameResult& result)
{
    const auto received = decodeFeatures(payload, keepFeatures, result);
    const auto start = Clock::now();
    result.predicted = static_cast<int>(split_->net->decode(received).argmax(1).item<int64_t>());
    result.esMs = msSince(start);
}

std::vector<int> EdgeModel::tailPredict(const torch::Tensor& batch)
{
    if (!split_)
        throw Error("'" + path_.toStdString() + "' has no tail to finish features with");
    torch::NoGradGuard noGrad; // thread-local: created where the forward runs
    const auto classes = split_->net->decode(batch).argmax(1).contiguous();
    std::vector<int> predicted;
    for (int64_t i = 0; i < classes.size(0); ++i)
        predicted.push_back(static_cast<int>(classes[i].item<int64_t>()));
    return predicted;
}

torch::Tensor EdgeModel::decodeFeatures(const QByteArray& payload, bool keepFeatures, EdgeFrameResult& result)
{
    if (!transport_)
        throw Error("the agent sent features but this stream is in mode '" + mode_ + "'");
    torch::NoGradGuard noGrad;
    const auto* bytes = reinterpret_cast<const uint8_t*>(payload.constData());
    const auto size = static_cast<size_t>(payload.size());
    const auto start = Clock::now();
    const auto received = transport_->decode(bytes, size, nullptr, &workspace_);
    result.decMs = msSince(start);
    if (!keepFeatures)
        return received;
    // For the views only, outside the timed stages: the coder's symbols and the values.
    const auto& layout = transport_->layout();
    result.featureChannels = layout.channels;
    result.featureHeight = layout.height;
    result.featureWidth = layout.width;
    result.keptChannels = layout.kept;
    const auto values = received.contiguous();
    result.features.assign(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
    const auto& dictionary = transport_->settings().dictionary;
    const auto* dict = dictionary.bytes.empty() ? nullptr : &dictionary;
    result.symbols = transport_->sessionFramed()
                         ? codec::decodeSessionFrame(bytes, size, transport_->sessionLayout(), dict, &workspace_).symbols.bytes
                         : codec::decodeFrame(bytes, size, {}, dict, &workspace_).symbols.bytes;
    auto& net = *split_->net;
    torch::Tensor rebuilt;
    if (net.recovery)
        rebuilt = net.recovery->forward(received);
    else if (net.bottleneck)
        rebuilt = net.bottleneck->decode(received);
    if (rebuilt.defined()) {
        rebuilt = rebuilt.contiguous();
        result.rebuiltChannels = static_cast<uint32_t>(rebuilt.size(1));
        result.rebuilt.assign(rebuilt.data_ptr<float>(), rebuilt.data_ptr<float>() + rebuilt.numel());
    }
    return received;
}

void EdgeModel::finishJpeg(const QByteArray& payload, EdgeFrameResult& result)
{
    auto start = Clock::now();
    const cv::Mat raw(1, static_cast<int>(payload.size()), CV_8UC1, const_cast<char*>(payload.constData()));
    const cv::Mat image = cv::imdecode(raw, whole_.inChannels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (image.empty())
        throw Error("the agent's JPEG payload (" + std::to_string(payload.size()) + " bytes) cannot be decoded");
    const auto input = modelInput(image, whole_.usage.normalization, whole_.usage.inputHeight, whole_.usage.inputWidth);
    result.decMs = msSince(start);
    start = Clock::now();
    result.predicted = static_cast<int>(whole_.forward(input).argmax(1).item<int64_t>());
    result.esMs = msSince(start);
}

int EdgeModel::splitPoint() const
{
    return split_ ? split_->net->split() : 0;
}

int EdgeModel::ratio() const
{
    return split_ ? split_->net->ratio() : 0;
}

} // namespace aecnn::edge
