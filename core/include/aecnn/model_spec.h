#pragma once

#include <string>

#include <QString>
#include <QStringList>

#include "aecnn/classifier.h"

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

// The shipped demo split models (splits 1 and 2, every V of Table I, FR or
// BottleNet++ trained on the frozen default model), next to the default model.
QString demoSplitModelDir();

// The split model file for (split, ratio, variant) named as Algorithm 1 names it
// (split<L>-v<V>-<variant>.aecnn), looked for in `preferredDirs` (e.g. the studio's
// training cache) and then in demoSplitModelDir(); empty when there is none.
// Throws aecnn::Error for an unknown variant.
QString findSplitModel(int split, int ratio, const std::string& variant, const QStringList& preferredDirs = {});

} // namespace aecnn
