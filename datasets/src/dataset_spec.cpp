#include "aecnn/datasets/dataset_spec.h"

#include "aecnn/datasets/dataset_error.h"
#include "aecnn/datasets/fashion_mnist.h"
#include "aecnn/datasets/image_folder.h"
#include "aecnn/datasets/resized_view.h"
#include "aecnn/datasets/synthetic.h"

namespace aecnn::datasets {

std::string datasetSpecHelp()
{
    return "fashion-mnist[:DIR], folder:DIR, synthetic[:N] (fashion-mnist is resized to the model's input, "
           "e.g. 224x224 with its grey channel replicated to RGB)";
}

namespace {

ImageSet keepFirst(const ImageSet& set, int64_t limit, bool needed)
{
    if (!needed)
        return set.head(0);
    return limit > 0 && set.size() > limit ? set.head(limit) : set;
}

DataSplit loadUnlimited(const std::string& spec, const DatasetRequest& request)
{
    const auto colon = spec.find(':');
    const std::string kind = spec.substr(0, colon);
    const std::string argument = colon == std::string::npos ? std::string() : spec.substr(colon + 1);
    if (kind == "fashion-mnist")
        return loadFashionMnist(argument);
    if (kind == "folder") {
        if (argument.empty())
            throw DatasetError("dataset spec 'folder:' needs a directory, e.g. folder:/data/caltech101");
        FolderOptions options;
        options.height = request.height;
        options.width = request.width;
        options.channels = request.channels;
        options.seed = request.seed;
        return loadImageFolder(argument, options);
    }
    if (kind == "synthetic") {
        int64_t count = 1000;
        if (!argument.empty()) {
            try {
                size_t used = 0;
                count = std::stoll(argument, &used);
                if (used != argument.size())
                    throw std::invalid_argument(argument);
            } catch (const std::exception&) {
                throw DatasetError("dataset spec 'synthetic:" + argument + "': N must be an integer");
            }
        }
        return makeSynthetic(count, request.seed, request.height, request.channels);
    }
    throw DatasetError("unknown dataset spec '" + spec + "'; valid forms: " + datasetSpecHelp());
}

} // namespace

DataSplit loadDataset(const std::string& spec, const DatasetRequest& request)
{
    auto split = loadUnlimited(spec, request);
    split.testTotal = split.test.size();
    split.train = keepFirst(split.train, request.trainLimit, request.needTrain);
    split.test = keepFirst(split.test, request.testLimit, request.needTest);
    if (spec.rfind("fashion-mnist", 0) == 0) {
        split.train = resizedView(split.train, request.height, request.width, request.channels,
                                  "Fashion-MNIST training split");
        split.test = resizedView(split.test, request.height, request.width, request.channels, "Fashion-MNIST test split");
    }
    return split;
}

} // namespace aecnn::datasets
