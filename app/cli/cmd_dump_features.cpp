#include <QJsonArray>

#include "aecnn/model/model_spec.h"
#include "cli_common.h"
#include "codec_features.h"
#include "command.h"
#include "feature_file.h"
#include "run_resources.h"

namespace aecnn::cli {
namespace {

QJsonObject runDumpFeatures(const ParsedArgs& args, CommandContext& context)
{
    const std::string modelSpec = args.text("model");
    const std::string dataSpec = args.text("dataset");
    if (!args.has("out"))
        throw UsageError("--out X.npy is required");
    const std::string out = args.text("out");
    auto model = loadClassifierSpec(modelSpec);
    const int split = args.integer("split", 1, model.net->splitPointCount());
    const int ratio = args.integer("ratio", 1, 4096);
    DataLimits limits;
    limits.needTrain = false;
    limits.test = args.integer("count", 1, 1 << 20);
    const auto data = loadDatasetForModel(dataSpec, model, 1, limits);
    const auto images = limited(data.test, args.integer("count", 1, 1 << 20));
    std::vector<uint16_t> kept;
    if (ratio > 1)
        kept = keepImportantChannels(model, split, images, ratio);
    const FeatureDump dump = dumpFeatures(model, split, images, kept, ratio);
    QJsonArray labels;
    for (int64_t label : dump.labels)
        labels.append(qint64(label));
    const QJsonObject sidecar{{"model", QString::fromStdString(modelSpec)},
                              {"dataset", QString::fromStdString(dataSpec)},
                              {"split", split},
                              {"ratio", ratio},
                              {"channel_selection", ratio > 1 ? "Eq. 8 importance (mean channel attention)" : "all"},
                              {"labels", labels}};
    saveFeatureFile(out, dump.tensors, sidecar);
    const auto& first = dump.tensors.front();
    *context.text << "wrote " << dump.tensors.size() << " tensors of " << first.channels << "x" << first.height << "x"
                  << first.width << " (kept " << first.channels << " of " << dump.channels << " channels) to " << out
                  << " and " << sidecarPath(out) << "\n";
    return {{"out", QString::fromStdString(out)},
            {"sidecar", QString::fromStdString(sidecarPath(out))},
            {"count", int(dump.tensors.size())},
            {"shape", QJsonArray{int(first.channels), int(first.height), int(first.width)}},
            {"original_channels", int(dump.channels)},
            {"split", split},
            {"ratio", ratio},
            {"forward_batch", inferenceBatchJson(dump.batch)},
            {"memory", peakRssJson()}};
}

} // namespace

Command dumpFeaturesCommand()
{
    return {"dump-features",
            "write real split-point activations (kept channels only when --ratio V > 1) to a .npy file",
            {modelOption(),
             datasetOption(),
             {"split", "L", "split point (1 = after the stem)", "1"},
             {"ratio", "V", "keep the C/V most important channels (Eq. 8); 1 = all", "1"},
             {"count", "N", "number of test images", "64"},
             {"out", "X.npy", "output file; its sidecar X.npy.json records the kept channels", ""}},
            0,
            runDumpFeatures};
}

} // namespace aecnn::cli
