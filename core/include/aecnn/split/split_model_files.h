#pragma once
// Where split models live on disk and what they are called.

#include <string>

#include <QString>
#include <QStringList>

#include "aecnn/split/split_model.h"

namespace aecnn {

// The file name Algorithm 1 gives a split model: split<L>-v<V>-<variant>.aecnn.
QString splitModelFileName(int split, int ratio, SplitVariant variant);

// The shipped demo split models (splits 1 and 2, every V of Table I, FR or
// BottleNet++ trained on the frozen default model), next to the default model.
QString demoSplitModelDir();

// The split model file for (split, ratio, variant) named as Algorithm 1 names it
// (split<L>-v<V>-<variant>.aecnn), looked for in `preferredDirs` (e.g. the studio's
// training cache) and then in demoSplitModelDir(); empty when there is none.
// Throws aecnn::Error for an unknown variant.
QString findSplitModel(int split, int ratio, const std::string& variant, const QStringList& preferredDirs = {});

} // namespace aecnn
