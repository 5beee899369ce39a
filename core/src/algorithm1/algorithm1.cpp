#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/split/split_model_files.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <torch/torch.h>

#include "aecnn/method/attention.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/model/memory_budget.h"
#include "aecnn/error.h"

namespace aecnn {
namespace {

ResNet cloneNet(const ResNetImpl& source)
{
    ResNet copy(source.config());
    loadStateInto(*copy, stateOf(source), "network copy");
    copy->eval();
    return copy;
}

int channelsAt(const ResNetImpl& net, int split)
{
    return split == 1 ? net.config().stemChannels : net.blockAt(split)->outChannels();
}

uint64_t stageSeed(uint64_t seed, int split, int ratio, int stage)
{
    return seed * 1000003ULL + static_cast<uint64_t>(split) * 10007ULL + static_cast<uint64_t>(ratio) * 101ULL +
           static_cast<uint64_t>(stage);
}

QJsonObject toJson(const TrainOptions& o)
{
    return {{"epochs", o.epochs},           {"batch_size", o.batchSize}, {"lr", o.learningRate},
            {"weight_decay", o.weightDecay}, {"seed", static_cast<qint64>(o.seed)}, {"augment", o.augment},
            {"max_steps_per_epoch", static_cast<qint64>(o.maxStepsPerEpoch)}};
}

QJsonObject toJson(const SplitModelCost& c)
{
    return {{"feature_hw", QJsonArray{c.featureHeight, c.featureWidth}},
            {"transmitted_elements", static_cast<qint64>(c.transmittedElements)},
            {"head_macs", static_cast<qint64>(c.headMacs)},
            {"head_params", static_cast<qint64>(c.headParams)},
            {"codec_macs", static_cast<qint64>(c.codecMacs)},
            {"codec_params", static_cast<qint64>(c.codecParams)},
            {"tail_macs", static_cast<qint64>(c.tailMacs)},
            {"tail_params", static_cast<qint64>(c.tailParams)}};
}

QJsonObject toJson(const QatOptions& q)
{
    QJsonObject o{{"bits", q.bits},
                  {"ranges", q.calibrated ? "calibrated" : "per-frame"},
                  {"range", QString::fromStdString(codec::rangeChoiceName(q.range))},
                  {"calibration_images", q.calibrated ? static_cast<qint64>(q.calibrationImages) : 0},
                  {"recalibrate_every", static_cast<qint64>(q.trainsHead() ? q.recalibrateEvery : 0)}};
    if (q.sparsityWeight > 0.0) // only when set: the resume fingerprints of earlier runs stay the same
        o.insert("sparsity_weight", q.sparsityWeight);
    return o;
}

QJsonObject stageProvenance(const std::string& stage, const TrainResult& trained, const EvalResult& evaluation)
{
    return {{"stage", QString::fromStdString(stage)},
            {"train_seconds", trained.seconds},
            {"train_steps", static_cast<qint64>(trained.steps)},
            {"final_loss", trained.finalLoss},
            {"test_accuracy", evaluation.accuracy()},
            {"test_count", static_cast<qint64>(evaluation.count)},
            {"threads", torch::get_num_threads()},
            {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
}

// Stops gradients into the given modules' parameters for its lifetime (frozen backbone).
class FreezeGuard {
public:
    explicit FreezeGuard(std::vector<torch::Tensor> parameters) : parameters_(std::move(parameters))
    {
        for (auto& p : parameters_)
            p.requires_grad_(false);
    }
    ~FreezeGuard()
    {
        for (auto& p : parameters_)
            p.requires_grad_(true);
    }
    FreezeGuard(const FreezeGuard&) = delete;
    FreezeGuard& operator=(const FreezeGuard&) = delete;

private:
    std::vector<torch::Tensor> parameters_;
};

class Runner {
public:
    Runner(const Classifier& base, const DataSplit& data, const Algorithm1Options& options, const QString& outDir,
           const ProgressCallback& progress, const StageLog& log)
        : base_(base), data_(data), options_(options), dir_(outDir), progress_(progress), log_(log)
    {
        test_ = options.evalLimit > 0 ? data.test.head(options.evalLimit) : data.test;
        // Test batches of at most 128 images, fewer when they would not fit (memory_budget.h).
        evalBatch_ = inferenceBatchSize(base.net->config(), base.usage.inputHeight, base.usage.inputWidth, 128);
    }

    Algorithm1Result run()
    {
        validate();
        if (!QDir().mkpath(dir_.absolutePath()))
            throw Error("cannot create the output directory " + dir_.absolutePath().toStdString());
        auto& baseNet = *base_.net.ptr();
        const auto baseEval = evaluate(baseNet, [&](const torch::Tensor& x) { return baseNet.forward(x); });
        result_.baseAccuracy = baseEval.accuracy();
        result_.baseEvaluated = baseEval.count;
        for (int split : options_.splits)
            runSplit(split);
        return result_;
    }

    CaNetwork caOnly(int split)
    {
        requireSplitPoint(base_.net->config(), split);
        if (!QDir().mkpath(dir_.absolutePath()))
            throw Error("cannot create the output directory " + dir_.absolutePath().toStdString());
        return caStage(split);
    }

private:
    void say(const std::string& text) const
    {
        if (log_)
            log_(text);
    }

    void validate() const
    {
        if (options_.splits.empty() || options_.ratios.empty())
            throw Error("Algorithm 1 needs at least one split point and one ratio");
        if (!options_.caVariants && !options_.bottleNet)
            throw Error("Algorithm 1 has nothing to train: both the CA variants and BottleNet++ are switched off");
        aecnn::validate(options_.qat);
        if (options_.qat.sparsityWeight > 0.0 && options_.frozenBackbone)
            throw Error("--qat-sparsity trains the head toward fewer non-zero symbols; --frozen-backbone freezes it: "
                        "drop one of them");
        if (!(options_.distillWeight >= 0.0 && options_.distillWeight <= 1.0))
            throw Error("--distill must be a weight between 0 (off) and 1, got " +
                        std::to_string(options_.distillWeight));
        if (!(options_.distillTemperature > 0.0))
            throw Error("--distill-temperature must be above 0, got " + std::to_string(options_.distillTemperature));
        if (!options_.qatFrom.isEmpty())
            validateQatSource();
        if (data_.train.size() == 0 || data_.test.size() == 0)
            throw Error("Algorithm 1 needs non-empty training and test sets");
        for (int split : options_.splits) {
            requireSplitPoint(base_.net->config(), split);
            const int channels = channelsAt(*base_.net, split);
            for (int ratio : options_.ratios)
                if (ratio < 2 || ratio > channels)
                    throw Error("ratio " + std::to_string(ratio) + " is invalid at split point " + std::to_string(split) +
                                " with " + std::to_string(channels) + " channels (valid: 2.." +
                                std::to_string(channels) + ")");
        }
    }

    // --qat-from: the file must hold an AECNN model of the one split point and ratio asked for,
    // built on the base model's network, and QAT must be on.
    void validateQatSource() const
    {
        const std::string file = options_.qatFrom.toStdString();
        if (!options_.qat.enabled())
            throw Error("fine-tuning " + file + " needs a quantizer: give --qat-bits B (2 to 8)");
        if (options_.frozenBackbone)
            throw Error("--frozen-backbone and a QAT source model cannot be combined: the source model's own head "
                        "and tail are what is fine-tuned");
        const auto source = loadAecnnClassifierFile(options_.qatFrom);
        const auto& net = *source.net;
        if (net.variant() != SplitVariant::Aecnn)
            throw Error(file + " is a " + toString(net.variant()) +
                        " model; QAT fine-tuning needs an AECNN model (with feature recovery)");
        if (options_.splits != std::vector<int>{net.split()} || options_.ratios != std::vector<int>{net.ratio()})
            throw Error(file + " is split " + std::to_string(net.split()) + ", V = " + std::to_string(net.ratio()) +
                        ": give exactly --splits " + std::to_string(net.split()) + " --ratios " +
                        std::to_string(net.ratio()));
        if (source.usage.inputHeight != base_.usage.inputHeight || source.usage.inputWidth != base_.usage.inputWidth)
            throw Error(file + " takes " + std::to_string(source.usage.inputHeight) + "x" +
                        std::to_string(source.usage.inputWidth) + " images, the base model " +
                        std::to_string(base_.usage.inputHeight) + "x" + std::to_string(base_.usage.inputWidth) +
                        ": give the --model it was trained from");
    }

    QString pathOf(const QString& name) const { return dir_.filePath(name); }

    // The input (unsplit) model as the distillation teacher, in eval mode, on the CPU.
    Distillation teacher() const
    {
        Distillation d;
        d.weight = options_.distillWeight;
        d.temperature = options_.distillTemperature;
        d.teacher = [net = base_.net.ptr()](const torch::Tensor& x) {
            net->eval();
            return net->forward(x.to(torch::kCPU));
        };
        return d;
    }

    // The training budget of every stage; recorded in each file so that a resume with
    // a different budget is reported instead of silently mixing budgets.
    QJsonObject budget() const
    {
        QJsonObject b{{"ca", toJson(options_.caTraining)},
                      {"finetune", toJson(options_.pruneFinetune)},
                      {"fr", toJson(options_.recoveryFinetune)},
                      {"prune_from", options_.pruneFromCaNetwork ? "ca_network" : "original"},
                      {"frozen_backbone", options_.frozenBackbone}};
        if (options_.qat.enabled())
            b.insert("qat", toJson(options_.qat));
        if (!options_.qatFrom.isEmpty())
            b.insert("qat_from", QFileInfo(options_.qatFrom).fileName());
        if (options_.distillWeight > 0.0)
            b.insert("distill", QJsonObject{{"weight", options_.distillWeight},
                                            {"temperature", options_.distillTemperature}});
        return b;
    }

    void checkBudget(const QJsonObject& provenance, const std::string& stage) const
    {
        if (provenance.value("budget").toObject() != budget())
            say(stage + ": warning: resumed file was trained with a different budget or settings; delete it to retrain");
    }

    EvalResult evaluate(torch::nn::Module& module, const ForwardFn& forward) const
    {
        return evaluateClassifier(module, forward, test_, evalBatch_.batchSize);
    }

    // Where a training stage keeps its mid-run state: split1-v2-aecnn.resume for stage
    // split1/v2/aecnn (BottleNet++'s two phases have one each).
    QString stageStatePath(const std::string& stage) const
    {
        return pathOf(QString::fromStdString(stage).replace('/', '-') + ".resume");
    }

    // Removes the mid-run states of the stages that wrote the file just saved.
    void dropStageStates()
    {
        for (const auto& path : pendingStates_)
            QFile::remove(path);
        pendingStates_.clear();
    }

    // `distill`: whether --distill applies (every stage but CA training, which trains the
    // unsplit network itself).
    TrainResult train(torch::nn::Module& module, const ForwardFn& forward, std::vector<torch::Tensor> parameters,
                      TrainOptions options, uint64_t seed, const std::string& stage, bool distill = true)
    {
        options.seed = seed;
        if (options_.checkpoints) {
            auto& c = options.checkpointing;
            c.path = stageStatePath(stage);
            pendingStates_.push_back(c.path);
            c.everySteps = options_.checkpointEvery;
            c.stopRequested = options_.stopRequested;
            c.fingerprint = {{"stage", QString::fromStdString(stage)}, {"budget", budget()}};
            if (QFileInfo::exists(c.path)) {
                const auto saved = readCheckpointMetadata(c.path).value("fingerprint").toObject();
                if (saved != c.fingerprint) {
                    say(stage + ": warning: discarding " + c.path.toStdString() +
                        ", the mid-run state of a run with another budget or settings; the stage starts over");
                    c.resume = false;
                } else {
                    say(stage + ": continuing from " + c.path.toStdString());
                }
            }
        }
        if (distill && options_.distillWeight > 0.0)
            options.distillation = teacher();
        say(stage + ": training");
        result_.stagesRun.push_back(stage);
        return trainClassifier(module, forward, std::move(parameters), data_.train, options, stage, progress_);
    }

    // Trains only `trainable` (FR or BottleNet++) inside `net`; head and tail keep their
    // weights and their BN statistics.
    TrainResult trainWithFrozenBackbone(AecnnModelImpl& net, torch::nn::Module& trainable, const ForwardFn& forward,
                                        const TrainOptions& options, uint64_t seed, const std::string& stage)
    {
        net.eval();
        auto backbone = net.head->parameters();
        for (auto& p : net.tail->parameters())
            backbone.push_back(p);
        FreezeGuard frozen(backbone);
        return train(trainable, forward, trainable.parameters(), options, seed, stage);
    }

    CaNetwork caStage(int split)
    {
        const QString path = pathOf(caNetworkFileName(split));
        const std::string stage = "split" + std::to_string(split) + "/ca";
        if (QFileInfo::exists(path)) {
            say(stage + ": resumed from " + path.toStdString());
            auto ca = loadCaNetwork(path);
            if (ca.network.usage.provenance.value("budget").toObject().value("ca") != budget().value("ca"))
                say(stage + ": warning: resumed file was trained with a different CA budget; delete it to retrain");
            return ca;
        }
        CaNetwork ca;
        ca.split = split;
        ca.network = base_;
        ca.network.net = cloneNet(*base_.net);
        auto& net = *ca.network.net;
        const ForwardFn withAttention = [&](const torch::Tensor& x) {
            return net.tail(applyChannelAttention(net.head(x, split)), split);
        };
        const auto trained = options_.frozenBackbone ? TrainResult{}
                                                     : train(net, withAttention, net.parameters(), options_.caTraining,
                                                             stageSeed(options_.seed, split, 0, 0), stage, false);
        const auto evaluation = evaluate(net, withAttention);
        say(stage + ": importance");
        const ImageSet& train = data_.train;
        const ImageSet importanceSet = options_.importanceImages > 0 ? train.head(options_.importanceImages) : train;
        ca.importance = computeImportance(net, split, importanceSet, options_.importanceBatches,
                                          options_.importanceBatchSize, stageSeed(options_.seed, split, 0, 1),
                                          options_.ratios);
        ca.network.usage.provenance = stageProvenance(stage, trained, evaluation);
        ca.network.usage.provenance.insert("budget", budget());
        saveCaNetwork(path, ca, options_.baseFile);
        dropStageStates();
        return ca;
    }

    // Loads a finished split model, or builds, trains and saves it.
    AecnnModel modelStage(int split, int ratio, SplitVariant variant, const std::function<TrainResult(AecnnModel&)>& make,
                          const std::function<AecnnModel()>& build)
    {
        const QString path = pathOf(splitModelFileName(split, ratio, variant));
        const std::string stage = "split" + std::to_string(split) + "/v" + std::to_string(ratio) + "/" + toString(variant);
        Algorithm1Entry entry;
        entry.split = split;
        entry.ratio = ratio;
        entry.variant = variant;
        entry.path = path;
        AecnnModel model{nullptr};
        if (QFileInfo::exists(path)) {
            say(stage + ": resumed from " + path.toStdString());
            auto loaded = loadAecnnClassifierFile(path);
            model = loaded.net;
            entry.accuracy = loaded.usage.provenance.value("test_accuracy").toDouble();
            entry.evaluated = loaded.usage.provenance.value("test_count").toInteger();
            entry.resumed = true;
            entry.qat = loaded.usage.provenance.value("qat").toObject();
            checkBudget(loaded.usage.provenance, stage);
        } else {
            model = build();
            const auto trained = make(model);
            auto& net = *model;
            const auto evaluation = evaluate(net, [&](const torch::Tensor& x) { return net.forward(x); });
            AecnnClassifier out;
            out.net = model;
            out.usage = base_.usage;
            out.usage.provenance = stageProvenance(stage, trained, evaluation);
            out.usage.provenance.insert("budget", budget());
            if (!stageNotes_.isEmpty())
                out.usage.provenance.insert("qat", stageNotes_);
            entry.qat = stageNotes_;
            stageNotes_ = {};
            saveAecnnClassifier(path, out, options_.baseFile);
            dropStageStates();
            entry.accuracy = evaluation.accuracy();
            entry.evaluated = evaluation.count;
            say(stage + ": accuracy " + std::to_string(entry.accuracy) + ", saved " + path.toStdString());
        }
        entry.cost = describeSplitModel(*model, base_.usage.inputHeight, base_.usage.inputWidth);
        result_.entries.push_back(entry);
        return model;
    }

    // Only the QAT stage, on the AECNN model of options_.qatFrom (validateQatSource checked it).
    void runQatFromFile(int split, int ratio)
    {
        const std::string prefix = "split" + std::to_string(split) + "/v" + std::to_string(ratio) + "/";
        QJsonObject source{{"path", options_.qatFrom}};
        modelStage(
            split, ratio, SplitVariant::Aecnn,
            [&](AecnnModel& m) {
                auto trained = quantizationAwareStage(*m, split, ratio, prefix);
                stageNotes_.insert("source", source); // recorded in the saved file's provenance.qat
                return trained;
            },
            [&] {
                say(prefix + "aecnn: QAT fine-tuning of " + options_.qatFrom.toStdString());
                auto loaded = loadAecnnClassifierFile(options_.qatFrom);
                source.insert("test_accuracy", loaded.usage.provenance.value("test_accuracy"));
                source.insert("qat", loaded.usage.provenance.value("qat"));
                return loaded.net;
            });
    }

    void runSplit(int split)
    {
        if (!options_.qatFrom.isEmpty()) {
            runQatFromFile(split, options_.ratios.front());
            return;
        }
        if (!options_.caVariants) {
            for (int ratio : options_.ratios)
                bottleNetStage(split, ratio);
            return;
        }
        const auto ca = caStage(split);
        result_.importance.push_back(ca.importance);
        const ResNetImpl& source = options_.pruneFromCaNetwork ? *ca.network.net : *base_.net;
        const int channels = channelsAt(*base_.net, split);
        for (int ratio : options_.ratios) {
            const auto kept = keepMostImportant(ca.importance.importance, keptChannelCount(channels, ratio));
            const std::string prefix = "split" + std::to_string(split) + "/v" + std::to_string(ratio) + "/";

            auto caPruned = modelStage(
                split, ratio, SplitVariant::CaPruned,
                [&](AecnnModel& m) {
                    if (options_.frozenBackbone)
                        return TrainResult{};
                    auto& net = *m;
                    return train(net, [&](const torch::Tensor& x) { return net.forward(x); }, net.parameters(),
                                 options_.pruneFinetune, stageSeed(options_.seed, split, ratio, 2), prefix + "ca_pruned");
                },
                [&] { return AecnnModel(SplitVariant::CaPruned, source, split, kept, ratio); });

            modelStage(
                split, ratio, SplitVariant::Aecnn,
                [&](AecnnModel& m) {
                    auto& net = *m;
                    if (options_.qat.enabled())
                        return quantizationAwareStage(net, split, ratio, prefix);
                    const ForwardFn forward = [&](const torch::Tensor& x) { return net.forward(x); };
                    if (options_.frozenBackbone)
                        return trainWithFrozenBackbone(net, *net.recovery, forward, options_.recoveryFinetune,
                                                       stageSeed(options_.seed, split, ratio, 3), prefix + "aecnn-fr");
                    return train(net, forward, net.parameters(), options_.recoveryFinetune,
                                 stageSeed(options_.seed, split, ratio, 3), prefix + "aecnn");
                },
                [&] {
                    int h = base_.usage.inputHeight, w = base_.usage.inputWidth;
                    const auto cost = describeSplitModel(*caPruned, h, w);
                    const int width = chooseRecoveryWidth(channels, static_cast<int>(kept.size()), cost.featureHeight,
                                                          cost.featureWidth, cost.tailMacs, options_.recoveryBudget);
                    torch::manual_seed(stageSeed(options_.seed, split, ratio, 4));
                    return insertFeatureRecovery(*caPruned, source, width);
                });

            if (options_.bottleNet)
                bottleNetStage(split, ratio);
        }
    }

    // Step 4 with the transmitted tensor fake-quantized like the codec (QatOptions).
    TrainResult quantizationAwareStage(AecnnModelImpl& net, int split, int ratio, const std::string& prefix)
    {
        const auto& qat = options_.qat;
        say(prefix + "aecnn: " + (qat.calibrated ? "calibrating the transmitted tensor's ranges on " +
                                                       std::to_string(std::min<int64_t>(qat.calibrationImages,
                                                                                        data_.train.size())) +
                                                       " training images"
                                                 : std::string("per-frame ranges")));
        const auto calibrate = [&] {
            return makeTransportFakeQuant(net, qat, data_.train, base_.usage.inputHeight, base_.usage.inputWidth);
        };
        auto fakeQuant = calibrate();
        // Calibrated ranges hold only for the head they were calibrated on: either the head stays
        // frozen, or it trains and the ranges follow it (QatOptions::recalibrateEvery).
        const bool recalibrating = qat.trainsHead() && !options_.frozenBackbone;
        const bool freezeHead = (qat.calibrated && !recalibrating) || options_.frozenBackbone;
        int64_t trainingSteps = 0, recalibrations = 0;
        torch::Tensor sparsity; // of the last training batch's transmitted tensor (--qat-sparsity)
        const ForwardFn forward = [&](const torch::Tensor& x) {
            if (freezeHead)
                net.head->eval(); // BN statistics of the head stay those the ranges were calibrated on
            // Also at the first step: a run resumed from a mid-stage checkpoint has other weights
            // than the ones calibrated above.
            if (recalibrating && net.is_training() &&
                (++trainingSteps == 1 || trainingSteps % qat.recalibrateEvery == 0)) {
                fakeQuant = calibrate(); // puts the model in eval mode, as the edge calibrates
                ++recalibrations;
                net.train();
            }
            const auto transmitted = net.encode(x);
            if (qat.sparsityWeight > 0.0 && net.is_training())
                sparsity = transmittedSparsity(transmitted);
            return net.decode(fakeQuant(transmitted));
        };
        TrainOptions stageOptions = options_.recoveryFinetune;
        if (qat.sparsityWeight > 0.0)
            stageOptions.extraLoss = [&] { return qat.sparsityWeight * sparsity; };
        const auto seed = stageSeed(options_.seed, split, ratio, 3);
        TrainResult trained;
        if (options_.frozenBackbone) {
            trained = trainWithFrozenBackbone(net, *net.recovery, forward, options_.recoveryFinetune, seed,
                                              prefix + "aecnn-fr-qat");
        } else {
            std::vector<torch::Tensor> trainable = net.recovery->parameters();
            for (auto& p : net.tail->parameters())
                trainable.push_back(p);
            std::vector<torch::Tensor> head = net.head->parameters();
            if (!freezeHead)
                trainable.insert(trainable.end(), head.begin(), head.end());
            FreezeGuard frozen(freezeHead ? head : std::vector<torch::Tensor>{});
            trained = train(net, forward, trainable, stageOptions, seed, prefix + "aecnn-qat");
        }
        if (recalibrating) { // the ranges the edge calibrates for the saved model
            fakeQuant = calibrate();
            ++recalibrations;
        }
        const auto quantized = evaluate(net, forward);
        QJsonArray ranges;
        for (const auto& r : fakeQuant.fixedRanges())
            ranges.append(QJsonObject{{"scale", double(r.scale)}, {"zero_point", int(r.zeroPoint)}});
        stageNotes_ = toJson(qat);
        stageNotes_.insert("fixed_ranges", ranges);
        stageNotes_.insert("head", freezeHead ? "frozen" : "trained");
        if (recalibrating)
            stageNotes_.insert("recalibrations", static_cast<qint64>(recalibrations));
        stageNotes_.insert("quantized_test_accuracy", quantized.accuracy());
        stageNotes_.insert("quantized_test_count", static_cast<qint64>(quantized.count));
        say(prefix + "aecnn: accuracy through the " + fakeQuant.describe() + " quantizer " +
            std::to_string(quantized.accuracy()));
        return trained;
    }

    void bottleNetStage(int split, int ratio)
    {
        const std::string prefix = "split" + std::to_string(split) + "/v" + std::to_string(ratio) + "/";
        modelStage(
            split, ratio, SplitVariant::BottleNetPP,
            [&](AecnnModel& m) {
                auto& net = *m;
                const ForwardFn forward = [&](const torch::Tensor& x) { return net.forward(x); };
                const auto first = trainWithFrozenBackbone(net, *net.bottleneck, forward, options_.pruneFinetune,
                                                           stageSeed(options_.seed, split, ratio, 5),
                                                           prefix + "bottlenetpp-frozen");
                if (options_.frozenBackbone)
                    return first;
                auto second = train(net, forward, net.parameters(), options_.recoveryFinetune,
                                    stageSeed(options_.seed, split, ratio, 6), prefix + "bottlenetpp-joint");
                second.seconds += first.seconds;
                second.steps += first.steps;
                return second;
            },
            [&] {
                torch::manual_seed(stageSeed(options_.seed, split, ratio, 7));
                return AecnnModel(SplitVariant::BottleNetPP, *base_.net, split, std::vector<int64_t>{}, ratio);
            });
    }

    const Classifier& base_;
    const DataSplit& data_;
    const Algorithm1Options& options_;
    QDir dir_;
    ProgressCallback progress_;
    StageLog log_;
    ImageSet test_;
    InferenceBatch evalBatch_;
    Algorithm1Result result_;
    std::vector<QString> pendingStates_; // mid-run state files of the model being made
    QJsonObject stageNotes_; // the QAT stage's record, put into the provenance of the file it makes
};

} // namespace

QString caNetworkFileName(int split)
{
    return QString("ca-split%1.ckpt").arg(split);
}

void saveCaNetwork(const QString& path, const CaNetwork& ca, const QString& basePath)
{
    const auto& model = ca.network;
    Checkpoint checkpoint;
    checkpoint.metadata = {{"kind", checkpointKindName(CheckpointKind::CaNetwork)},
                           {"architecture", "resnet50-family"},
                           {"config", toJson(model.net->config())},
                           {"split", ca.split},
                           {"importance", toJson(ca.importance)}};
    writeUsage(checkpoint.metadata, model.usage);
    checkpoint.tensors = stateOf(*model.net);
    writeCheckpoint(path, checkpoint, basePath);
}

CaNetwork loadCaNetwork(const QString& path)
{
    const auto checkpoint = readCheckpoint(path, CheckpointKind::CaNetwork);
    const auto& meta = checkpoint.metadata;
    const auto source = "checkpoint " + path.toStdString();
    CaNetwork ca;
    try {
        ca.network.net = ResNet(resNetConfigFromJson(meta.value("config").toObject()));
        ca.importance = importanceReportFromJson(meta.value("importance").toObject());
    } catch (const Error& e) {
        throw Error(source + ": " + e.what());
    }
    loadStateInto(*ca.network.net, checkpoint.tensors, source);
    ca.network.net->eval();
    ca.split = meta.value("split").toInt(0);
    requireSplitPoint(ca.network.net->config(), ca.split);
    ca.network.usage =
        readUsage(meta, ca.network.net->config().inChannels, ca.network.net->config().numClasses, source);
    return ca;
}

Algorithm1Result runAlgorithm1(const Classifier& base, const DataSplit& data, const Algorithm1Options& options,
                               const QString& outDir, const ProgressCallback& progress, const StageLog& log)
{
    return Runner(base, data, options, outDir, progress, log).run();
}

CaNetwork runCaStage(const Classifier& base, const DataSplit& data, int split, const Algorithm1Options& options,
                     const QString& outDir, const ProgressCallback& progress, const StageLog& log)
{
    return Runner(base, data, options, outDir, progress, log).caOnly(split);
}

QJsonObject toJson(const Algorithm1Result& result)
{
    QJsonArray entries, importance, stages;
    for (const auto& e : result.entries) {
        QJsonObject entry{{"split", e.split},
                          {"ratio", e.ratio},
                          {"variant", QString::fromStdString(toString(e.variant))},
                          {"path", e.path},
                          {"accuracy", e.accuracy},
                          {"evaluated", static_cast<qint64>(e.evaluated)},
                          {"resumed", e.resumed},
                          {"cost", toJson(e.cost)}};
        if (!e.qat.isEmpty())
            entry.insert("qat", e.qat);
        entries.append(entry);
    }
    for (const auto& r : result.importance) {
        auto json = toJson(r);
        json.remove("batch_indices");
        importance.append(json);
    }
    for (const auto& s : result.stagesRun)
        stages.append(QString::fromStdString(s));
    return {{"base_accuracy", result.baseAccuracy},
            {"base_evaluated", static_cast<qint64>(result.baseEvaluated)},
            {"models", entries},
            {"importance", importance},
            {"stages_run", stages}};
}

} // namespace aecnn
