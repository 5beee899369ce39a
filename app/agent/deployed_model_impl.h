#pragma once

// Only for .cpp files that run the model (they include LibTorch anyway).
#include "aecnn/classifier.h"
#include "deployed_model.h"

namespace aecnn::agent {

struct DeployedModel {
    Classifier classifier;
    QString name;
};

} // namespace aecnn::agent
