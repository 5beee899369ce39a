#include <torch/torch.h>

#include "aecnn/split/inference_model.h"
#include "cli_common.h"
#include "cmd_codec_eval.h"
#include "command.h"
#include "run_resources.h"

namespace aecnn::cli {
namespace {

QJsonObject runEval(const ParsedArgs& args, CommandContext& context)
{
    const std::string modelSpec = args.text("model");
    const std::string dataSpec = args.text("dataset");
    const std::string which = args.text("subset");
    if (which != "test" && which != "train")
        throw UsageError("--subset must be 'test' or 'train', got '" + which + "'");
    const int limit = args.integer("limit", 0, 1 << 30); // validated before the slow loading below
    const int batchSize = args.integer("batch-size", 1, 4096);
    const bool coded = wantsCodecEval(args);
    if (coded && args.text("device") == "cuda")
        throw UsageError("--codec runs the split model and its codec on the CPU; drop --device cuda (or use "
                         "--device cpu)");
    const auto device = coded ? torch::Device(torch::kCPU) : deviceFromArgs(args);
    const auto transportSettings = transportSettingsFromArgs(args);
    auto model = loadInferenceModel(modelSpec);
    // --calibrate takes its images from the training set: load it too (only as many as needed).
    const int calibrate = coded ? calibrationImages(args, transportSettings.front()) : 0;
    DataLimits limits;
    (which == "test" ? limits.needTrain : limits.needTest) = false;
    (which == "test" ? limits.test : limits.train) = limit;
    if (calibrate > 0) {
        limits.needTrain = true;
        if (which == "test")
            limits.train = calibrate;
    }
    const auto data = loadDatasetForModel(dataSpec, model, 1, limits);
    const auto set = limited(which == "test" ? data.test : data.train, limit);
    if (coded) {
        QJsonObject result{{"model", QString::fromStdString(modelSpec)},
                           {"model_kind", checkpointKindName(model.kind)},
                           {"model_description", model.description},
                           {"dataset", QString::fromStdString(dataSpec)},
                           {"subset", QString::fromStdString(which)}};
        const auto calibration = limited(data.train, calibrate);
        if (calibrate > 0 && calibration.size() < calibrate)
            throw Error("--calibrate " + std::to_string(calibrate) + ": the training set of " + dataSpec + " has only " +
                        std::to_string(calibration.size()) + " images; calibrate on fewer");
        if (calibrate > 0)
            result["calibration_images"] = static_cast<qint64>(calibration.size());
        evaluateWithCodec(modelSpec, model, transportSettings, !args.flag("no-dict"), set, result, context,
                          calibrate > 0 ? &calibration : nullptr, args.flag("context-priors"), batchSize);
        return result;
    }
    model.module->to(device);
    // Batches of at most batchSize images, fewer when they would not fit in memory (memory_budget.h).
    const auto batch = inferenceBatchSize(model.config, model.usage.inputHeight, model.usage.inputWidth, batchSize);
    noteInferenceBatch(batch, "eval", context.text);
    const auto result = evaluateClassifier(*model.module, model.forward, set, batch.batchSize);
    *context.text << "accuracy " << result.accuracy() << " (" << result.correct << "/" << result.count << ") on "
                  << dataSpec << " " << which << "\n";
    QJsonObject json{{"accuracy", result.accuracy()},
                     {"n", static_cast<qint64>(result.count)},
                     {"correct", static_cast<qint64>(result.correct)},
                     {"model", QString::fromStdString(modelSpec)},
                     {"model_kind", checkpointKindName(model.kind)},
                     {"model_description", model.description},
                     {"dataset", QString::fromStdString(dataSpec)},
                     {"subset", QString::fromStdString(which)},
                     {"forward_batch", inferenceBatchJson(batch)},
                     {"memory", peakRssJson()}};
    insertDeviceJson(json, args, device);
    return json;
}

} // namespace

Command evalCommand()
{
    std::vector<OptionSpec> options{modelOption(),
                                    datasetOption(),
                                    {"subset", "NAME", "which split: test or train", "test"},
                                    {"limit", "N", "only the first N images, 0 = all", "0"},
                                    {"batch-size", "N",
                                     "images per forward pass, at most (fewer when memory is short); results can "
                                     "differ in the last float bits between batch sizes; 1 runs the head as a "
                                     "live agent does, one frame at a time",
                                     "128"},
                                    deviceOptionSpec()};
    for (auto& option : evalCodecOptions())
        options.push_back(option);
    return {"eval", "evaluate a model's (classifier or split AECNN/CA_Pruned/BottleNet++ model) top-1 accuracy",
            options, 0, runEval};
}

} // namespace aecnn::cli
