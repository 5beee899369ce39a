#include "cmd_reproduce_options.h"

#include <cmath>
#include <cstdio>
#include <ostream>

#include <QDateTime>
#include <QSysInfo>

#include "aecnn/model/model_spec.h"
#include "aecnn/algorithm1/training_budget.h"
#include "cli_common.h"

namespace aecnn::cli {

std::vector<OptionSpec> algorithm1OptionSpecs(const std::string& defaultSplits, const std::string& defaultRatios)
{
    return {{"splits", "L1,L2", "split points", defaultSplits},
            {"ratios", "V1,V2", "compression ratios V (C' = C/V)", defaultRatios},
            {"epochs-ca", "E", "CA training budget in epochs (fractions allowed, e.g. 0.2)", "1"},
            {"epochs-finetune", "E", "CA_Pruned fine-tuning budget (also BottleNet++'s frozen-backbone phase)", "1"},
            {"epochs-fr", "E", "FR fine-tuning budget (also BottleNet++'s joint phase)", "1"},
            batchSizeOptionSpec(),
            batchSizeFitOptionSpec(),
            deviceOptionSpec(),
            {"lr", "RATE", "peak learning rate of every stage (warm-up + cosine)", "0.01"},
            {"weight-decay", "WD", "L2 weight decay", "0.0005"},
            {"no-augment", "", "disable random shifts and flips", ""},
            {"no-bottlenet", "", "skip the BottleNet++ baseline", ""},
            {"prune-from", "NET", "weights to prune: original (the input model) or ca (the CA-trained network)",
             "original"},
            {"importance-batches", "N", "sampled batches for per-batch attention (Fig. 4)", "3"},
            {"importance-batch-size", "B", "images per sampled batch", "64"},
            {"importance-limit", "N", "training images in the Eq. 8 mean, 0 = all", "0"},
            {"train-limit", "N", "use only the first N training images, 0 = all", "0"},
            {"eval-limit", "N", "evaluate on the first N test images, 0 = all", "0"},
            {"seed", "S", "random seed", "1"},
            {"qat-bits", "B", "quantization-aware FR stage: fake-quantize the transmitted tensor like the codec at "
                              "B bits (2 to 8; 0 = off)", "0"},
            {"qat-ranges", "MODE", "QAT ranges: calibrated (fixed per channel, as `edge --framing session "
                                   "--calibrate N`; freezes the head) or per-frame", "calibrated"},
            {"qat-range", "CHOICE", "QAT range choice, as --range of the codec: minmax or mse", "mse"},
            {"qat-calibrate", "N", "calibrated QAT ranges: the first N training images (use the same N for "
                                   "`edge --calibrate`)", "2000"},
            {"qat-recalibrate-every", "N", "calibrated QAT ranges: train the head too, recalibrating the ranges "
                                           "every N steps and after the last (0 = head frozen)", "0"},
            {"qat-sparsity", "W", "with --qat-recalibrate-every: add W x the transmitted tensor's L1/L2 (Hoyer) "
                                  "sparsity to the loss, for fewer non-zero symbols and bytes (0 = off)", "0"},
            {"distill", "W", "knowledge distillation from --model (the unsplit network) after CA training: loss = "
                             "(1-W) CE + W T^2 KL(teacher || student); 0 = off", "0"},
            {"distill-temperature", "T", "distillation temperature", "4"}};
}

Algorithm1Options algorithm1OptionsFromArgs(const ParsedArgs& args, int64_t trainImages, int batchSize)
{
    Algorithm1Options o;
    o.splits = args.integerList("splits", 1, 1000);
    o.ratios = args.integerList("ratios", 2, 4096);
    const int given = batchSizeSyntax(args);
    const int batch = batchSize > 0 ? batchSize : given > 0 ? given : kAutoBatchLimit;
    const double lr = args.number("lr", 1e-7, 10.0);
    const double wd = args.number("weight-decay", 0.0, 1.0);
    const bool augment = !args.flag("no-augment");
    TrainOptions stage;
    stage.batchSize = batch;
    stage.learningRate = lr;
    stage.weightDecay = wd;
    stage.augment = augment;
    stage.device = deviceFromArgs(args);
    o.caTraining = budgetedTrainOptions(args.number("epochs-ca", 1e-6, 1000.0), trainImages, stage);
    o.pruneFinetune = budgetedTrainOptions(args.number("epochs-finetune", 1e-6, 1000.0), trainImages, stage);
    o.recoveryFinetune = budgetedTrainOptions(args.number("epochs-fr", 1e-6, 1000.0), trainImages, stage);
    o.bottleNet = !args.flag("no-bottlenet");
    const std::string from = args.text("prune-from");
    if (from != "original" && from != "ca")
        throw UsageError("--prune-from must be 'original' or 'ca', got '" + from + "'");
    o.pruneFromCaNetwork = from == "ca";
    o.importanceBatches = args.integer("importance-batches", 0, 1000);
    o.importanceBatchSize = args.integer("importance-batch-size", 1, 4096);
    o.importanceImages = args.integer("importance-limit", 0, 1 << 30);
    o.evalLimit = args.integer("eval-limit", 0, 1 << 30);
    o.seed = static_cast<uint64_t>(args.integer("seed", 0, 1 << 30));
    o.qat.bits = args.integer("qat-bits", 0, 8);
    const std::string ranges = args.text("qat-ranges");
    if (ranges != "calibrated" && ranges != "per-frame")
        throw UsageError("--qat-ranges must be 'calibrated' or 'per-frame', got '" + ranges + "'");
    o.qat.calibrated = ranges == "calibrated";
    try {
        o.qat.range = codec::rangeChoiceFromName(args.text("qat-range"));
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    o.qat.calibrationImages = args.integer("qat-calibrate", 1, 1 << 20);
    o.qat.recalibrateEvery = args.integer("qat-recalibrate-every", 0, 1 << 30);
    o.qat.sparsityWeight = args.number("qat-sparsity", 0.0, 100.0);
    o.distillWeight = args.number("distill", 0.0, 1.0);
    o.distillTemperature = args.number("distill-temperature", 1e-3, 100.0);
    try {
        validate(o.qat);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    return o;
}

MethodInputs loadMethodInputs(const ParsedArgs& args, std::ostream* log)
{
    algorithm1OptionsFromArgs(args, 1); // usage errors before the slow model and data loading
    MethodInputs in;
    in.base = loadClassifierSpec(args.text("model"));
    DataLimits limits;
    limits.train = args.integer("train-limit", 0, 1 << 30);
    limits.test = args.integer("eval-limit", 0, 1 << 30);
    in.data = loadDatasetForModel(args.text("dataset"), in.base, static_cast<uint64_t>(args.integer("seed", 0, 1 << 30)),
                                  limits);
    in.data.train = limited(in.data.train, args.integer("train-limit", 0, 1 << 30));
    in.batch = chooseTrainingBatch(args, *in.base.net, in.base.usage.inputHeight, in.base.usage.inputWidth,
                                   deviceFromArgs(args), log);
    return in;
}

Algorithm1Options algorithm1OptionsFor(const ParsedArgs& args, const MethodInputs& inputs)
{
    return algorithm1OptionsFromArgs(args, inputs.data.train.size(), inputs.batch.batchSize);
}

void printAlgorithm1Table(std::ostream& out, const Algorithm1Result& result)
{
    char line[200];
    std::snprintf(line, sizeof line, "unsplit model: %.2f %% on %lld test images\n", 100.0 * result.baseAccuracy,
                  static_cast<long long>(result.baseEvaluated));
    out << line;
    std::snprintf(line, sizeof line, "%-5s %-4s %-12s %9s %12s %12s %12s %10s\n", "split", "V", "variant", "acc %",
                  "sent elems", "head MACs", "codec MACs", "resumed");
    out << line;
    for (const auto& e : result.entries) {
        std::snprintf(line, sizeof line, "%-5d %-4d %-12s %9.2f %12lld %12lld %12lld %10s\n", e.split, e.ratio,
                      toString(e.variant).c_str(), 100.0 * e.accuracy, static_cast<long long>(e.cost.transmittedElements),
                      static_cast<long long>(e.cost.headMacs), static_cast<long long>(e.cost.codecMacs),
                      e.resumed ? "yes" : "no");
        out << line;
    }
}

QJsonObject runProvenance(const CommandContext& context, double seconds)
{
    return {{"command", QString::fromStdString(context.commandLine)},
            {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
            {"machine", QSysInfo::machineHostName() + " " + QSysInfo::currentCpuArchitecture() + " " +
                            QSysInfo::prettyProductName()},
            {"threads", context.threads},
            {"seconds", seconds},
            {"peak_rss_bytes", static_cast<qint64>(peakRssBytes())}};
}

Error algorithm1StoppedError(const QString& dir, const TrainingInterrupted& stopped)
{
    return Error("stopped by signal " + std::to_string(TrainStopSignals::signal()) + " after " +
                 std::to_string(stopped.steps) + " steps of the stage in progress; finished models are kept in " +
                 dir.toStdString() + " and the stage is saved in " + stopped.checkpoint.toStdString() +
                 ": rerun the same command to continue");
}

StageLog stageLogTo(std::ostream* out)
{
    return [out](const std::string& text) {
        if (out)
            *out << text << "\n" << std::flush;
    };
}

QString modelsDir(const ParsedArgs& args, const QDir& out)
{
    return args.has("models") ? QString::fromStdString(args.text("models")) : out.filePath("models");
}

} // namespace aecnn::cli
