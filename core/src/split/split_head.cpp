#include "aecnn/split/split_head.h"

#include <QJsonArray>

#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/model/classifier.h"
#include "aecnn/error.h"

namespace aecnn::edge {
namespace {

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

bool deviceTensor(const std::string& name, SplitVariant variant)
{
    return startsWith(name, "head.") ||
           (variant == SplitVariant::BottleNetPP && startsWith(name, "bottleneck.encoder_"));
}

// The checkpoint tensors under `prefix`, with the prefix removed.
std::vector<std::pair<std::string, torch::Tensor>> under(const Checkpoint& checkpoint, const std::string& prefix)
{
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (const auto& [name, tensor] : checkpoint.tensors)
        if (startsWith(name, prefix))
            state.emplace_back(name.substr(prefix.size()), tensor);
    return state;
}

} // namespace

torch::Tensor SplitHeadModel::encode(const torch::Tensor& x)
{
    torch::NoGradGuard noGrad;
    const auto feature = head->forward(x);
    return variant == SplitVariant::BottleNetPP ? bottleneck->encode(feature) : feature;
}

TransmittedLayout transmittedLayout(SplitHeadModel& model)
{
    TransmittedLayout layout;
    layout.variant = toString(model.variant);
    layout.split = model.split;
    layout.ratio = model.ratio;
    layout.featureChannels = static_cast<uint32_t>(model.featureChannels);
    int h = model.usage.inputHeight, w = model.usage.inputWidth;
    model.head->macs(h, w); // advances h, w to the feature map's size
    layout.height = static_cast<uint32_t>(h);
    layout.width = static_cast<uint32_t>(w);
    if (model.variant == SplitVariant::BottleNetPP) {
        layout.channels = static_cast<uint32_t>(model.bottleneck->codeChannels());
    } else {
        layout.channels = static_cast<uint32_t>(model.kept.size());
        if (layout.channels < layout.featureChannels)
            for (auto c : model.kept)
                layout.kept.push_back(static_cast<uint16_t>(c));
    }
    return layout;
}

QByteArray serializeSplitHead(const AecnnClassifier& model)
{
    const auto& net = *model.net;
    QJsonArray kept;
    for (auto c : net.kept())
        kept.append(static_cast<qint64>(c));
    Checkpoint checkpoint;
    checkpoint.metadata = {{"kind", checkpointKindName(CheckpointKind::SplitHead)},
                           {"variant", QString::fromStdString(toString(net.variant()))},
                           {"config", toJson(net.config())},
                           {"split", net.split()},
                           {"ratio", net.ratio()},
                           {"feature_channels", net.featureChannels()},
                           {"kept_channels", kept}};
    writeUsage(checkpoint.metadata, model.usage);
    if (!model.codecDictionary.bytes.empty())
        checkpoint.metadata["codec_dictionary"] = codecDictionaryToJson(model.codecDictionary);
    for (const auto& [name, tensor] : stateOf(net))
        if (deviceTensor(name, net.variant()))
            checkpoint.tensors.emplace_back(name, tensor);
    return serializeCheckpoint(checkpoint);
}

SplitHeadModel parseSplitHead(const QByteArray& bytes, const QString& source)
{
    const std::string where = source.toStdString();
    const auto checkpoint = parseCheckpoint(bytes, source, CheckpointKind::SplitHead);
    const auto& meta = checkpoint.metadata;
    if (!checkpoint.baseReferences.empty())
        throw Error(where + ": a split head must carry all its tensors (it refers to a base checkpoint)");
    SplitHeadModel model;
    try {
        model.variant = splitVariantFromString(meta.value("variant").toString().toStdString());
        model.split = meta.value("split").toInt(-1);
        model.ratio = meta.value("ratio").toInt(-1);
        model.featureChannels = meta.value("feature_channels").toInt(-1);
        for (const auto& c : meta.value("kept_channels").toArray())
            model.kept.push_back(c.toInteger(-1));
        const auto config = resNetConfigFromJson(meta.value("config").toObject());
        requireSplitPoint(config, model.split);
        if (model.ratio < 1)
            throw Error("invalid ratio " + std::to_string(model.ratio));
        ResNet skeleton(config); // structure only; the head's weights are loaded below
        model.head = SplitHead(*skeleton, model.split, model.variant == SplitVariant::BottleNetPP
                                                           ? std::vector<int64_t>{}
                                                           : model.kept);
        if (model.variant == SplitVariant::BottleNetPP) {
            if (model.head->outChannels() != model.featureChannels)
                throw Error("feature_channels " + std::to_string(model.featureChannels) + " does not match the head's " +
                            std::to_string(model.head->outChannels()));
            model.bottleneck = BottleNetPP(model.featureChannels, model.ratio);
        } else if (model.head->outChannels() != static_cast<int>(model.kept.size())) {
            throw Error("the head computes " + std::to_string(model.head->outChannels()) + " channels but " +
                        std::to_string(model.kept.size()) + " kept channels are listed");
        }
        if (meta.contains("codec_dictionary"))
            model.codecDictionary = codecDictionaryFromJson(meta.value("codec_dictionary").toObject());
        model.usage = readUsage(meta, config.inChannels, config.numClasses, where);
    } catch (const Error& e) {
        throw Error(where + ": " + e.what());
    }
    loadStateInto(*model.head, under(checkpoint, "head."), where);
    if (model.bottleneck) {
        // Only the encoder travels; the decoder keeps its initial values and is never run here.
        auto state = under(checkpoint, "bottleneck.");
        for (const auto& [name, tensor] : stateOf(*model.bottleneck))
            if (startsWith(name, "decoder_"))
                state.emplace_back(name, tensor.clone());
        loadStateInto(*model.bottleneck, state, where);
    }
    for (const auto& [name, tensor] : checkpoint.tensors)
        if (!deviceTensor(name, model.variant))
            throw Error(where + ": unexpected tensor '" + name + "' in a split head");
    model.head->eval();
    if (model.bottleneck)
        model.bottleneck->eval();
    return model;
}

} // namespace aecnn::edge
