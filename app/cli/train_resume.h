#pragma once

#include <csignal>
#include <string>
#include <vector>

#include <QJsonObject>

#include "aecnn/model/training_checkpoint.h"
#include "cli_args.h"

namespace aecnn::cli {

// The options of `aecnn train` that make a run resumable (training_checkpoint.h):
//   --checkpoint FILE          where the mid-run state goes (default: OUT.resume)
//   --checkpoint-every STEPS   save every STEPS steps as well as at each epoch end
//   --fresh                    ignore (and overwrite) an existing checkpoint
//   --resume                   require the checkpoint (error when there is none)
//   --stop-after-steps N       save and stop after N steps (to test resuming)
// Without --fresh a run continues from its checkpoint when one exists; one written
// with other options is refused, naming the option that differs.
inline constexpr int kDefaultCheckpointEvery = 200;
std::vector<OptionSpec> trainResumeOptionSpecs();

// The fingerprint of a run: the value (as given or defaulted) of each option whose
// change would make the continued run a different run, keyed "--name".
QJsonObject runFingerprint(const ParsedArgs& args, const std::vector<std::string>& options);

// checkpointing from the options; `stopRequested` is left for TrainStopSignals.
TrainCheckpointing trainCheckpointingFromArgs(const ParsedArgs& args, const std::string& out,
                                              const QJsonObject& fingerprint);

// The batch size recorded in an existing checkpoint (for --batch-size auto, which must
// continue with the batch it started with); 0 when there is none to continue from.
int checkpointBatchSize(const TrainCheckpointing& checkpointing);

// SIGINT/SIGTERM for the scope of one training run: the handler only records the signal,
// the training loop asks requested() after each step, saves and stops.
class TrainStopSignals {
public:
    TrainStopSignals();
    ~TrainStopSignals();
    TrainStopSignals(const TrainStopSignals&) = delete;
    TrainStopSignals& operator=(const TrainStopSignals&) = delete;
    static bool requested();
    static int signal();

private:
    void (*previousTerm_)(int) = SIG_DFL;
    void (*previousInt_)(int) = SIG_DFL;
};

} // namespace aecnn::cli
