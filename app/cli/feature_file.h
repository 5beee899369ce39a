#pragma once

#include <string>
#include <vector>

#include <QJsonObject>

#include "aecnn/codec/feature_tensor.h"

namespace aecnn::cli {

// Feature tensors on disk: X.npy holds float32 [N, C', H, W] (or [C', H, W]);
// the optional sidecar X.npy.json holds "original_channels" and
// "kept_channels" (plus whatever else the writer recorded: model, split, ...).
std::string sidecarPath(const std::string& npyPath);

std::vector<codec::FeatureTensor> loadFeatureFile(const std::string& npyPath);
// All tensors must share one shape and channel list.
void saveFeatureFile(const std::string& npyPath, const std::vector<codec::FeatureTensor>& tensors,
                     QJsonObject sidecar = {});

} // namespace aecnn::cli
