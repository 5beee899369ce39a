#include "aecnn/model/memory_budget.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "aecnn/model/split_info.h"

namespace aecnn {

int64_t availableMemoryBytes()
{
    if (const char* limit = std::getenv(kMemoryLimitEnv); limit && *limit) {
        char* end = nullptr;
        const double mb = std::strtod(limit, &end);
        if (end != limit && mb > 0)
            return static_cast<int64_t>(mb * 1024.0 * 1024.0);
    }
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    int64_t value = 0;
    std::string unit;
    while (meminfo >> key >> value) {
        std::getline(meminfo, unit);
        if (key == "MemAvailable:")
            return value * 1024;
    }
    return 0;
}

int64_t peakRssBytes()
{
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    return static_cast<int64_t>(usage.ru_maxrss) * 1024; // Linux reports kilobytes
}

TrainingMemoryEstimate estimateTrainingMemory(ResNetImpl& model, int inputHeight, int inputWidth)
{
    const auto& config = model.config();
    int h = inputHeight, w = inputWidth;
    int64_t elements = 0;
    convMacs(*model.conv1, h, w);
    elements += 3LL * config.stemChannels * h * w; // conv1, bn1, relu
    h = (h + 2 - 3) / 2 + 1;                        // maxpool 3x3 stride 2 padding 1
    w = (w + 2 - 3) / 2 + 1;
    elements += 1LL * config.stemChannels * h * w;
    for (int point = 2; point <= config.splitPointCount(); ++point) {
        const auto block = model.blockAt(point);
        const int64_t planes = block->conv1->options.out_channels();
        const int64_t out = block->outChannels();
        convMacs(*block->conv1, h, w);
        elements += 3 * planes * h * w; // conv1, bn1, relu
        convMacs(*block->conv2, h, w);
        elements += 3 * planes * h * w; // conv2, bn2, relu
        elements += (block->downsample ? 6 : 4) * out * h * w; // conv3, bn3, [downsample conv + bn], sum, relu
    }
    TrainingMemoryEstimate e;
    e.activationElements = elements;
    e.parameterCount = parameterCount(model);
    e.perSampleBytes = static_cast<int64_t>(kActivationFactor * 4.0 * static_cast<double>(elements)) +
                       4LL * config.inChannels * inputHeight * inputWidth;
    e.fixedBytes = 16 * e.parameterCount;
    return e;
}

int fittingBatchSize(const TrainingMemoryEstimate& estimate, int64_t budgetBytes, int maxBatch)
{
    if (estimate.perSampleBytes <= 0)
        return maxBatch;
    const int64_t fit = (budgetBytes - estimate.fixedBytes) / estimate.perSampleBytes;
    return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(maxBatch, fit)));
}

int64_t estimateInferenceBytesPerImage(const ResNetConfig& config, int inputHeight, int inputWidth)
{
    const bool imagenet = config.stem == StemKind::ImageNet;
    int64_t h = imagenet ? (inputHeight - 1) / 2 + 1 : inputHeight; // conv1 7x7/2 pad 3, or 3x3/1 pad 1
    int64_t w = imagenet ? (inputWidth - 1) / 2 + 1 : inputWidth;
    int64_t largest = int64_t(config.stemChannels) * h * w;
    h = (h - 1) / 2 + 1; // maxpool 3x3/2 pad 1
    w = (w - 1) / 2 + 1;
    largest = std::max(largest, int64_t(config.stemChannels) * h * w);
    for (size_t stage = 0; stage < config.stagePlanes.size(); ++stage) {
        const int64_t planes = config.stagePlanes[stage];
        largest = std::max(largest, planes * h * w); // first block's conv1, before its stride
        if (stage > 0) {
            h = (h - 1) / 2 + 1;
            w = (w - 1) / 2 + 1;
        }
        largest = std::max(largest, planes * ResNetConfig::expansion * h * w);
    }
    return 4 * (kInferenceLiveTensors * largest + int64_t(config.inChannels) * inputHeight * inputWidth);
}

InferenceBatch inferenceBatchSize(const ResNetConfig& config, int inputHeight, int inputWidth, int wanted)
{
    InferenceBatch batch;
    batch.wanted = std::max(1, wanted);
    batch.batchSize = batch.wanted;
    batch.perImageBytes = estimateInferenceBytesPerImage(config, inputHeight, inputWidth);
    batch.availableBytes = availableMemoryBytes();
    if (batch.availableBytes > 0 && batch.perImageBytes > 0) {
        const auto budget = static_cast<int64_t>(kTrainingMemoryShare * static_cast<double>(batch.availableBytes));
        batch.batchSize = static_cast<int>(std::clamp<int64_t>(budget / batch.perImageBytes, 1, batch.wanted));
    }
    return batch;
}

std::string formatBytes(int64_t bytes)
{
    char text[32];
    const double b = static_cast<double>(bytes);
    if (b >= 1024.0 * 1024.0 * 1024.0)
        std::snprintf(text, sizeof text, "%.2f GiB", b / (1024.0 * 1024.0 * 1024.0));
    else
        std::snprintf(text, sizeof text, "%.1f MiB", b / (1024.0 * 1024.0));
    return text;
}

} // namespace aecnn
