#pragma once

#include <functional>
#include <memory>
#include <string>

#include <QString>

#include <torch/nn.h>

#include "aecnn/model/checkpoint_kind.h"
#include "aecnn/model/classifier.h"

namespace aecnn {

// Any saved model that maps images to logits: a plain classifier or a split
// AECNN / CA_Pruned / BottleNet++ model. What `eval` and `predict` work on.
struct InferenceModel {
    CheckpointKind kind = CheckpointKind::Classifier; // Classifier or SplitModel
    QString description;
    std::shared_ptr<torch::nn::Module> module;
    std::function<torch::Tensor(const torch::Tensor&)> forward;
    ModelUsage usage{{}, {}, 28, 28, {}};
    int inChannels = 1;
    ResNetConfig config; // of its network: what inferenceBatchSize (memory_budget.h) needs
};

// Whether `spec` names a split-model checkpoint (kind "aecnn", what aecnn-train writes)
// rather than a classifier spec; reads only the file's metadata.
bool isSplitModelSpec(const std::string& spec);

// Accepts every model spec (see model_spec.h) and split-model checkpoints.
InferenceModel loadInferenceModel(const std::string& spec);

} // namespace aecnn
