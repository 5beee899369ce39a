#include "aecnn/model/training_checkpoint.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"

namespace aecnn {
namespace {

const char* const kModelPrefix = "model/";
const char* const kMomentumPrefix = "optimizer/";

QJsonObject positionJson(const TrainingPosition& p)
{
    return {{"steps", static_cast<qint64>(p.steps)},
            {"epoch", p.epoch},
            {"step_in_epoch", static_cast<qint64>(p.stepInEpoch)},
            {"steps_per_epoch", static_cast<qint64>(p.stepsPerEpoch)},
            {"total_steps", static_cast<qint64>(p.totalSteps)},
            {"batch_size", static_cast<qint64>(p.batchSize)},
            {"loss_sum", p.lossSum},
            {"correct", static_cast<qint64>(p.correct)},
            {"seen", static_cast<qint64>(p.seen)},
            {"elapsed_seconds", p.elapsedSeconds},
            {"rng", QString::fromStdString(p.rngState)}};
}

TrainingPosition positionFromJson(const QJsonObject& o)
{
    TrainingPosition p;
    p.steps = o.value("steps").toInteger();
    p.epoch = o.value("epoch").toInt();
    p.stepInEpoch = o.value("step_in_epoch").toInteger();
    p.stepsPerEpoch = o.value("steps_per_epoch").toInteger();
    p.totalSteps = o.value("total_steps").toInteger();
    p.batchSize = o.value("batch_size").toInteger();
    p.lossSum = o.value("loss_sum").toDouble();
    p.correct = o.value("correct").toInteger();
    p.seen = o.value("seen").toInteger();
    p.elapsedSeconds = o.value("elapsed_seconds").toDouble();
    p.rngState = o.value("rng").toString().toStdString();
    return p;
}

QString jsonText(const QJsonValue& value)
{
    if (value.isUndefined())
        return "(not set)";
    if (value.isString())
        return value.toString();
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

} // namespace

void saveTrainingState(const QString& path, const TrainingState& state)
{
    Checkpoint checkpoint;
    checkpoint.metadata = {{"kind", checkpointKindName(CheckpointKind::TrainingState)},
                           {"position", positionJson(state.position)},
                           {"fingerprint", state.fingerprint}};
    for (const auto& [name, tensor] : state.model)
        checkpoint.tensors.emplace_back(kModelPrefix + name, tensor.detach().to(torch::kCPU));
    for (size_t g = 0; g < state.momentum.size(); ++g)
        for (size_t i = 0; i < state.momentum[g].size(); ++i)
            if (state.momentum[g][i].defined())
                checkpoint.tensors.emplace_back(kMomentumPrefix + std::to_string(g) + "/" + std::to_string(i),
                                                state.momentum[g][i].detach().to(torch::kCPU));
    checkpoint.tensors.emplace_back("order", state.order);
    checkpoint.tensors.emplace_back("torch_generator", state.generator);
    writeCheckpoint(path, checkpoint);
}

TrainingState loadTrainingState(const QString& path)
{
    const auto checkpoint = readCheckpoint(path, CheckpointKind::TrainingState);
    TrainingState state;
    state.position = positionFromJson(checkpoint.metadata.value("position").toObject());
    state.fingerprint = checkpoint.metadata.value("fingerprint").toObject();
    const std::string model = kModelPrefix, momentum = kMomentumPrefix;
    for (const auto& [name, tensor] : checkpoint.tensors) {
        if (name.rfind(model, 0) == 0) {
            state.model.emplace_back(name.substr(model.size()), tensor);
        } else if (name.rfind(momentum, 0) == 0) {
            const auto rest = name.substr(momentum.size());
            const auto slash = rest.find('/');
            if (slash == std::string::npos)
                throw Error(path.toStdString() + ": malformed optimizer entry '" + name + "'");
            const auto group = static_cast<size_t>(std::stoul(rest.substr(0, slash)));
            const auto index = static_cast<size_t>(std::stoul(rest.substr(slash + 1)));
            if (state.momentum.size() <= group)
                state.momentum.resize(group + 1);
            if (state.momentum[group].size() <= index)
                state.momentum[group].resize(index + 1);
            state.momentum[group][index] = tensor;
        } else if (name == "order") {
            state.order = tensor;
        } else if (name == "torch_generator") {
            state.generator = tensor;
        }
    }
    if (!state.order.defined() || !state.generator.defined() || state.position.rngState.empty())
        throw Error(path.toStdString() + ": incomplete training state (no data order, generator or RNG state); "
                                         "delete it to start the run over");
    return state;
}

void requireSameFingerprint(const QJsonObject& saved, const QJsonObject& current, const QString& path)
{
    QStringList keys = saved.keys();
    for (const auto& key : current.keys())
        if (!keys.contains(key))
            keys << key;
    for (const auto& key : keys) {
        if (saved.value(key) == current.value(key))
            continue;
        throw Error(path.toStdString() + " is the checkpoint of a run with " + key.toStdString() + " " +
                    jsonText(saved.value(key)).toStdString() + ", but this run has " + key.toStdString() + " " +
                    jsonText(current.value(key)).toStdString() +
                    ": rerun with the same options to continue that run, or delete the file (or pass --fresh) to "
                    "start over");
    }
}

} // namespace aecnn
