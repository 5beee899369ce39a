#include <QDateTime>
#include <QJsonArray>
#include <QSysInfo>

#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/model/classifier.h"
#include "aecnn/datasets/dataset_spec.h"
#include "cli_common.h"
#include "command.h"
#include "run_resources.h"

namespace aecnn::cli {
namespace {

ResNetConfig configFromArgs(const ParsedArgs& args, int inChannels, int numClasses)
{
    auto config = ResNetConfig::resnet50(numClasses, inChannels, args.number("width", 0.01, 8.0),
                                         stemKindFromString(args.text("stem")));
    if (args.has("stage-planes")) {
        const auto planes = args.integerList("stage-planes", 1, 4096);
        if (planes.size() != 4)
            throw UsageError("--stage-planes needs four comma-separated widths, e.g. 64,32,64,128");
        std::copy(planes.begin(), planes.end(), config.stagePlanes.begin());
    }
    config.stemChannels = args.integer("stem-channels", 1, 4096);
    return config;
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
    const auto [height, width] = args.size("input");
    const auto device = deviceFromArgs(args); // usage errors before the slow loading
    batchSizeSyntax(args);
    const std::string spec = args.text("dataset");
    datasets::DatasetRequest request;
    request.height = height;
    request.width = width;
    request.channels = args.integer("channels", 1, 3);
    request.seed = static_cast<uint64_t>(args.integer("seed", 0, 1 << 30));
    request.trainLimit = args.integer("train-limit", 0, 1 << 30);
    request.testLimit = args.integer("test-limit", 0, 1 << 30);
    const auto data = datasets::loadDataset(spec, request);
    const auto train = limited(data.train, args.integer("train-limit", 0, 1 << 30));
    const auto test = limited(data.test, args.integer("test-limit", 0, 1 << 30));

    Classifier model;
    model.net = ResNet(configFromArgs(args, train.channels(), static_cast<int>(train.classNames.size())));
    model.usage = {train.classNames, train.normalization, train.height(), train.width(), {}};

    TrainOptions options;
    options.epochs = args.integer("epochs", 1, 1000);
    const auto batch = chooseTrainingBatch(args, *model.net, train.height(), train.width(), device, context.text);
    options.batchSize = batch.batchSize;
    options.device = device;
    options.learningRate = args.number("lr", 1e-6, 10.0);
    options.weightDecay = args.number("weight-decay", 0.0, 1.0);
    options.seed = request.seed;
    options.augment = !args.flag("no-augment");
    options.maxStepsPerEpoch = args.integer("max-steps", 0, 1 << 30);
    const std::string out = args.text("out");

    *context.text << "training " << spec << " (" << train.size() << " images), " << options.epochs << " epoch(s), "
                  << context.threads << " thread(s), batch " << options.batchSize << ", " << deviceName(device) << "\n";
    auto& net = *model.net;
    const auto result = trainClassifier(
        net, [&](const torch::Tensor& x) { return net.forward(x); }, net.parameters(), train, options, "train",
        context.progress);
    net.to(device);
    const auto evaluation = evaluateClassifier(net, [&](const torch::Tensor& x) { return net.forward(x); }, test);
    net.to(torch::kCPU);

    model.usage.provenance = {{"command", QString::fromStdString(context.commandLine)},
                              {"dataset", QString::fromStdString(spec)},
                              {"epochs", options.epochs},
                              {"seed", static_cast<qint64>(options.seed)},
                              {"threads", context.threads},
                              {"train_seconds", result.seconds},
                              {"test_accuracy", evaluation.accuracy()},
                              {"test_count", static_cast<qint64>(evaluation.count)},
                              {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                              {"machine", QSysInfo::machineHostName() + " " + QSysInfo::currentCpuArchitecture()}};
    saveClassifier(QString::fromStdString(out), model);
    if (args.has("results-csv"))
        writeTrainingRecord(QString::fromStdString(args.text("results-csv")), model.usage.provenance, out);
    *context.text << "test accuracy " << evaluation.accuracy() << " on " << evaluation.count << " images, trained in "
                  << result.seconds << " s; saved " << out << "\n";
    printPeakRss(*context.text);
    return {{"batch", batch.toJson()},
            {"device", QString::fromStdString(deviceName(device))},
            {"memory", peakRssJson()},
            {"out", QString::fromStdString(out)},
            {"accuracy", evaluation.accuracy()},
            {"n", static_cast<qint64>(evaluation.count)},
            {"train_seconds", result.seconds},
            {"final_loss", result.finalLoss},
            {"steps", static_cast<qint64>(result.steps)},
            {"threads", context.threads},
            {"config", toJson(model.net->config())}};
}

} // namespace

Command trainCommand()
{
    return {"train",
            "train a ResNet-50-family classifier and save a checkpoint",
            {datasetOption(),
             {"out", "FILE", "checkpoint to write (atomically)", ""},
             {"results-csv", "FILE", "also write a one-row CSV of the run (accuracy, time, command, machine)", ""},
             {"epochs", "N", "training epochs", "5"},
             batchSizeOptionSpec(),
             batchSizeFitOptionSpec(),
             deviceOptionSpec(),
             {"lr", "RATE", "peak SGD learning rate (warm-up + cosine)", "0.1"},
             {"weight-decay", "WD", "L2 weight decay", "0.0005"},
             {"width", "W", "width multiplier of all stages (1 = ResNet-50)", "0.25"},
             {"stage-planes", "P1,P2,P3,P4", "explicit bottleneck widths per stage (overrides --width)", ""},
             {"stem-channels", "C", "output channels of conv1", "64"},
             {"stem", "KIND", "stem: imagenet (7x7/2 + maxpool) or small (3x3/1 + maxpool)", "small"},
             {"input", "HxW", "input size (fashion-mnist is resized to it, e.g. 224x224)", "28x28"},
             {"channels", "C", "input channels (1 or 3; fashion-mnist's grey channel is replicated)", "1"},
             {"seed", "S", "random seed", "1"},
             {"no-augment", "", "disable random shifts and flips", ""},
             {"max-steps", "N", "cap steps per epoch, 0 = none (for quick runs)", "0"},
             {"train-limit", "N", "use only the first N training images, 0 = all", "0"},
             {"test-limit", "N", "evaluate on the first N test images, 0 = all", "0"}},
            0,
            runTrain};
}

} // namespace aecnn::cli
