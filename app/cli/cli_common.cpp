#include "cli_common.h"

#include "aecnn/datasets/dataset_error.h"
#include "aecnn/datasets/dataset_spec.h"

namespace aecnn::cli {

namespace {

DataSplit loadDatasetWithGeometry(const std::string& spec, int channels, int height, int width, int numClasses,
                                  uint64_t seed, const DataLimits& limits)
{
    datasets::DatasetRequest request;
    request.height = height;
    request.width = width;
    request.channels = channels;
    request.seed = seed;
    request.trainLimit = limits.train;
    request.testLimit = limits.test;
    request.needTrain = limits.needTrain;
    request.needTest = limits.needTest;
    auto split = datasets::loadDataset(spec, request);
    if (split.test.channels() != request.channels || split.test.height() != request.height ||
        split.test.width() != request.width)
        throw datasets::DatasetError("dataset '" + spec + "' has images of " + std::to_string(split.test.channels()) +
                                     "x" + std::to_string(split.test.height()) + "x" +
                                     std::to_string(split.test.width()) + " but the model expects " +
                                     std::to_string(request.channels) + "x" + std::to_string(request.height) + "x" +
                                     std::to_string(request.width));
    if (static_cast<int>(split.test.classNames.size()) > numClasses)
        throw datasets::DatasetError("dataset '" + spec + "' has more classes than the model's outputs");
    return split;
}

} // namespace

DataSplit loadDatasetForModel(const std::string& spec, const Classifier& model, uint64_t seed, const DataLimits& limits)
{
    return loadDatasetWithGeometry(spec, model.net->config().inChannels, model.usage.inputHeight,
                                   model.usage.inputWidth, model.net->config().numClasses, seed, limits);
}

DataSplit loadDatasetForModel(const std::string& spec, const InferenceModel& model, uint64_t seed, const DataLimits& limits)
{
    return loadDatasetWithGeometry(spec, model.inChannels, model.usage.inputHeight, model.usage.inputWidth,
                                   static_cast<int>(model.usage.classNames.size()), seed, limits);
}

DataSplit loadDatasetForModel(const std::string& spec, const AecnnClassifier& model, uint64_t seed,
                              const DataLimits& limits)
{
    return loadDatasetWithGeometry(spec, model.net->config().inChannels, model.usage.inputHeight,
                                   model.usage.inputWidth, model.net->config().numClasses, seed, limits);
}

ImageSet limited(const ImageSet& set, int limit)
{
    return limit > 0 ? set.head(limit) : set;
}

QJsonArray toJsonArray(const std::vector<double>& values)
{
    QJsonArray out;
    for (double v : values)
        out.append(v);
    return out;
}

} // namespace aecnn::cli
