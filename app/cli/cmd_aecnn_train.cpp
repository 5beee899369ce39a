#include <chrono>

#include <QDir>
#include <QJsonDocument>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/model/model_spec.h"
#include "cmd_reproduce_options.h"
#include "command.h"
#include "train_resume.h"

namespace aecnn::cli {
namespace {

// The checkpoint file a model spec names, whose tensors frozen-backbone outputs share
// (empty for torchvision imports, which are not AECNN checkpoints).
QString baseCheckpointFile(const std::string& spec)
{
    if (spec == "default")
        return defaultModelPath();
    if (spec.rfind("torchvision:", 0) == 0)
        return {};
    return QString::fromStdString(spec);
}

QJsonObject runAecnnTrain(const ParsedArgs& args, CommandContext& context)
{
    const std::string out = args.text("out");
    if (out.empty())
        throw UsageError("--out DIR is required: the directory for the trained models (reruns resume from it)");
    const auto start = std::chrono::steady_clock::now();
    auto inputs = loadMethodInputs(args, context.text);
    auto options = algorithm1OptionsFor(args, inputs);
    options.frozenBackbone = args.flag("frozen-backbone");
    if (options.frozenBackbone)
        options.baseFile = baseCheckpointFile(args.text("model"));
    options.checkpointEvery = args.integer("checkpoint-every", 0, 1 << 30);
    if (args.has("qat-from")) {
        options.qatFrom = QString::fromStdString(args.text("qat-from"));
        options.bottleNet = false; // only the AECNN model's QAT stage runs
    }
    *context.text << "Algorithm 1 on " << args.text("dataset") << " (" << inputs.data.train.size()
                  << " training images), " << context.threads << " thread(s), output " << out << "\n";
    const QString dir = QString::fromStdString(out);
    const auto result = runStoppableBySignal(options, dir, [&] {
        return runAlgorithm1(inputs.base, inputs.data, options, dir, context.progress, stageLogTo(context.text));
    });
    printAlgorithm1Table(*context.text, result);
    printPeakRss(*context.text);
    auto json = toJson(result);
    json.insert("provenance",
                runProvenance(context, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    json.insert("out", QString::fromStdString(out));
    json.insert("batch", inputs.batch.toJson());
    insertDeviceJson(json, args, options.caTraining.device);
    json.insert("memory", peakRssJson());
    writeFileAtomically(QDir(QString::fromStdString(out)).filePath("results.json"),
                        QJsonDocument(json).toJson(QJsonDocument::Indented));
    return json;
}

} // namespace

Command aecnnTrainCommand()
{
    auto options = algorithm1OptionSpecs("1,2", "2,4,8,16,32,64");
    options.insert(options.begin(), {"out", "DIR", "output directory (a rerun resumes and skips finished models)", ""});
    options.push_back({"checkpoint-every", "STEPS",
                       "save the training stage in progress every STEPS steps (also at epoch ends and on "
                       "SIGINT/SIGTERM) to <out>/<stage>.resume; a rerun continues from it",
                       std::to_string(kDefaultCheckpointEvery)});
    options.push_back({"frozen-backbone", "",
                       "keep head and tail weights: train only FR / BottleNet++, no CA training or CA_Pruned "
                       "fine-tuning; files store only what differs from the input model (demo models)",
                       ""});
    options.push_back({"qat-from", "FILE",
                       "QAT fine-tuning of an existing AECNN model: only the QAT stage runs (--qat-bits, "
                       "--epochs-fr), starting from FILE (give its --splits and --ratios); --model is the model "
                       "it was trained from",
                       ""});
    options.insert(options.begin(), datasetOption());
    options.insert(options.begin(), modelOption());
    return {"aecnn-train",
            "Algorithm 1: CA training, importance, prune + fine-tune (CA_Pruned), FR + fine-tune (AECNN), BottleNet++",
            options, 0, runAecnnTrain};
}

} // namespace aecnn::cli
