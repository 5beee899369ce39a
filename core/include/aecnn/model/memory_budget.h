#pragma once

#include <cstdint>
#include <string>

#include "aecnn/model/resnet.h"

namespace aecnn {

// Memory the process may still use: MemAvailable from /proc/meminfo, or
// $AECNN_MEMORY_LIMIT_MB when set (tests inject a small limit this way instead of
// exhausting memory). 0 when neither is known.
inline constexpr const char* kMemoryLimitEnv = "AECNN_MEMORY_LIMIT_MB";
int64_t availableMemoryBytes();

// Peak resident set size of this process so far (getrusage ru_maxrss), in bytes.
int64_t peakRssBytes();

// Estimate of the memory one training step of a ResNet needs at an input size.
//
//   bytes(B) = fixedBytes + B * perSampleBytes
//   perSampleBytes = kActivationFactor * 4 * A + 4 * C*H*W
//   fixedBytes     = 4 * 4 * P   (weights, gradients, SGD momentum, one spare copy)
//
// A: float elements of every output of the forward pass for one image (each conv,
// batch norm, ReLU, max pool, residual sum), the tensors autograd keeps for backward.
// P: parameter count. kActivationFactor scales A for what autograd keeps and the
// allocator adds, less what it frees early. Calibrated from the growth of ru_maxrss
// between batch sizes: ResNet-50 width 0.25, ImageNet stem, 224 x 224, 1 thread:
// 4*A = 43.8 MB per image; measured 44.5 MB per image from batch 8 to 32 and 28.7 MB from
// 32 to 64, so 1.0 covers both (`git show b21e41c:resources/results/scale224.md`); width
// 0.125: 27.2 MiB estimated, 27.7 and 28.6 MiB measured (+5 %; the current
// resources/results/scale224.md, "Memory calibration").
// Smaller inputs use relatively more (tests/model/test_scale224: width 0.125 at 96 x 96
// grows 6.2 MB per image against 5.2 MB estimated, +19 %); the unused half of the memory
// (kTrainingMemoryShare) absorbs such errors.
// What does not grow with the batch (LibTorch, the data set) is left to the other half
// of the memory (kTrainingMemoryShare).
struct TrainingMemoryEstimate {
    int64_t activationElements = 0; // A, per image
    int64_t parameterCount = 0;     // P
    int64_t perSampleBytes = 0;
    int64_t fixedBytes = 0;
    int64_t bytesForBatch(int64_t batch) const { return fixedBytes + batch * perSampleBytes; }
};
inline constexpr double kActivationFactor = 1.0;

TrainingMemoryEstimate estimateTrainingMemory(ResNetImpl& model, int inputHeight, int inputWidth);

// Share of the available memory a training run plans to use.
inline constexpr double kTrainingMemoryShare = 0.5;

// The largest batch <= maxBatch whose estimate fits in `budgetBytes` (at least 1).
int fittingBatchSize(const TrainingMemoryEstimate& estimate, int64_t budgetBytes, int maxBatch);

// Batches of inference without gradients (evaluateClassifier's test-set accuracy,
// importance / Eq. 8 streaming, feature dumps, eval --codec, codec accuracy): only a few activations are alive at a time, so
//   perImageBytes = 4 * (kInferenceLiveTensors * M + inChannels * H * W)
// with M the largest single activation (elements) of one image (the stem conv at 224^2).
// Weights already exist and are not counted. inferenceBatchSize() is the largest batch
// <= wanted whose estimate fits in kTrainingMemoryShare of availableMemoryBytes() (at
// least 1); results do not depend on it (eval mode: images are independent).
inline constexpr int kInferenceLiveTensors = 4;
struct InferenceBatch {
    int wanted = 0;
    int batchSize = 0;
    int64_t perImageBytes = 0;
    int64_t availableBytes = 0;
    bool lowered() const { return batchSize < wanted; }
};
int64_t estimateInferenceBytesPerImage(const ResNetConfig& config, int inputHeight, int inputWidth);
InferenceBatch inferenceBatchSize(const ResNetConfig& config, int inputHeight, int inputWidth, int wanted);

// "1.23 GiB" style text for messages.
std::string formatBytes(int64_t bytes);

} // namespace aecnn
