#pragma once

#include <QString>
#include <optional>

#include "training_request.h"

namespace aecnn::studio {

// Where GUI-trained split models live: one directory per (base model file,
// data set, budget) under the per-user cache, so the CA network of a split point
// is shared by every V and a later run with the same settings reuses the files.
// Torch-free: the worker writes an index per (split, V) that this reads back.

QString defaultTrainingCacheRoot(); // QStandardPaths::CacheLocation/split-models

// The directory of the request's models (not created). Throws nothing; a base
// model file that does not exist gives a key of its spec alone.
QString trainingCacheDir(const TrainingRequest& request);

// The finished models of (split, V) in that directory, when every file is still there.
std::optional<TrainingOutcome> cachedOutcome(const TrainingRequest& request);

// Writes the index read by cachedOutcome() (atomically); false + *error on failure.
bool storeOutcome(const TrainingRequest& request, const TrainingOutcome& outcome, QString* error);

} // namespace aecnn::studio
