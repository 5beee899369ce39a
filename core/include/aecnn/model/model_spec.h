#pragma once

#include <string>

#include <QString>

#include "aecnn/model/classifier.h"

namespace aecnn {

// Environment variable that points at a different default model.
inline constexpr const char* kDefaultModelEnv = "AECNN_DEFAULT_MODEL";

// The shipped default model: $AECNN_DEFAULT_MODEL, else the installed copy next
// to the executable (../share/aecnn-studio/models), else the source tree's.
QString defaultModelPath();

// Model specs shared by every command: a checkpoint path, `default`, or
// `torchvision:FILE` (a Python torch.save'd ResNet-50 state_dict).
Classifier loadClassifierSpec(const std::string& spec);

std::string modelSpecHelp();

} // namespace aecnn
