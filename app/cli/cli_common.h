#pragma once

#include <string>

#include <QJsonArray>
#include <QJsonObject>

#include "aecnn/model/classifier.h"
#include "aecnn/model/image_set.h"
#include "aecnn/split/inference_model.h"
#include "aecnn/split/split_model.h"

namespace aecnn::cli {

// Which images a command needs: the first N of each split (0 = all), a split it does
// not use comes back empty. Resized views (fashion-mnist at 224x224) are made only
// of these, so large inputs stay within memory.
struct DataLimits {
    int64_t train = 0;
    int64_t test = 0;
    bool needTrain = true;
    bool needTest = true;
};

// Loads a dataset spec in the geometry a model expects.
DataSplit loadDatasetForModel(const std::string& spec, const Classifier& model, uint64_t seed = 1,
                              const DataLimits& limits = {});
DataSplit loadDatasetForModel(const std::string& spec, const InferenceModel& model, uint64_t seed = 1,
                              const DataLimits& limits = {});
DataSplit loadDatasetForModel(const std::string& spec, const AecnnClassifier& model, uint64_t seed = 1,
                              const DataLimits& limits = {});

// The first `limit` items (0 = all).
ImageSet limited(const ImageSet& set, int limit);

QJsonArray toJsonArray(const std::vector<double>& values);

} // namespace aecnn::cli
