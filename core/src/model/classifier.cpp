#include "aecnn/model/classifier.h"

#include <map>

#include <QFile>
#include <QJsonArray>

#include <torch/serialize.h>
#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/model/torchvision_io.h"
#include "aecnn/error.h"

namespace aecnn {
namespace {

QJsonArray toJsonArray(const std::vector<float>& values)
{
    QJsonArray a;
    for (float v : values)
        a.append(static_cast<double>(v));
    return a;
}

std::vector<float> floatsFromJson(const QJsonValue& value)
{
    std::vector<float> out;
    for (const auto& v : value.toArray())
        out.push_back(static_cast<float>(v.toDouble()));
    return out;
}

} // namespace

void writeUsage(QJsonObject& metadata, const ModelUsage& usage)
{
    QJsonArray classes;
    for (const auto& name : usage.classNames)
        classes.append(QString::fromStdString(name));
    metadata["class_names"] = classes;
    metadata["normalization"] = QJsonObject{{"mean", toJsonArray(usage.normalization.mean)},
                                            {"std", toJsonArray(usage.normalization.std)}};
    metadata["input_size"] = QJsonArray{usage.inputHeight, usage.inputWidth};
    metadata["provenance"] = usage.provenance;
}

ModelUsage readUsage(const QJsonObject& meta, int inChannels, int numClasses, const std::string& source)
{
    ModelUsage usage;
    for (const auto& name : meta.value("class_names").toArray())
        usage.classNames.push_back(name.toString().toStdString());
    if (static_cast<int>(usage.classNames.size()) != numClasses)
        throw Error(source + ": the number of class names does not match the model's outputs");
    const auto norm = meta.value("normalization").toObject();
    usage.normalization = {floatsFromJson(norm.value("mean")), floatsFromJson(norm.value("std"))};
    if (static_cast<int>(usage.normalization.mean.size()) != inChannels ||
        usage.normalization.std.size() != usage.normalization.mean.size())
        throw Error(source + ": normalization does not match the input channels");
    const auto size = meta.value("input_size").toArray();
    usage.inputHeight = size.at(0).toInt(0);
    usage.inputWidth = size.at(1).toInt(0);
    if (usage.inputHeight < 8 || usage.inputWidth < 8 || usage.inputHeight > 4096 || usage.inputWidth > 4096)
        throw Error(source + ": invalid input size");
    usage.provenance = meta.value("provenance").toObject();
    return usage;
}

QJsonObject toJson(const ResNetConfig& config)
{
    QJsonArray planes, depths;
    for (int i = 0; i < 4; ++i) {
        planes.append(config.stagePlanes[i]);
        depths.append(config.stageDepths[i]);
    }
    return {{"in_channels", config.inChannels}, {"num_classes", config.numClasses},
            {"stem_channels", config.stemChannels}, {"stage_planes", planes},
            {"stage_depths", depths}, {"stem", QString::fromStdString(toString(config.stem))}};
}

ResNetConfig resNetConfigFromJson(const QJsonObject& json)
{
    ResNetConfig config;
    config.inChannels = json.value("in_channels").toInt(-1);
    config.numClasses = json.value("num_classes").toInt(-1);
    config.stemChannels = json.value("stem_channels").toInt(-1);
    const auto planes = json.value("stage_planes").toArray();
    const auto depths = json.value("stage_depths").toArray();
    if (planes.size() != 4 || depths.size() != 4)
        throw Error("model configuration needs four stage widths and depths");
    for (int i = 0; i < 4; ++i) {
        config.stagePlanes[i] = planes[i].toInt(-1);
        config.stageDepths[i] = depths[i].toInt(-1);
        if (config.stagePlanes[i] < 1 || config.stagePlanes[i] > 4096 || config.stageDepths[i] < 1 ||
            config.stageDepths[i] > 64)
            throw Error("model configuration has an invalid stage width or depth");
    }
    if (config.inChannels < 1 || config.inChannels > 64 || config.numClasses < 1 || config.numClasses > 100000 ||
        config.stemChannels < 1 || config.stemChannels > 4096)
        throw Error("model configuration has invalid channel or class counts");
    config.stem = stemKindFromString(json.value("stem").toString().toStdString());
    return config;
}

std::vector<std::pair<std::string, torch::Tensor>> stateOf(const torch::nn::Module& module)
{
    std::vector<std::pair<std::string, torch::Tensor>> state;
    for (const auto& item : module.named_parameters())
        state.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers())
        state.emplace_back(item.key(), item.value());
    return state;
}

void loadStateInto(torch::nn::Module& module, const std::vector<std::pair<std::string, torch::Tensor>>& state,
                   const std::string& source)
{
    std::map<std::string, torch::Tensor> byName(state.begin(), state.end());
    torch::NoGradGuard noGrad;
    std::vector<std::string> missing;
    auto assign = [&](const std::string& name, torch::Tensor& target) {
        auto it = byName.find(name);
        if (it == byName.end()) {
            missing.push_back(name);
            return;
        }
        if (it->second.sizes() != target.sizes()) {
            std::ostringstream msg;
            msg << source << ": tensor '" << name << "' has shape " << it->second.sizes() << " but the model expects "
                << target.sizes();
            throw Error(msg.str());
        }
        target.copy_(it->second.to(target.scalar_type()));
        byName.erase(it);
    };
    for (auto& item : module.named_parameters())
        assign(item.key(), item.value());
    for (auto& item : module.named_buffers())
        assign(item.key(), item.value());
    if (!missing.empty())
        throw Error(source + ": " + std::to_string(missing.size()) + " tensors are missing, e.g. '" + missing.front() +
                    "'");
    if (!byName.empty())
        throw Error(source + ": " + std::to_string(byName.size()) + " unexpected tensors, e.g. '" +
                    byName.begin()->first + "'");
}

void saveClassifier(const QString& path, const Classifier& model)
{
    Checkpoint checkpoint;
    checkpoint.metadata = {{"kind", checkpointKindName(CheckpointKind::Classifier)},
                           {"architecture", "resnet50-family"},
                           {"config", toJson(model.net->config())}};
    writeUsage(checkpoint.metadata, model.usage);
    checkpoint.tensors = stateOf(*model.net);
    writeCheckpoint(path, checkpoint);
}

Classifier loadClassifierFile(const QString& path)
{
    const auto checkpoint = readCheckpoint(path, CheckpointKind::Classifier);
    const auto& meta = checkpoint.metadata;
    const auto source = "checkpoint " + path.toStdString();
    Classifier model;
    try {
        model.net = ResNet(resNetConfigFromJson(meta.value("config").toObject()));
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    loadStateInto(*model.net, checkpoint.tensors, source);
    model.usage = readUsage(meta, model.net->config().inChannels, model.net->config().numClasses, source);
    model.net->eval();
    return model;
}

Classifier importTorchvision(const QString& path)
{
    return importTorchvisionFile(path);
}

} // namespace aecnn
