#pragma once

#include <string>
#include <vector>

#include <QDir>
#include <QJsonObject>

#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/error.h"
#include "cli_args.h"
#include "command.h"
#include "run_resources.h"
#include "train_resume.h"

namespace aecnn::cli {

// Options shared by `aecnn-train` and `reproduce`: the plan (splits, ratios) and the
// training budget of each Algorithm 1 stage, in epochs that may be fractions
// (0.1 = a tenth of the training set per stage).
// --batch-size may be auto and --device picks where the stages train (run_resources.h).
std::vector<OptionSpec> algorithm1OptionSpecs(const std::string& defaultSplits, const std::string& defaultRatios);
// `batchSize` 0: --batch-size as given (auto counts as the largest auto batch; for checks only).
Algorithm1Options algorithm1OptionsFromArgs(const ParsedArgs& args, int64_t trainImages, int batchSize = 0);

// The base model and its data as the Algorithm 1 options ask (train-limit applied),
// and the training batch chosen for them (--batch-size auto: from the memory estimate).
struct MethodInputs {
    Classifier base;
    DataSplit data;
    BatchChoice batch;
};
MethodInputs loadMethodInputs(const ParsedArgs& args, std::ostream* log = nullptr);
// algorithm1OptionsFromArgs with the batch and data size of `inputs`.
Algorithm1Options algorithm1OptionsFor(const ParsedArgs& args, const MethodInputs& inputs);

// Runs `stages` (runAlgorithm1 or runCaStage with `options`) so that SIGINT/SIGTERM save
// the training stage in progress at once to its <dir>/<stage>.resume, as `aecnn train`
// saves its run (TrainStopSignals), and end the command with an Error saying where the
// models and the saved stage are and that the same command continues the run.
Error algorithm1StoppedError(const QString& dir, const TrainingInterrupted& stopped);
template <typename Stages>
auto runStoppableBySignal(Algorithm1Options& options, const QString& dir, Stages&& stages) -> decltype(stages())
{
    const TrainStopSignals stopSignals;
    options.stopRequested = &TrainStopSignals::requested;
    try {
        return stages();
    } catch (const TrainingInterrupted& stopped) {
        throw algorithm1StoppedError(dir, stopped);
    }
}

// Human-readable accuracy table of an Algorithm 1 run.
void printAlgorithm1Table(std::ostream& out, const Algorithm1Result& result);

// Command line, date, machine, threads: what results files record.
QJsonObject runProvenance(const CommandContext& context, double seconds);

StageLog stageLogTo(std::ostream* out);

// --models DIR, or OUT/models: where reproduce keeps (and resumes) its trained models.
QString modelsDir(const ParsedArgs& args, const QDir& out);

} // namespace aecnn::cli

namespace aecnn::cli {

// `reproduce fig4`: per-batch attention at a split point (CSV + PNG) in --out.
QJsonObject reproduceFig4(const ParsedArgs& args, CommandContext& context);

} // namespace aecnn::cli
