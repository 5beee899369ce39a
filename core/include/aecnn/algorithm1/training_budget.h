#pragma once

#include <cstdint>

#include "aecnn/model/training.h"

namespace aecnn {

// A training budget in epochs that may be fractions (0.2 = a fifth of the training
// set): whole epochs, each capped in steps so that the run takes `epochs` times the
// steps of one full epoch. Every other field comes from `base`.
TrainOptions budgetedTrainOptions(double epochs, int64_t trainImages, TrainOptions base = {});

// Steps a run with `options` takes on `trainImages` images.
int64_t plannedTrainSteps(const TrainOptions& options, int64_t trainImages);

} // namespace aecnn
