#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSysInfo>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/model/classifier.h"
#include "aecnn/model/model_spec.h"
#include "aecnn/model/transfer_learning.h"
#include "aecnn/datasets/dataset_error.h"
#include "aecnn/datasets/dataset_spec.h"
#include "cli_common.h"
#include "command.h"
#include "run_resources.h"
#include "train_resume.h"

namespace aecnn::cli {
namespace {

// Options that describe a fresh network; with --init the network comes from the file.
const char* const kArchitectureOptions[] = {"width", "stage-planes", "stem-channels", "stem"};

// Options whose change makes a continued run another run: a checkpoint written with
// other values is refused (--device and --threads may change between the parts).
const std::vector<std::string> kFingerprintOptions = {
    "dataset", "init",  "freeze", "epochs",       "batch-size", "batch-size-fit", "lr",         "weight-decay",
    "width",   "stage-planes", "stem-channels", "stem", "input", "channels",       "seed",       "split-seed",
    "no-augment", "max-steps", "train-limit"};

ResNetConfig configFromArgs(const ParsedArgs& args, int inChannels, int numClasses)
{
    const double width = args.has("width") ? args.number("width", 0.01, 8.0) : 0.25;
    const std::string stem = args.has("stem") ? args.text("stem") : "small";
    auto config = ResNetConfig::resnet50(numClasses, inChannels, width, stemKindFromString(stem));
    if (args.has("stage-planes")) {
        const auto planes = args.integerList("stage-planes", 1, 4096);
        if (planes.size() != 4)
            throw UsageError("--stage-planes needs four comma-separated widths, e.g. 64,32,64,128");
        std::copy(planes.begin(), planes.end(), config.stagePlanes.begin());
    }
    config.stemChannels = args.has("stem-channels") ? args.integer("stem-channels", 1, 4096) : 64;
    return config;
}

// What a run starts from: --init's network (transfer learning) or nothing (a fresh one).
struct TrainStart {
    std::string initSpec; // empty: a fresh network
    Classifier pretrained;
    FrozenPart frozen = FrozenPart::None;
    bool transfer() const { return !initSpec.empty(); }
};

TrainStart trainStartFromArgs(const ParsedArgs& args)
{
    TrainStart start;
    try {
        start.frozen = frozenPartFromString(args.text("freeze"));
    } catch (const Error& e) {
        throw UsageError(std::string("--freeze: ") + e.what());
    }
    if (!args.has("init")) {
        if (start.frozen != FrozenPart::None)
            throw UsageError("--freeze " + toString(start.frozen) +
                             " needs --init (a pretrained network whose first stages are kept)");
        return start;
    }
    start.initSpec = args.text("init");
    for (const char* option : kArchitectureOptions)
        if (args.has(option))
            throw UsageError(std::string("--") + option + " cannot be combined with --init: the architecture comes from " +
                             start.initSpec + "; drop --" + option);
    start.pretrained = loadClassifierSpec(start.initSpec);
    return start;
}

// The dataset geometry: --input/--channels when given, else the init network's
// (224x224 RGB for a torchvision ImageNet file), else 28x28 grayscale.
datasets::DatasetRequest datasetRequestFromArgs(const ParsedArgs& args, const TrainStart& start)
{
    datasets::DatasetRequest request;
    if (args.has("input")) {
        std::tie(request.height, request.width) = args.size("input");
    } else if (start.transfer()) {
        request.height = start.pretrained.usage.inputHeight;
        request.width = start.pretrained.usage.inputWidth;
    }
    if (args.has("channels"))
        request.channels = args.integer("channels", 1, 3);
    else if (start.transfer())
        request.channels = start.pretrained.net->config().inChannels;
    request.seed = static_cast<uint64_t>(args.integer("split-seed", 0, 1 << 30));
    if (start.transfer() && request.channels != start.pretrained.net->config().inChannels)
        throw UsageError("--channels " + std::to_string(request.channels) + " does not fit --init " + start.initSpec +
                         ": its conv1 takes " + std::to_string(start.pretrained.net->config().inChannels) +
                         "-channel images; drop --channels (an ImageNet network needs RGB images)");
    return request;
}

void requireInitChannels(const TrainStart& start, const ImageSet& train, const std::string& spec)
{
    const int expected = start.pretrained.net->config().inChannels;
    if (train.channels() != expected)
        throw datasets::DatasetError("dataset '" + spec + "' has " + std::to_string(train.channels()) +
                                     "-channel images but --init " + start.initSpec + " expects " +
                                     std::to_string(expected) + " channels" +
                                     (expected == 3 ? " (RGB; e.g. folder:DIR, not the grayscale fashion-mnist)" : ""));
}

// One-row CSV describing the run, with the command and machine in comments.
void writeTrainingRecord(const QString& path, const QJsonObject& provenance, const std::string& checkpoint)
{
    QByteArray csv;
    csv += "# command: " + provenance.value("command").toString().toUtf8() + "\n";
    csv += "# machine: " + provenance.value("machine").toString().toUtf8() + "; date: " +
           provenance.value("date").toString().toUtf8() + "\n";
    csv += "checkpoint,dataset,epochs,seed,threads,test_accuracy,test_images,train_seconds\n";
    csv += QString("%1,%2,%3,%4,%5,%6,%7,%8\n")
               .arg(QString::fromStdString(checkpoint).section('/', -1), provenance.value("dataset").toString())
               .arg(provenance.value("epochs").toInt())
               .arg(provenance.value("seed").toInteger())
               .arg(provenance.value("threads").toInt())
               .arg(provenance.value("test_accuracy").toDouble(), 0, 'f', 4)
               .arg(provenance.value("test_count").toInteger())
               .arg(provenance.value("train_seconds").toDouble(), 0, 'f', 1)
               .toUtf8();
    writeFileAtomically(path, csv);
}

QJsonObject runTrain(const ParsedArgs& args, CommandContext& context)
{
    // Every option is validated before the slow loading of the init file and the dataset.
    const auto seed = static_cast<uint64_t>(args.integer("seed", 0, 1 << 30));
    const auto device = deviceFromArgs(args);
    batchSizeSyntax(args);
    TrainOptions options;
    options.epochs = args.integer("epochs", 1, 1000);
    options.device = device;
    options.learningRate = args.number("lr", 1e-6, 10.0);
    options.weightDecay = args.number("weight-decay", 0.0, 1.0);
    options.seed = seed;
    options.augment = !args.flag("no-augment");
    options.maxStepsPerEpoch = args.integer("max-steps", 0, 1 << 30);
    const std::string out = args.text("out");

    const int trainLimit = args.integer("train-limit", 0, 1 << 30);
    const int testLimit = args.integer("test-limit", 0, 1 << 30);
    const TrainStart start = trainStartFromArgs(args);
    const std::string spec = args.text("dataset");
    auto request = datasetRequestFromArgs(args, start);
    request.trainLimit = trainLimit; // limits before the (eager) resize to the model's input
    request.testLimit = testLimit;
    const auto data = datasets::loadDataset(spec, request);
    auto train = limited(data.train, trainLimit);
    auto test = limited(data.test, testLimit);
    const int numClasses = static_cast<int>(train.classNames.size());

    Classifier model;
    if (start.transfer()) {
        requireInitChannels(start, train, spec);
        // The pretrained weights expect their own input normalization (ImageNet's for torchvision files).
        train.normalization = test.normalization = start.pretrained.usage.normalization;
        model.net = withNewClassifier(start.pretrained.net, numClasses, seed);
    } else {
        // LibTorch seeds its generator randomly per process: without this the initial
        // weights, and so every result, differed between two runs of the same command.
        torch::manual_seed(seed);
        model.net = ResNet(configFromArgs(args, train.channels(), numClasses));
    }
    model.usage = {train.classNames, train.normalization, train.height(), train.width(), {}};
    auto trainable = std::make_shared<PartlyFrozenResNet>(model.net, start.frozen);
    options.checkpointing = trainCheckpointingFromArgs(args, out, runFingerprint(args, kFingerprintOptions));
    auto batch = chooseTrainingBatch(args, *model.net, train.height(), train.width(), device, context.text);
    if (const int continued = checkpointBatchSize(options.checkpointing); continued > 0 && batch.automatic &&
                                                                           continued != batch.batchSize) {
        *context.text << "batch size " << continued << " (auto, as chosen when the run started)\n";
        batch.batchSize = continued;
    }
    options.batchSize = batch.batchSize;
    options.checkpointing.stopRequested = &TrainStopSignals::requested;

    *context.text << "training " << spec << " (" << train.size() << " images, " << numClasses << " classes, "
                  << train.channels() << "x" << train.height() << "x" << train.width() << "), " << options.epochs
                  << " epoch(s), " << context.threads << " thread(s), batch " << options.batchSize << ", "
                  << deviceName(device) << "\n";
    if (start.transfer())
        *context.text << "from " << start.initSpec << " with a new " << numClasses << "-class fc; frozen: "
                      << toString(start.frozen) << " (" << trainable->frozenParameterCount() << " parameters), trainable "
                      << trainable->trainableParameterCount() << " parameters\n";
    if (QFileInfo::exists(options.checkpointing.path) && options.checkpointing.resume)
        *context.text << "continuing from " << options.checkpointing.path.toStdString() << "\n";
    auto& net = *model.net;
    TrainResult result;
    try {
        const TrainStopSignals stopSignals; // SIGINT/SIGTERM save the run while it trains
        result = trainClassifier(
            *trainable, [&](const torch::Tensor& x) { return net.forward(x); }, trainable->trainableParameters(), train,
            options, "train", context.progress);
    } catch (const TrainingInterrupted& stopped) {
        const std::string where = stopped.checkpoint.toStdString();
        if (TrainStopSignals::requested())
            throw Error("stopped by signal " + std::to_string(TrainStopSignals::signal()) + " after " +
                        std::to_string(stopped.steps) + " steps; the run is saved in " + where +
                        ": rerun the same command to continue it");
        *context.text << "stopped after " << stopped.steps << " steps (--stop-after-steps); saved " << where
                      << ": rerun without --stop-after-steps to continue\n";
        return {{"interrupted", true},
                {"steps", static_cast<qint64>(stopped.steps)},
                {"checkpoint", QString::fromStdString(where)},
                {"batch", batch.toJson()},
                {"memory", peakRssJson()}};
    }
    net.to(device);
    // Batches of at most 128 test images, fewer when they would not fit in memory (memory_budget.h).
    const auto evalBatch = inferenceBatchSize(net.config(), test.height(), test.width(), 128);
    noteInferenceBatch(evalBatch, "train's evaluation", context.text);
    const auto evaluation =
        evaluateClassifier(net, [&](const torch::Tensor& x) { return net.forward(x); }, test, evalBatch.batchSize);
    net.to(torch::kCPU);

    model.usage.provenance = {{"command", QString::fromStdString(context.commandLine)},
                              {"dataset", QString::fromStdString(spec)},
                              {"epochs", options.epochs},
                              {"seed", static_cast<qint64>(options.seed)},
                              {"split_seed", static_cast<qint64>(request.seed)},
                              {"init", QString::fromStdString(start.initSpec)},
                              {"freeze", QString::fromStdString(toString(start.frozen))},
                              {"threads", context.threads},
                              {"train_seconds", result.seconds},
                              {"test_accuracy", evaluation.accuracy()},
                              {"test_count", static_cast<qint64>(evaluation.count)},
                              {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                              {"machine", QSysInfo::machineHostName() + " " + QSysInfo::currentCpuArchitecture()}};
    saveClassifier(QString::fromStdString(out), model);
    QFile::remove(options.checkpointing.path); // the finished model replaces the mid-run state
    if (args.has("results-csv"))
        writeTrainingRecord(QString::fromStdString(args.text("results-csv")), model.usage.provenance, out);
    *context.text << "test accuracy " << evaluation.accuracy() << " on " << evaluation.count << " images, trained in "
                  << result.seconds << " s; saved " << out << "\n";
    printPeakRss(*context.text);
    QJsonObject json{{"batch", batch.toJson()},
                     {"forward_batch", inferenceBatchJson(evalBatch)},
                     {"interrupted", false},
                     {"memory", peakRssJson()},
                     {"out", QString::fromStdString(out)},
                     {"accuracy", evaluation.accuracy()},
                     {"n", static_cast<qint64>(evaluation.count)},
                     {"train_seconds", result.seconds},
                     {"final_loss", result.finalLoss},
                     {"steps", static_cast<qint64>(result.steps)},
                     {"threads", context.threads},
                     {"classes", numClasses},
                     {"init", QString::fromStdString(start.initSpec)},
                     {"freeze", QString::fromStdString(toString(start.frozen))},
                     {"trainable_parameters", static_cast<qint64>(trainable->trainableParameterCount())},
                     {"frozen_parameters", static_cast<qint64>(trainable->frozenParameterCount())},
                     {"config", toJson(model.net->config())}};
    insertDeviceJson(json, args, device);
    return json;
}

} // namespace

Command trainCommand()
{
    Command command{"train",
            "train a ResNet-50-family classifier and save a checkpoint; with --init, fine-tune a pretrained one "
            "(transfer learning)",
            {datasetOption(),
             {"init", "MODEL", "start from a pretrained network (" + modelSpecHelp() +
                  "): its weights, stem and input normalization are kept and its fc is replaced by a fresh one "
                  "(seeded by --seed) for the dataset's classes",
                  ""},
             {"freeze", "PART", "with --init, keep pretrained weights fixed (BN statistics too): none, stem, or stem "
                                "and stages up to stage1..stage4",
                  "none"},
             {"out", "FILE", "checkpoint to write (atomically)", ""},
             {"results-csv", "FILE", "also write a one-row CSV of the run (accuracy, time, command, machine)", ""},
             {"epochs", "N", "training epochs", "5"},
             batchSizeOptionSpec(),
             batchSizeFitOptionSpec(),
             deviceOptionSpec(),
             {"lr", "RATE", "peak SGD learning rate (warm-up + cosine)", "0.1"},
             {"weight-decay", "WD", "L2 weight decay", "0.0005"},
             {"width", "W", "width multiplier of all stages (1 = ResNet-50); default 0.25; not with --init", ""},
             {"stage-planes", "P1,P2,P3,P4", "explicit bottleneck widths per stage (overrides --width)", ""},
             {"stem-channels", "C", "output channels of conv1; default 64; not with --init", ""},
             {"stem", "KIND", "stem: imagenet (7x7/2 + maxpool) or small (3x3/1 + maxpool); default small; not with --init",
                  ""},
             {"input", "HxW", "input size (fashion-mnist is resized to it, e.g. 224x224); default 28x28, with --init the init's (224x224 "
                              "for a torchvision file)",
                  ""},
             {"channels", "C", "input channels (1 or 3; fashion-mnist's grey channel is replicated); default 1, with --init the "
                               "init's (3 for a torchvision file)",
                  ""},
             {"seed", "S", "random seed of the initial weights (or the new fc) and of training", "1"},
             {"split-seed", "S", "seed of the dataset (folder: train/test split, synthetic: images); other commands "
                                 "(eval, importance, ...) use 1: keep 1 to evaluate on the same test set",
                  "1"},
             {"no-augment", "", "disable random shifts and flips", ""},
             {"max-steps", "N", "cap steps per epoch, 0 = none (for quick runs)", "0"},
             {"train-limit", "N", "use only the first N training images, 0 = all", "0"},
             {"test-limit", "N", "evaluate on the first N test images, 0 = all", "0"}},
            0,
            runTrain};
    for (auto& spec : trainResumeOptionSpecs())
        command.options.push_back(std::move(spec));
    return command;
}

} // namespace aecnn::cli
