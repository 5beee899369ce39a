#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "aecnn/algorithm1/transport_fake_quant.h"
#include "aecnn/split/split_model.h"
#include "aecnn/split/split_model_files.h"
#include "aecnn/model/classifier.h"
#include "aecnn/method/importance.h"
#include "aecnn/model/training.h"

namespace aecnn {

// Step-by-step training (paper Algorithm 1) plus the BottleNet++ baseline.
//
// For each split point l:
//   1. CA training: the CA module (no weights) is inserted after l and the whole
//      network (head and tail) is trained with it          -> ca-split<l>.ckpt
//   2. importance (Eq. 8) of X_l's channels from the CA-trained head over the
//      training set, plus per-batch means and ranking stability (stored in the same file)
//   3. for each ratio V: keep the C/V most important channels and prune by surgery.
//      The pruned weights come from `pruneFrom`: the original model (default; the
//      paper's "prune the original CNN model") or the CA-trained network.
//      Fine-tune the whole CA_Pruned model                 -> split<l>-v<V>-ca_pruned.aecnn
//   4. insert FR (its output starts at zero, the tail's entry filters for the pruned
//      channels are restored from the same network) and fine-tune head, FR and tail
//      together                                             -> split<l>-v<V>-aecnn.aecnn
//   5. BottleNet++ from the original model: encoder/decoder alone with the backbone
//      frozen (budget of step 3), then everything jointly (budget of step 4)
//                                                           -> split<l>-v<V>-bottlenetpp.aecnn
// Every file is written atomically when its stage finishes; a rerun loads finished
// files instead of recomputing them. Each stage is seeded from `seed`, the split and
// the ratio, so results are reproducible for a given thread count.
struct Algorithm1Options {
    std::vector<int> splits{1, 2};
    std::vector<int> ratios{2, 4, 8, 16, 32, 64};
    TrainOptions caTraining;
    TrainOptions pruneFinetune;
    TrainOptions recoveryFinetune;
    bool bottleNet = true;
    bool caVariants = true;       // steps 1-4 (CA, importance, CA_Pruned, AECNN); false: BottleNet++ alone
    bool pruneFromCaNetwork = false;
    int importanceBatches = 3;   // sampled batches for Fig. 4 / ranking stability
    int importanceBatchSize = 64;
    int64_t importanceImages = 0; // images in the Eq. 8 mean, 0 = the whole training set
    int evalLimit = 0;            // test images for the accuracies, 0 = all
    double recoveryBudget = 0.05; // FR MACs <= budget x tail MACs
    uint64_t seed = 1;
    // Light variant for shipped demo models: the backbone (head and tail) keeps the
    // base model's weights. No CA training (importance from the base network with CA),
    // CA_Pruned is pruned but not fine-tuned, AECNN trains only FR (recoveryFinetune),
    // BottleNet++ only its encoder/decoder (pruneFinetune).
    bool frozenBackbone = false;
    // Quantization-aware fine-tuning of the last stage (step 4, AECNN only): the transmitted
    // tensor passes through the codec's quantizer (fake quantization, straight-through
    // gradient) while head, FR and tail are fine-tuned. With calibrated ranges the head is
    // frozen (weights and BN statistics), so the ranges calibrated before the stage stay
    // those `aecnn edge --calibrate N` computes for the saved model; with
    // qat.recalibrateEvery > 0 the head trains and the ranges are recalibrated as it goes
    // (and after the last step), which again makes them the edge's.
    QatOptions qat;
    // When set, steps 1-4 train nothing: the AECNN model in this file (variant aecnn, one
    // split point and ratio, which must be the only ones in `splits`/`ratios`) is fine-tuned
    // by the QAT stage above alone (`qat` must be enabled) and saved as the AECNN model of
    // the output directory. E.g. a float model made earlier, taken to 3 bits. Its head stays
    // the source's unless qat.recalibrateEvery > 0.
    QString qatFrom;
    // Knowledge distillation (training.h) from the input model, the unsplit network, in every
    // stage after CA training (CA_Pruned, AECNN with or without QAT, BottleNet++). 0 = off.
    // The teacher runs on the CPU.
    double distillWeight = 0.0;
    double distillTemperature = 4.0;
    // When set, every file stores the tensors it shares with this checkpoint as
    // references to it (checkpoint.h), e.g. the default model for frozen-backbone runs.
    QString baseFile;
    // Mid-stage checkpoints (training_checkpoint.h): each training stage saves its state
    // to <out>/<stage file>.resume every `checkpointEvery` steps (0: only at epoch ends)
    // and continues from it when rerun; the file goes once the stage's model is saved.
    // A state written with another budget is discarded with a warning (the stage restarts).
    bool checkpoints = true;
    int64_t checkpointEvery = 200;
    std::function<bool()> stopRequested; // e.g. a signal flag: save the stage's state and stop
};

struct Algorithm1Entry {
    int split = 0;
    int ratio = 0;
    SplitVariant variant = SplitVariant::Aecnn;
    QString path;
    double accuracy = 0.0;
    int64_t evaluated = 0;
    bool resumed = false; // loaded from an earlier run instead of trained
    QJsonObject qat;      // QAT stage record (bits, ranges, accuracy through the quantizer); empty without QAT
    SplitModelCost cost;
};

struct Algorithm1Result {
    double baseAccuracy = 0.0;
    int64_t baseEvaluated = 0;
    std::vector<ImportanceReport> importance; // one per split point
    std::vector<Algorithm1Entry> entries;
    std::vector<std::string> stagesRun;       // stages trained in this run (not resumed)
};

// Progress of stage boundaries ("split 1: CA training", "... resumed from FILE").
using StageLog = std::function<void(const std::string&)>;

// Runs (or resumes) Algorithm 1 on `base` with data.train / data.test, writing into `outDir`.
// Cancelling through `progress` throws TrainingCancelled; finished files stay valid.
Algorithm1Result runAlgorithm1(const Classifier& base, const DataSplit& data, const Algorithm1Options& options,
                               const QString& outDir, const ProgressCallback& progress = {}, const StageLog& log = {});

// File names inside the output directory.
QString caNetworkFileName(int split);

// The CA-trained network of a split point and its importance report (kind "aecnn_ca_network").
struct CaNetwork {
    Classifier network;
    int split = 0;
    ImportanceReport importance;
};
void saveCaNetwork(const QString& path, const CaNetwork& ca, const QString& basePath = {});
CaNetwork loadCaNetwork(const QString& path);

// Steps 1-2 alone for one split point (CA training and importance), resuming from
// `outDir` like runAlgorithm1; used for Fig. 4.
CaNetwork runCaStage(const Classifier& base, const DataSplit& data, int split, const Algorithm1Options& options,
                     const QString& outDir, const ProgressCallback& progress = {}, const StageLog& log = {});

// Results as JSON (what aecnn-train --json prints and results.json holds).
QJsonObject toJson(const Algorithm1Result& result);

} // namespace aecnn
