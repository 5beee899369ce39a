#pragma once

#include <optional>
#include <vector>

#include <QJsonObject>
#include <QString>

namespace aecnn {

// Every kind of model the project saves in the checkpoint container (checkpoint.h),
// in one table. A checkpoint's metadata field "kind" holds the kind's name.
//
//   kind        name written        what it is                               written by / read by
//   Classifier  "classifier"        whole ResNet-50-family classifier        aecnn train / classifier.h
//   SplitModel  "aecnn"             split AECNN / CA_Pruned / BottleNet++    aecnn aecnn-train / split/split_model.h
//   SplitHead   "aecnn-head"        device half of a split model             aecnn edge (deploy) / split/split_head.h
//   CaNetwork   "aecnn_ca_network"  CA-trained network + importance report   aecnn aecnn-train / algorithm1.h
//   TrainingState "training-state"  a run's mid-training state (resume)      trainClassifier / training_checkpoint.h
//
// Names are part of the file format: files in the field carry them, so a name is
// never changed or reused. Aliases are further names accepted on reading only (the
// consistent hyphenated spelling of a name written with an underscore, so that a
// later writer may switch to it without breaking this reader).
enum class CheckpointKind {
    Classifier,
    SplitModel,
    SplitHead,
    CaNetwork,
    TrainingState,
};

struct CheckpointKindInfo {
    CheckpointKind kind;
    const char* name;                 // what writers put into metadata "kind"
    std::vector<const char*> aliases; // also accepted on reading
    const char* description;          // "a classifier", for messages
    const char* remedy;               // where to get a checkpoint of this kind, for messages
};

// The table, in enum order.
const std::vector<CheckpointKindInfo>& checkpointKinds();
const CheckpointKindInfo& checkpointKindInfo(CheckpointKind kind);
QString checkpointKindName(CheckpointKind kind);
// The kind called `name` (a name or an alias); nullopt for a name no kind has.
std::optional<CheckpointKind> checkpointKindFromName(const QString& name);
// The kind recorded in checkpoint metadata; nullopt when absent or unknown.
std::optional<CheckpointKind> checkpointKindOf(const QJsonObject& metadata);

// Throws aecnn::Error unless `metadata` records `expected`. The message starts with
// `source` (usually the file path), says what the file is and what was expected, and
// where to get the expected kind, e.g.
//   "m.aecnn: is a split-model checkpoint (kind 'aecnn'), expected a classifier; use ..."
void requireCheckpointKind(const QJsonObject& metadata, CheckpointKind expected, const QString& source);

} // namespace aecnn
