#pragma once

#include <string>

#include <QJsonArray>
#include <QJsonObject>

#include "aecnn/model/classifier.h"
#include "aecnn/model/image_set.h"
#include "aecnn/split/inference_model.h"

namespace aecnn::cli {

// Loads a dataset spec in the geometry a model expects.
DataSplit loadDatasetForModel(const std::string& spec, const Classifier& model, uint64_t seed = 1);
DataSplit loadDatasetForModel(const std::string& spec, const InferenceModel& model, uint64_t seed = 1);

// The first `limit` items (0 = all).
ImageSet limited(const ImageSet& set, int limit);

QJsonArray toJsonArray(const std::vector<double>& values);

} // namespace aecnn::cli
