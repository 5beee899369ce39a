#include "train_resume.h"

#include <QFileInfo>

#include "aecnn/model/checkpoint.h"

namespace aecnn::cli {
namespace {

// A signal handler can only set a flag; this one belongs to TrainStopSignals alone.
volatile std::sig_atomic_t trainStopSignal = 0;

extern "C" void onTrainStopSignal(int signal)
{
    trainStopSignal = signal;
}

} // namespace

std::vector<OptionSpec> trainResumeOptionSpecs()
{
    return {{"checkpoint", "FILE",
             "mid-run state for resuming (model, optimizer, schedule position, data order, RNG); default OUT.resume, "
             "removed when the run ends",
             ""},
            {"checkpoint-every", "STEPS", "also save the mid-run state every STEPS steps (it is saved at each epoch end "
                                          "and on SIGINT/SIGTERM); 0 = only then",
             std::to_string(kDefaultCheckpointEvery)},
            {"fresh", "", "start over even when a checkpoint of an earlier run exists (it is overwritten)", ""},
            {"resume", "", "continue from the checkpoint and fail when there is none (without --resume or --fresh "
                           "a run continues when a checkpoint exists)",
             ""},
            {"stop-after-steps", "N", "save the checkpoint and stop after N steps in all (to test resuming); 0 = never",
             "0"}};
}

QJsonObject runFingerprint(const ParsedArgs& args, const std::vector<std::string>& options)
{
    QJsonObject fingerprint;
    for (const auto& name : options)
        fingerprint.insert(QString::fromStdString("--" + name),
                           args.has(name) ? QJsonValue(QString::fromStdString(args.text(name))) : QJsonValue("(unset)"));
    return fingerprint;
}

TrainCheckpointing trainCheckpointingFromArgs(const ParsedArgs& args, const std::string& out,
                                              const QJsonObject& fingerprint)
{
    if (args.flag("fresh") && args.flag("resume"))
        throw UsageError("--fresh and --resume contradict each other: --fresh starts over, --resume continues");
    TrainCheckpointing checkpointing;
    checkpointing.path = QString::fromStdString(args.has("checkpoint") ? args.text("checkpoint") : out + ".resume");
    checkpointing.everySteps = args.integer("checkpoint-every", 0, 1 << 30);
    checkpointing.stopAfterSteps = args.integer("stop-after-steps", 0, 1 << 30);
    checkpointing.fingerprint = fingerprint;
    checkpointing.resume = !args.flag("fresh");
    if (args.flag("resume") && !QFileInfo::exists(checkpointing.path))
        throw UsageError("--resume: there is no checkpoint " + checkpointing.path.toStdString() +
                         " to continue from; drop --resume to start the run");
    return checkpointing;
}

int checkpointBatchSize(const TrainCheckpointing& checkpointing)
{
    if (!checkpointing.resume || !QFileInfo::exists(checkpointing.path))
        return 0;
    const auto metadata = readCheckpointMetadata(checkpointing.path);
    requireCheckpointKind(metadata, CheckpointKind::TrainingState, checkpointing.path);
    return metadata.value("position").toObject().value("batch_size").toInt();
}

TrainStopSignals::TrainStopSignals()
{
    trainStopSignal = 0;
    previousTerm_ = std::signal(SIGTERM, onTrainStopSignal);
    previousInt_ = std::signal(SIGINT, onTrainStopSignal);
}

TrainStopSignals::~TrainStopSignals()
{
    std::signal(SIGTERM, previousTerm_);
    std::signal(SIGINT, previousInt_);
}

bool TrainStopSignals::requested()
{
    return trainStopSignal != 0;
}

int TrainStopSignals::signal()
{
    return static_cast<int>(trainStopSignal);
}

} // namespace aecnn::cli
