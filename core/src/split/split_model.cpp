#include "aecnn/split/split_model.h"

#include <QJsonArray>

#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/model/classifier.h"
#include "aecnn/error.h"
#include "aecnn/method/importance.h"
#include "aecnn/model/split_info.h"

namespace aecnn {
namespace {

int channelsAt(const ResNetImpl& net, int split)
{
    return split == 1 ? net.config().stemChannels : net.blockAt(split)->outChannels();
}

} // namespace

std::string toString(SplitVariant variant)
{
    switch (variant) {
    case SplitVariant::CaPruned: return "ca_pruned";
    case SplitVariant::Aecnn: return "aecnn";
    case SplitVariant::BottleNetPP: return "bottlenetpp";
    }
    return "?";
}

SplitVariant splitVariantFromString(const std::string& name)
{
    for (auto v : {SplitVariant::CaPruned, SplitVariant::Aecnn, SplitVariant::BottleNetPP})
        if (toString(v) == name)
            return v;
    throw Error("unknown split model variant '" + name + "'; valid: ca_pruned, aecnn, bottlenetpp");
}

AecnnModelImpl::AecnnModelImpl(SplitVariant variant, const ResNetImpl& source, int split, std::vector<int64_t> kept,
                               int ratio, int recoveryWidth)
    : variant_(variant), config_(source.config()), split_(split), ratio_(ratio), kept_(std::move(kept))
{
    requireSplitPoint(config_, split);
    channels_ = channelsAt(source, split);
    if (variant == SplitVariant::BottleNetPP) {
        kept_.clear();
        head = register_module("head", SplitHead(source, split, std::vector<int64_t>{}));
        bottleneck = register_module("bottleneck", BottleNetPP(channels_, ratio));
        tail = register_module("tail", SplitTail(source, split, std::vector<int64_t>{}));
        return;
    }
    if (static_cast<int>(kept_.size()) != keptChannelCount(channels_, ratio))
        throw Error("ratio " + std::to_string(ratio) + " keeps " + std::to_string(keptChannelCount(channels_, ratio)) +
                    " of " + std::to_string(channels_) + " channels, but " + std::to_string(kept_.size()) +
                    " kept channels were given");
    head = register_module("head", SplitHead(source, split, kept_));
    if (variant == SplitVariant::CaPruned) {
        tail = register_module("tail", SplitTail(source, split, kept_));
    } else {
        recoveryWidth_ = recoveryWidth;
        recovery = register_module("recovery", FeatureRecovery(channels_, kept_, recoveryWidth));
        tail = register_module("tail", SplitTail(source, split, std::vector<int64_t>{}));
    }
}

int AecnnModelImpl::transmittedChannels() const
{
    return variant_ == SplitVariant::BottleNetPP ? bottleneck->codeChannels() : static_cast<int>(kept_.size());
}

torch::Tensor AecnnModelImpl::encode(const torch::Tensor& x)
{
    const auto feature = head->forward(x);
    return variant_ == SplitVariant::BottleNetPP ? bottleneck->encode(feature) : feature;
}

torch::Tensor AecnnModelImpl::decode(const torch::Tensor& transmitted)
{
    switch (variant_) {
    case SplitVariant::CaPruned: return tail->forward(transmitted);
    case SplitVariant::Aecnn: return tail->forward(recovery->forward(transmitted));
    case SplitVariant::BottleNetPP: return tail->forward(bottleneck->decode(transmitted));
    }
    throw Error("invalid split model variant");
}

AecnnModel insertFeatureRecovery(AecnnModelImpl& caPruned, const ResNetImpl& reference, int recoveryWidth)
{
    if (caPruned.variant() != SplitVariant::CaPruned)
        throw Error("feature recovery is inserted into a CA_Pruned model, not into '" + toString(caPruned.variant()) + "'");
    if (!(reference.config() == caPruned.config()))
        throw Error("the reference network does not have the CA_Pruned model's architecture");
    AecnnModel model(SplitVariant::Aecnn, reference, caPruned.split(), caPruned.kept(), caPruned.ratio(), recoveryWidth);
    {
        torch::NoGradGuard noGrad;
        auto from = caPruned.head->named_parameters();
        auto to = model->head->named_parameters();
        for (const auto& item : from)
            to[item.key()].copy_(item.value());
        auto fromBuffers = caPruned.head->named_buffers();
        auto toBuffers = model->head->named_buffers();
        for (const auto& item : fromBuffers)
            toBuffers[item.key()].copy_(item.value());
    }
    copyIntoWiderTail(*caPruned.tail, caPruned.kept(), *model->tail);
    return model;
}

SplitModelCost describeSplitModel(AecnnModelImpl& model, int inputHeight, int inputWidth)
{
    SplitModelCost cost;
    int h = inputHeight, w = inputWidth;
    cost.headMacs = model.head->macs(h, w);
    cost.featureHeight = h;
    cost.featureWidth = w;
    cost.transmittedElements = static_cast<int64_t>(model.transmittedChannels()) * h * w;
    cost.headParams = parameterCount(*model.head);
    if (model.recovery) {
        cost.codecMacs = model.recovery->macs(h, w);
        cost.codecParams = parameterCount(*model.recovery);
    } else if (model.bottleneck) {
        cost.codecMacs = model.bottleneck->encoderMacs(h, w) + model.bottleneck->decoderMacs(h, w);
        cost.codecParams = parameterCount(*model.bottleneck);
    }
    cost.tailMacs = model.tail->macs(h, w);
    cost.tailParams = parameterCount(*model.tail);
    return cost;
}

QJsonObject codecDictionaryToJson(const codec::ZstdDictionary& dictionary, const QJsonObject& trainedOn)
{
    if (dictionary.id() == 0)
        throw Error("the split model's codec dictionary is not a zstd dictionary; train it with aecnn codec train-dict");
    QJsonObject json{{"id", static_cast<qint64>(dictionary.id())},
                     {"size", static_cast<qint64>(dictionary.bytes.size())},
                     {"base64", QString::fromLatin1(QByteArray(reinterpret_cast<const char*>(dictionary.bytes.data()),
                                                               static_cast<qsizetype>(dictionary.bytes.size()))
                                                        .toBase64())}};
    if (!trainedOn.isEmpty())
        json["trained_on"] = trainedOn;
    return json;
}

codec::ZstdDictionary codecDictionaryFromJson(const QJsonObject& json)
{
    const auto bytes = QByteArray::fromBase64(json.value("base64").toString().toLatin1());
    codec::ZstdDictionary dictionary;
    dictionary.bytes.assign(bytes.begin(), bytes.end());
    if (dictionary.bytes.empty() || dictionary.bytes.size() != size_t(json.value("size").toInteger(-1)) ||
        dictionary.id() != json.value("id").toInteger(-1))
        throw Error("the stored codec dictionary is damaged (size or id mismatch); retrain it with "
                    "aecnn codec train-dict --model ... --store");
    return dictionary;
}

void saveAecnnClassifier(const QString& path, const AecnnClassifier& model, const QString& basePath)
{
    const auto& net = *model.net;
    QJsonArray kept;
    for (auto c : net.kept())
        kept.append(static_cast<qint64>(c));
    Checkpoint checkpoint;
    checkpoint.metadata = {{"kind", checkpointKindName(CheckpointKind::SplitModel)},
                           {"architecture", "resnet50-family-split"},
                           {"variant", QString::fromStdString(toString(net.variant()))},
                           {"config", toJson(net.config())},
                           {"split", net.split()},
                           {"ratio", net.ratio()},
                           {"feature_channels", net.featureChannels()},
                           {"kept_channels", kept},
                           {"recovery_width", net.recoveryWidth()}};
    if (!model.codecDictionary.bytes.empty())
        checkpoint.metadata["codec_dictionary"] = codecDictionaryToJson(model.codecDictionary, model.codecDictionaryInfo);
    writeUsage(checkpoint.metadata, model.usage);
    checkpoint.tensors = stateOf(net);
    writeCheckpoint(path, checkpoint, basePath);
}

AecnnClassifier loadAecnnClassifierFile(const QString& path)
{
    const auto checkpoint = readCheckpoint(path, CheckpointKind::SplitModel);
    const auto& meta = checkpoint.metadata;
    const auto source = "checkpoint " + path.toStdString();
    AecnnClassifier model;
    try {
        const auto config = resNetConfigFromJson(meta.value("config").toObject());
        std::vector<int64_t> kept;
        for (const auto& c : meta.value("kept_channels").toArray())
            kept.push_back(c.toInteger(-1));
        ResNet skeleton(config); // gives the structure; its weights are replaced below
        model.net = AecnnModel(splitVariantFromString(meta.value("variant").toString().toStdString()), *skeleton,
                               meta.value("split").toInt(-1), kept, meta.value("ratio").toInt(-1),
                               meta.value("recovery_width").toInt(0));
        if (meta.contains("codec_dictionary")) {
            const auto json = meta.value("codec_dictionary").toObject();
            model.codecDictionary = codecDictionaryFromJson(json);
            model.codecDictionaryInfo = json.value("trained_on").toObject();
        }
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    loadStateInto(*model.net, checkpoint.tensors, source);
    model.usage = readUsage(meta, model.net->config().inChannels, model.net->config().numClasses, source);
    model.net->eval();
    return model;
}

} // namespace aecnn
