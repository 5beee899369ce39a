#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <QJsonObject>
#include <QString>

#include <torch/types.h>

namespace aecnn {

// Mid-run checkpoints of trainClassifier (training.h), so that a run that is stopped
// (SIGINT/SIGTERM, a memory kill after the last save, --stop-after-steps) continues
// where it was and ends with the same weights as an uninterrupted run.
//
// The file (checkpoint container, kind "training-state") holds everything the next
// step depends on: the trained module's parameters and buffers ("model/<name>"), the
// SGD momentum buffers ("optimizer/<group>/<index>"), this epoch's data order
// ("order"), LibTorch's CPU generator ("torch_generator"), and in its metadata the
// step counters, the schedule position, the augmentation RNG (std::mt19937_64 text
// form), the running loss/accuracy of the epoch and the run's fingerprint.
struct TrainCheckpointing {
    QString path;                // empty: no checkpoints
    int64_t everySteps = 0;      // also every N steps; 0: only at epoch ends and stops
    QJsonObject fingerprint;     // what the run depends on; a file with other values is refused
    bool resume = true;          // continue from `path` when it exists
    int64_t stopAfterSteps = 0;  // save and stop after this many steps in all (test hook); 0: never
    std::function<bool()> stopRequested; // checked after each step (a signal flag); true: save and stop
    bool enabled() const { return !path.isEmpty(); }
};

// Thrown by trainClassifier after it saved the checkpoint because of a stop request or
// stopAfterSteps.
struct TrainingInterrupted {
    int64_t steps = 0; // steps done in all
    QString checkpoint;
};

// The position and running statistics of a run, as saved.
struct TrainingPosition {
    int64_t steps = 0;         // steps done in all (the schedule position)
    int epoch = 0;             // epoch the next step belongs to (0-based)
    int64_t stepInEpoch = 0;   // next step inside that epoch
    int64_t stepsPerEpoch = 0;
    int64_t totalSteps = 0;
    int64_t batchSize = 0;
    double lossSum = 0.0;      // this epoch so far
    int64_t correct = 0;
    int64_t seen = 0;
    double elapsedSeconds = 0.0;
    std::string rngState;      // std::mt19937_64 written with operator<<
};

struct TrainingState {
    TrainingPosition position;
    QJsonObject fingerprint;
    std::vector<std::pair<std::string, torch::Tensor>> model;     // parameters and buffers by name
    std::vector<std::vector<torch::Tensor>> momentum;             // per group, per parameter (undefined: none yet)
    torch::Tensor order;                                          // int64, this epoch's data order
    torch::Tensor generator;                                      // LibTorch CPU generator state
};

// Atomic (temporary file + rename).
void saveTrainingState(const QString& path, const TrainingState& state);
TrainingState loadTrainingState(const QString& path);

// Throws aecnn::Error unless `saved` equals `current`: names the first differing key
// with both values and says how to continue or start over. Keys are shown as written
// (the CLI uses option names such as "--lr").
void requireSameFingerprint(const QJsonObject& saved, const QJsonObject& current, const QString& path);

} // namespace aecnn
