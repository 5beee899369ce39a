#pragma once

#include <string>

#include "aecnn/model/image_set.h"

namespace aecnn::datasets {

// Where Debian's dataset-fashion-mnist package installs the data.
inline constexpr const char* kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";
// Environment variable that overrides the default directory.
inline constexpr const char* kFashionMnistDirEnv = "AECNN_FASHION_MNIST_DIR";

// Parses IDX3 (images, uint8 N x 1 x rows x cols) and IDX1 (labels, int64 N)
// from their decompressed bytes; `source` names the file in errors.
torch::Tensor parseIdxImages(const std::string& bytes, const std::string& source);
torch::Tensor parseIdxLabels(const std::string& bytes, const std::string& source);

// Reads a file, gunzipping it when it is gzip'd. Throws DatasetError naming the file.
std::string readMaybeGzipped(const std::string& path);

// Train (60,000) and test (10,000) splits from DIR (or the env var / default).
DataSplit loadFashionMnist(const std::string& dir = {});
std::string resolveFashionMnistDir(const std::string& dir);

} // namespace aecnn::datasets
