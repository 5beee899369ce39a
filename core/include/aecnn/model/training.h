#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include <torch/nn.h>

#include "aecnn/model/image_set.h"
#include "aecnn/model/training_checkpoint.h"

namespace aecnn {

// A model function maps a normalized batch to logits; trains the parameters given.
using ForwardFn = std::function<torch::Tensor(const torch::Tensor&)>;

// Knowledge distillation (Hinton, Vinyals & Dean 2015): with a teacher, the training loss is
// (1 - weight) * CE(logits, labels) + weight * T^2 * KL(softmax(teacher / T) || softmax(logits / T)),
// the teacher seeing the same (augmented) batch. T^2 keeps the soft term's gradients at the
// scale of the hard one's.
struct Distillation {
    ForwardFn teacher;       // the teacher's logits for a batch; called without gradients
    double weight = 0.0;     // 0 = plain cross-entropy, 1 = the teacher alone
    double temperature = 4.0;

    bool enabled() const { return teacher && weight > 0.0; }
};

// The loss above for one batch (`teacherLogits` without gradients); throws aecnn::Error for a
// weight outside 0..1 or a temperature <= 0.
torch::Tensor distillationLoss(const torch::Tensor& logits, const torch::Tensor& teacherLogits,
                               const torch::Tensor& labels, double weight, double temperature);

struct TrainOptions {
    int epochs = 1;
    int batchSize = 128;
    double learningRate = 0.1; // peak of the warm-up + cosine schedule (SGD, Nesterov momentum 0.9)
    double weightDecay = 5e-4;
    uint64_t seed = 1;
    bool augment = true; // random shifts (pad 2 px) and horizontal flips
    int64_t maxStepsPerEpoch = 0; // 0 = whole training set
    // Where the steps run. The module is moved there for the run and back to the device
    // it was on afterwards, so callers keep CPU modules (checkpoints, surgery, codecs).
    torch::Device device = torch::kCPU;
    // Mid-run checkpoints and resume (training_checkpoint.h); off unless a path is set.
    TrainCheckpointing checkpointing;
    Distillation distillation; // off unless a teacher and a weight are set
    // Added to each step's loss, called right after `forward`: a penalty on what the forward
    // pass saw (e.g. QAT's sparsity term on the transmitted tensor). Empty = none.
    std::function<torch::Tensor()> extraLoss;
};

struct TrainProgress {
    std::string stage;
    int epoch = 0;
    int epochs = 0;
    int64_t step = 0;
    int64_t stepsPerEpoch = 0;
    double loss = 0.0;     // running mean of the current epoch
    double accuracy = 0.0; // running training accuracy of the current epoch
    double elapsedSeconds = 0.0;
    double etaSeconds = 0.0;
};

// Called after each step; returning false cancels the run (TrainingCancelled).
using ProgressCallback = std::function<bool(const TrainProgress&)>;

struct TrainingCancelled {};

struct TrainResult {
    double finalLoss = 0.0;
    double seconds = 0.0;
    int64_t steps = 0;
};

// Trains `parameters` of whatever `forward` computes with cross-entropy on `data`.
// `module` is switched to train mode during the run and back to eval mode afterwards.
// With options.checkpointing: continues from its file when it exists (fingerprint and
// tensors checked), saves it every `everySteps` steps and at each epoch end, and on a
// stop request saves it and throws TrainingInterrupted. `module` must hold everything
// that is trained (its parameters and buffers are what the file keeps). The file is
// left in place when the run ends; the caller removes it once the result is saved.
TrainResult trainClassifier(torch::nn::Module& module, const ForwardFn& forward, std::vector<torch::Tensor> parameters,
                            const ImageSet& data, const TrainOptions& options, const std::string& stage,
                            const ProgressCallback& progress);

struct EvalResult {
    int64_t correct = 0;
    int64_t count = 0;
    double accuracy() const { return count ? static_cast<double>(correct) / static_cast<double>(count) : 0.0; }
};

// Batches of `batchSize` images go to the device of the module's first parameter (CPU
// for a module without). Callers pick the batch with inferenceBatchSize
// (memory_budget.h): at 224 x 224 a few hundred images hold GBs of activations even
// without gradients. The accuracy does not depend on the batch (eval mode).
EvalResult evaluateClassifier(torch::nn::Module& module, const ForwardFn& forward, const ImageSet& data,
                              int batchSize);

// Random shifts and flips applied to a normalized batch (deterministic for a given generator state).
torch::Tensor augmentBatch(const torch::Tensor& batch, std::mt19937_64& rng);

// Sets LibTorch's intra-op thread count; 0 = all cores. Returns the count in use.
int configureThreads(int threads);

} // namespace aecnn
