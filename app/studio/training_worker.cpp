#include "training_worker.h"

#include <QDir>
#include <QElapsedTimer>
#include <map>
#include <torch/torch.h>

#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/error.h"
#include "aecnn/model/model_spec.h"
#include "aecnn/algorithm1/training_budget.h"
#include "training_cache.h"

namespace aecnn::studio {
namespace {

// The training steps this run will take, per stage name (as TrainProgress::stage
// reports it); stages whose files exist are resumed and take none.
std::map<std::string, int64_t> stagePlan(const Algorithm1Options& options, int split, int ratio, const QDir& dir,
                                         int64_t trainImages)
{
    std::map<std::string, int64_t> plan;
    const std::string prefix = "split" + std::to_string(split);
    const std::string ratioPrefix = prefix + "/v" + std::to_string(ratio) + "/";
    auto missing = [&](const QString& name) { return !QFileInfo::exists(dir.filePath(name)); };
    if (missing(caNetworkFileName(split)))
        plan[prefix + "/ca"] = plannedTrainSteps(options.caTraining, trainImages);
    if (missing(splitModelFileName(split, ratio, SplitVariant::CaPruned)))
        plan[ratioPrefix + "ca_pruned"] = plannedTrainSteps(options.pruneFinetune, trainImages);
    if (missing(splitModelFileName(split, ratio, SplitVariant::Aecnn)))
        plan[ratioPrefix + "aecnn"] = plannedTrainSteps(options.recoveryFinetune, trainImages);
    if (options.bottleNet && missing(splitModelFileName(split, ratio, SplitVariant::BottleNetPP))) {
        plan[ratioPrefix + "bottlenetpp-frozen"] = plannedTrainSteps(options.pruneFinetune, trainImages);
        plan[ratioPrefix + "bottlenetpp-joint"] = plannedTrainSteps(options.recoveryFinetune, trainImages);
    }
    return plan;
}

DataSplit loadData(const TrainingRequest& request, const Classifier& base)
{
    datasets::DatasetRequest data;
    data.channels = base.net->config().inChannels;
    data.height = base.usage.inputHeight;
    data.width = base.usage.inputWidth;
    data.trainLimit = request.budget.trainLimit > 0 ? request.budget.trainLimit : 0;
    data.testLimit = request.budget.evalLimit > 0 ? request.budget.evalLimit : 0;
    DataSplit split = datasets::loadDataset(request.dataset.toStdString(), data);
    if (split.train.channels() != data.channels || split.train.height() != data.height ||
        split.train.width() != data.width)
        throw Error("data set '" + request.dataset.toStdString() + "' has images of " +
                    std::to_string(split.train.channels()) + "x" + std::to_string(split.train.height()) + "x" +
                    std::to_string(split.train.width()) + " but the model expects " + std::to_string(data.channels) +
                    "x" + std::to_string(data.height) + "x" + std::to_string(data.width));
    if (request.budget.trainLimit > 0 && split.train.size() > request.budget.trainLimit)
        split.train = split.train.head(request.budget.trainLimit);
    return split;
}

TrainingOutcome outcomeOf(const Algorithm1Result& result, const TrainingRequest& request, const QString& dir)
{
    TrainingOutcome outcome;
    outcome.split = request.split;
    outcome.ratio = request.ratio;
    outcome.baseAccuracy = result.baseAccuracy;
    outcome.directory = dir;
    for (const Algorithm1Entry& entry : result.entries)
        outcome.models.push_back(TrainedModel{QString::fromStdString(toString(entry.variant)), entry.path,
                                              entry.accuracy, static_cast<long long>(entry.evaluated), entry.resumed});
    return outcome;
}

} // namespace

void TrainingWorker::run(const TrainingRequest& request)
{
    cancelled_.store(stopped_.load());
    configureThreads(request.budget.threads); // OpenMP's thread count is per calling thread
    try {
        if (cancelled_.load())
            throw TrainingCancelled{}; // stopped: queued when the controller shut down
        Q_EMIT progress(TrainingStatus{tr("loading model %1").arg(request.model)});
        const Classifier base = loadClassifierSpec(request.model.toStdString());
        Q_EMIT progress(TrainingStatus{tr("loading data set %1").arg(request.dataset)});
        const DataSplit data = loadData(request, base);
        if (cancelled_.load())
            throw TrainingCancelled{};

        const int64_t trainImages = data.train.size();
        Algorithm1Options options;
        options.splits = {request.split};
        options.ratios = {request.ratio};
        TrainOptions stage;
        stage.batchSize = request.budget.batchSize;
        stage.learningRate = 0.01;
        options.caTraining = budgetedTrainOptions(request.budget.epochsCa, trainImages, stage);
        options.pruneFinetune = budgetedTrainOptions(request.budget.epochsFinetune, trainImages, stage);
        options.recoveryFinetune = budgetedTrainOptions(request.budget.epochsFr, trainImages, stage);
        options.bottleNet = request.budget.bottleNet;
        options.importanceImages = request.budget.importanceImages;
        options.evalLimit = request.budget.evalLimit;

        const QString dirPath = trainingCacheDir(request);
        if (!QDir().mkpath(dirPath))
            throw Error("cannot create the training cache directory " + dirPath.toStdString());
        const auto plan = stagePlan(options, request.split, request.ratio, QDir(dirPath), trainImages);
        int64_t total = 0;
        for (const auto& stage : plan)
            total += stage.second;

        std::map<std::string, int64_t> done; // steps per stage so far
        QElapsedTimer clock;
        QElapsedTimer sinceReport;
        auto report = [&](const TrainProgress& p) {
            if (cancelled_.load())
                return false;
            if (!clock.isValid())
                clock.start();
            done[p.stage] = (p.epoch - 1) * p.stepsPerEpoch + p.step;
            const bool stageEnd = p.epoch == p.epochs && p.step == p.stepsPerEpoch;
            if (sinceReport.isValid() && sinceReport.elapsed() < 100 && !stageEnd)
                return true; // at most 10 reports a second from tiny models
            sinceReport.start();
            int64_t steps = 0;
            for (const auto& stage : done)
                steps += stage.second;
            TrainingStatus status;
            status.stage = QString::fromStdString(p.stage);
            status.loss = p.loss;
            if (total > 0) {
                status.fraction = std::min(1.0, static_cast<double>(steps) / static_cast<double>(total));
                const double seconds = static_cast<double>(clock.elapsed()) / 1000.0;
                status.etaSeconds = steps > 0 ? seconds / static_cast<double>(steps) * static_cast<double>(total - steps)
                                              : -1.0;
            }
            Q_EMIT progress(status);
            return true;
        };
        auto log = [&](const std::string& line) {
            if (cancelled_.load())
                throw TrainingCancelled{}; // at a stage boundary: every finished file is complete
            Q_EMIT progress(TrainingStatus{QString::fromStdString(line)});
        };
        const Algorithm1Result result = runAlgorithm1(base, data, options, dirPath, report, log);
        const TrainingOutcome outcome = outcomeOf(result, request, dirPath);
        QString error;
        if (!storeOutcome(request, outcome, &error))
            throw Error(error.toStdString());
        Q_EMIT finished(outcome);
    } catch (const TrainingCancelled&) {
        Q_EMIT cancelled();
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Training split %1 at V=%2 failed: %3")
                          .arg(request.split)
                          .arg(request.ratio)
                          .arg(QString::fromStdString(e.what())));
    }
}

} // namespace aecnn::studio
