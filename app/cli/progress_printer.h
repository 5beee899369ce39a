#pragma once

#include "aecnn/model/training.h"

namespace aecnn::cli {

// Progress of long commands on stderr: an updating line on a terminal, one line
// per epoch otherwise.
ProgressCallback makeProgressPrinter(bool enabled);

} // namespace aecnn::cli
