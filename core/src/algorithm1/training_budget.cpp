#include "aecnn/algorithm1/training_budget.h"

#include <algorithm>
#include <cmath>

namespace aecnn {
namespace {

int64_t stepsPerFullEpoch(int64_t trainImages, int batchSize)
{
    return (trainImages + batchSize - 1) / batchSize;
}

} // namespace

TrainOptions budgetedTrainOptions(double epochs, int64_t trainImages, TrainOptions base)
{
    base.epochs = std::max(1, static_cast<int>(std::ceil(epochs - 1e-9)));
    const int64_t fullSteps = stepsPerFullEpoch(trainImages, base.batchSize);
    const auto steps = static_cast<int64_t>(std::llround(epochs / base.epochs * static_cast<double>(fullSteps)));
    base.maxStepsPerEpoch = steps >= fullSteps ? 0 : std::max<int64_t>(1, steps);
    return base;
}

int64_t plannedTrainSteps(const TrainOptions& options, int64_t trainImages)
{
    const int64_t full = stepsPerFullEpoch(trainImages, options.batchSize);
    return options.epochs * (options.maxStepsPerEpoch > 0 ? std::min(full, options.maxStepsPerEpoch) : full);
}

} // namespace aecnn
