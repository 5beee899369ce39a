#include "aecnn/model/checkpoint_kind.h"

#include "aecnn/error.h"

namespace aecnn {

const std::vector<CheckpointKindInfo>& checkpointKinds()
{
    static const std::vector<CheckpointKindInfo> kinds{
        {CheckpointKind::Classifier, "classifier", {}, "a classifier",
         "use a classifier written by `aecnn train`, 'default' or torchvision:FILE"},
        {CheckpointKind::SplitModel, "aecnn", {}, "a split model",
         "use a split model (AECNN, CA_Pruned or BottleNet++) written by `aecnn aecnn-train`, e.g. "
         "resources/models/demo/split1-v16-aecnn.aecnn"},
        {CheckpointKind::SplitHead, "aecnn-head", {}, "a split head",
         "deploy the head of a split model (aecnn edge does this)"},
        {CheckpointKind::CaNetwork, "aecnn_ca_network", {"aecnn-ca-network"}, "a CA-trained network",
         "use a ca-split<L>.ckpt written by `aecnn aecnn-train`"},
        {CheckpointKind::TrainingState, "training-state", {}, "a mid-training state",
         "it is written by an interrupted `aecnn train` (OUT.resume) to continue that run; it holds no finished model"},
    };
    return kinds;
}

const CheckpointKindInfo& checkpointKindInfo(CheckpointKind kind)
{
    for (const auto& info : checkpointKinds())
        if (info.kind == kind)
            return info;
    throw Error("internal error: checkpoint kind " + std::to_string(static_cast<int>(kind)) + " is not in the table");
}

QString checkpointKindName(CheckpointKind kind)
{
    return QString::fromLatin1(checkpointKindInfo(kind).name);
}

std::optional<CheckpointKind> checkpointKindFromName(const QString& name)
{
    for (const auto& info : checkpointKinds()) {
        if (name == QLatin1String(info.name))
            return info.kind;
        for (const char* alias : info.aliases)
            if (name == QLatin1String(alias))
                return info.kind;
    }
    return std::nullopt;
}

std::optional<CheckpointKind> checkpointKindOf(const QJsonObject& metadata)
{
    return checkpointKindFromName(metadata.value("kind").toString());
}

void requireCheckpointKind(const QJsonObject& metadata, CheckpointKind expected, const QString& source)
{
    const auto found = checkpointKindOf(metadata);
    if (found == expected)
        return;
    const auto& want = checkpointKindInfo(expected);
    const QString name = metadata.value("kind").toString();
    std::string what;
    if (found) {
        what = std::string("holds ") + checkpointKindInfo(*found).description + " (kind '" + name.toStdString() + "')";
    } else if (name.isEmpty()) {
        what = "has no model kind in its metadata";
    } else {
        std::string known;
        for (const auto& info : checkpointKinds())
            known += std::string(known.empty() ? "" : ", ") + info.name;
        what = "holds a model of kind '" + name.toStdString() + "', which this build does not know (known: " + known + ")";
    }
    throw Error(source.toStdString() + ": " + what + ", expected " + want.description + "; " + want.remedy);
}

} // namespace aecnn
