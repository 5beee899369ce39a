#include "run_resources.h"

#include <ostream>

#include <torch/cuda.h>
#include <torch/torch.h>

namespace aecnn::cli {

OptionSpec deviceOptionSpec()
{
    return {"device", "KIND",
            "where tensors run: auto (cuda if this LibTorch has it and sees a GPU, else cpu), cpu or cuda", "auto"};
}

torch::Device deviceFromArgs(const ParsedArgs& args)
{
    const std::string kind = args.text("device");
    if (kind == "cpu")
        return torch::kCPU;
    if (kind == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    if (kind == "cuda") {
        if (!torch::hasCUDA())
            throw UsageError("--device cuda: this LibTorch was built without CUDA; build against a CUDA LibTorch "
                             "with -DCMAKE_PREFIX_PATH=/path/to/libtorch (README: 'Another LibTorch') or use "
                             "--device cpu");
        if (!torch::cuda::is_available())
            throw UsageError("--device cuda: this LibTorch has CUDA but sees no GPU (driver, CUDA_VISIBLE_DEVICES?); "
                             "use --device cpu");
        return torch::kCUDA;
    }
    throw UsageError("--device must be auto, cpu or cuda, got '" + kind + "'");
}

std::string deviceName(const torch::Device& device)
{
    return device.is_cuda() ? "cuda" : "cpu";
}

void insertDeviceJson(QJsonObject& json, const ParsedArgs& args, const torch::Device& device)
{
    const std::string requested = args.text("device");
    json.insert("device", QString::fromStdString(deviceName(device)));
    json.insert("device_requested", QString::fromStdString(requested));
    if (requested == "auto" && !device.is_cuda())
        json.insert("device_note", torch::hasCUDA()
                                       ? "auto: this LibTorch has CUDA but sees no GPU; ran on the CPU"
                                       : "auto: this LibTorch was built without CUDA; ran on the CPU (to use a GPU, "
                                         "build against a CUDA LibTorch with -DCMAKE_PREFIX_PATH, README: 'Another "
                                         "LibTorch')");
}

OptionSpec batchSizeOptionSpec()
{
    return {"batch-size", "B|auto",
            "mini-batch size; auto = the largest up to " + std::to_string(kAutoBatchLimit) +
                " whose estimated training memory fits in half the available memory",
            "auto"};
}

OptionSpec batchSizeFitOptionSpec()
{
    return {"batch-size-fit", "POLICY",
            "an explicit --batch-size whose memory estimate does not fit: error (stop before training) or lower "
            "(train with the batch that fits)",
            "error"};
}

int batchSizeSyntax(const ParsedArgs& args)
{
    const std::string policy = args.has("batch-size-fit") ? args.text("batch-size-fit") : "error";
    if (policy != "error" && policy != "lower")
        throw UsageError("--batch-size-fit must be 'error' or 'lower', got '" + policy + "'");
    if (args.text("batch-size") == "auto")
        return 0;
    return args.integer("batch-size", 1, 4096);
}

QJsonObject BatchChoice::toJson() const
{
    return {{"batch_size", batchSize},
            {"automatic", automatic},
            {"lowered", lowered},
            {"estimated_bytes", static_cast<qint64>(estimate.bytesForBatch(batchSize))},
            {"estimated_bytes_per_image", static_cast<qint64>(estimate.perSampleBytes)},
            {"estimated_fixed_bytes", static_cast<qint64>(estimate.fixedBytes)},
            {"available_bytes", static_cast<qint64>(availableBytes)}};
}

BatchChoice chooseTrainingBatch(const ParsedArgs& args, ResNetImpl& model, int inputHeight, int inputWidth,
                                const torch::Device& device, std::ostream* log)
{
    BatchChoice choice;
    const int requested = batchSizeSyntax(args);
    choice.automatic = requested == 0;
    choice.estimate = estimateTrainingMemory(model, inputHeight, inputWidth);
    choice.availableBytes = availableMemoryBytes();
    if (device.is_cuda() || choice.availableBytes <= 0) {
        choice.batchSize = choice.automatic ? kAutoBatchLimit : requested;
        return choice;
    }
    const auto budget = static_cast<int64_t>(kTrainingMemoryShare * static_cast<double>(choice.availableBytes));
    const int fitting = fittingBatchSize(choice.estimate, budget, kAutoBatchLimit);
    const std::string size = std::to_string(inputHeight) + "x" + std::to_string(inputWidth);
    if (choice.automatic) {
        choice.batchSize = fitting;
        if (log)
            *log << "batch size " << fitting << " (auto: about " << formatBytes(choice.estimate.bytesForBatch(fitting))
                 << " estimated at " << size << ", " << formatBytes(choice.availableBytes) << " available)\n";
        return choice;
    }
    choice.batchSize = requested;
    const int64_t needed = choice.estimate.bytesForBatch(requested);
    if (needed <= budget)
        return choice;
    const int largest = fittingBatchSize(choice.estimate, budget, requested);
    const std::string why = "--batch-size " + std::to_string(requested) + " needs about " + formatBytes(needed) +
                            " at " + size + " (estimate: " + formatBytes(choice.estimate.fixedBytes) + " + " +
                            std::to_string(requested) + " x " + formatBytes(choice.estimate.perSampleBytes) +
                            " per image) but only " + formatBytes(choice.availableBytes) +
                            " is available and training plans to use at most half";
    if (args.text("batch-size-fit") != "lower")
        throw UsageError(why + "; use --batch-size " + std::to_string(largest) +
                         " (or auto, or --batch-size-fit lower to lower it automatically)");
    choice.batchSize = largest;
    choice.lowered = true;
    if (log)
        *log << why << "; lowered to " << largest << "\n";
    return choice;
}

QJsonObject inferenceBatchJson(const InferenceBatch& batch)
{
    return {{"batch_size", batch.batchSize},
            {"wanted", batch.wanted},
            {"lowered", batch.lowered()},
            {"estimated_bytes_per_image", static_cast<qint64>(batch.perImageBytes)},
            {"available_bytes", static_cast<qint64>(batch.availableBytes)}};
}

void noteInferenceBatch(const InferenceBatch& batch, const std::string& what, std::ostream* log)
{
    if (log && batch.lowered())
        *log << what << ": batches of " << batch.batchSize << " instead of " << batch.wanted << " images (about "
             << formatBytes(batch.perImageBytes) << " per image, " << formatBytes(batch.availableBytes)
             << " available)\n";
}

QJsonObject peakRssJson()
{
    const int64_t peak = peakRssBytes();
    return {{"peak_rss_bytes", static_cast<qint64>(peak)}, {"peak_rss_mib", static_cast<double>(peak) / 1048576.0}};
}

void printPeakRss(std::ostream& out)
{
    out << "peak RSS " << formatBytes(peakRssBytes()) << "\n";
}

} // namespace aecnn::cli
