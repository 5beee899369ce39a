#pragma once

// Only for .cpp files that run the model (they include LibTorch anyway).
#include <optional>

#include "aecnn/split/split_head.h"
#include "aecnn/split/inference_model.h"
#include "deployed_model.h"

namespace aecnn::agent {

// Exactly one of the two is set, by the kind of checkpoint the edge deployed.
struct DeployedModel {
    std::optional<InferenceModel> whole;       // classifier or whole split model: local computing
    std::optional<edge::SplitHeadModel> head;  // split head ("aecnn-head"): AECNN / BottleNet++
    QString name;
};

} // namespace aecnn::agent
