#include <QJsonArray>

#include "aecnn/model/model_spec.h"
#include "aecnn/split/inference_model.h"
#include "cli_common.h"
#include "codec_features.h"
#include "command.h"
#include "feature_file.h"
#include "run_resources.h"

namespace aecnn::cli {
namespace {

// A split model transmits at its own split point and ratio: --split / --ratio (no defaults, so that
// given ones can be told apart) may repeat them, never change them.
void requireOwnSplit(const ParsedArgs& args, const std::string& spec, int split, int ratio)
{
    for (const auto& [name, own] : {std::pair<std::string, int>{"split", split}, {"ratio", ratio}})
        if (args.has(name) && args.integer(name, 1, 4096) != own)
            throw UsageError(spec + " is a split model of split " + std::to_string(split) + ", V = " +
                             std::to_string(ratio) + ": it transmits its own split and channels; drop --" + name +
                             " (or give a classifier to choose them)");
}

QJsonObject runDumpFeatures(const ParsedArgs& args, CommandContext& context)
{
    const std::string modelSpec = args.text("model");
    const std::string dataSpec = args.text("dataset");
    if (!args.has("out"))
        throw UsageError("--out X.npy is required");
    const std::string out = args.text("out");
    const int count = args.integer("count", 1, 1 << 20);
    DataLimits limits;
    limits.needTrain = false;
    limits.test = count;
    FeatureDump dump;
    QString selection;
    if (isSplitModelSpec(modelSpec)) {
        // The tensor the trained model's device half sends (its pruned channels, before quantization).
        auto model = loadAecnnClassifierFile(QString::fromStdString(modelSpec));
        requireOwnSplit(args, modelSpec, model.net->split(), model.net->ratio());
        const auto data = loadDatasetForModel(dataSpec, model, 1, limits);
        dump = dumpTransmitted(model, limited(data.test, count));
        selection = QString::fromStdString(toString(model.net->variant())) + " model's transmitted tensor (encode())";
    } else {
        auto model = loadClassifierSpec(modelSpec);
        const int split = args.has("split") ? args.integer("split", 1, model.net->splitPointCount()) : 1;
        const int ratio = args.has("ratio") ? args.integer("ratio", 1, 4096) : 1;
        const auto data = loadDatasetForModel(dataSpec, model, 1, limits);
        const auto images = limited(data.test, count);
        std::vector<uint16_t> kept;
        if (ratio > 1)
            kept = keepImportantChannels(model, split, images, ratio);
        dump = dumpFeatures(model, split, images, kept, ratio);
        selection = ratio > 1 ? "Eq. 8 importance (mean channel attention)" : "all";
    }
    QJsonArray labels;
    for (int64_t label : dump.labels)
        labels.append(qint64(label));
    QJsonArray kept;
    for (uint16_t channel : dump.kept)
        kept.append(int(channel));
    const QJsonObject sidecar{{"model", QString::fromStdString(modelSpec)},
                              {"dataset", QString::fromStdString(dataSpec)},
                              {"split", dump.split},
                              {"ratio", dump.ratio},
                              {"channel_selection", selection},
                              {"labels", labels}};
    saveFeatureFile(out, dump.tensors, sidecar);
    const auto& first = dump.tensors.front();
    *context.text << "wrote " << dump.tensors.size() << " tensors of " << first.channels << "x" << first.height << "x"
                  << first.width << " (" << first.channels << " transmitted of " << dump.channels
                  << " channels) to " << out << " and " << sidecarPath(out) << "\n";
    return {{"out", QString::fromStdString(out)},
            {"sidecar", QString::fromStdString(sidecarPath(out))},
            {"count", int(dump.tensors.size())},
            {"shape", QJsonArray{int(first.channels), int(first.height), int(first.width)}},
            {"original_channels", int(dump.channels)},
            {"kept_channels", kept},
            {"channel_selection", selection},
            {"split", dump.split},
            {"ratio", dump.ratio},
            {"forward_batch", inferenceBatchJson(dump.batch)},
            {"memory", peakRssJson()}};
}

} // namespace

Command dumpFeaturesCommand()
{
    return {"dump-features",
            "write real split-point activations to a .npy file: a classifier's at --split (the Eq. 8 kept "
            "channels when --ratio V > 1), or what a split model (aecnn-train's .aecnn) transmits",
            {modelOption(),
             datasetOption(),
             {"split", "L", "a classifier's split point (1 = after the stem; default 1); a split model's own", ""},
             {"ratio", "V", "keep the C/V most important channels (Eq. 8; default 1 = all); a split model's own", ""},
             {"count", "N", "number of test images", "64"},
             {"out", "X.npy", "output file; its sidecar X.npy.json records the kept channels", ""}},
            0,
            runDumpFeatures};
}

} // namespace aecnn::cli
