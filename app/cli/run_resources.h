#pragma once

#include <iosfwd>

#include <QJsonObject>

#include "aecnn/model/memory_budget.h"
#include "aecnn/model/resnet.h"
#include "cli_args.h"

namespace aecnn::cli {

// Options and decisions about where and how big a run is, shared by train, eval,
// aecnn-train and reproduce (kept out of the commands' own files).

// --device auto|cpu|cuda. auto = cuda when this LibTorch has CUDA and sees a GPU,
// else cpu; cuda on a CPU-only LibTorch is a UsageError saying how to build against
// a CUDA LibTorch.
OptionSpec deviceOptionSpec();
torch::Device deviceFromArgs(const ParsedArgs& args);
std::string deviceName(const torch::Device& device);
// What --json reports about the device: {"device": "cpu"|"cuda", "device_requested": the
// --device given} and, when auto fell back to the CPU, "device_note" saying why.
void insertDeviceJson(QJsonObject& json, const ParsedArgs& args, const torch::Device& device);

// --batch-size B|auto for training. auto: the largest batch up to kAutoBatchLimit whose
// estimated memory (estimateTrainingMemory) fits in kTrainingMemoryShare of the
// available memory. An explicit B whose estimate does not fit is a UsageError naming
// the estimate, the available memory and the batch that fits, unless
// --batch-size-fit lower asks to lower it (with a note). On a CUDA device the host
// memory estimate does not apply and B is used as given (auto = kAutoBatchLimit).
inline constexpr int kAutoBatchLimit = 128;
OptionSpec batchSizeOptionSpec();
OptionSpec batchSizeFitOptionSpec();

struct BatchChoice {
    int batchSize = kAutoBatchLimit;
    bool automatic = false;
    bool lowered = false;
    TrainingMemoryEstimate estimate;
    int64_t availableBytes = 0;
    QJsonObject toJson() const;
};
// Parses only the syntax (for usage errors before the slow loading): B, or 0 for auto.
int batchSizeSyntax(const ParsedArgs& args);
BatchChoice chooseTrainingBatch(const ParsedArgs& args, ResNetImpl& model, int inputHeight, int inputWidth,
                                const torch::Device& device, std::ostream* log);

// An inference batch chosen by memory_budget (inferenceBatchSize) for reports:
// {"batch_size", "wanted", "lowered", "estimated_bytes_per_image", "available_bytes"};
// noteInferenceBatch says so on `log` when the batch was lowered to fit.
QJsonObject inferenceBatchJson(const InferenceBatch& batch);
void noteInferenceBatch(const InferenceBatch& batch, const std::string& what, std::ostream* log);

// Peak resident set size for reports: {"peak_rss_bytes": N, "peak_rss_mib": M}.
QJsonObject peakRssJson();
void printPeakRss(std::ostream& out);

} // namespace aecnn::cli
