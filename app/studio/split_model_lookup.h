#pragma once

#include <QString>

#include "training_request.h"

namespace aecnn::studio {

// The split model the studio deploys for AECNN / BottleNet++ at the request's
// (model, split, V): one trained from the GUI with the training panel's budget,
// else, for the default model, the shipped demo model (core findSplitModel).
// `variant` is "aecnn" or "bottlenetpp". Empty when there is none.
QString splitModelFile(const TrainingRequest& request, const QString& variant);

} // namespace aecnn::studio
