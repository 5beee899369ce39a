#pragma once

#include <vector>

#include <QJsonObject>

#include "cli_args.h"
#include "command.h"

namespace aecnn::cli {

// `reproduce fig5`: the latency model's Fig. 5 curves (device profile) plus live
// measured points from a local aecnn-agent at several shaped rates for AECNN at a
// few V, as CSV, PNG and JSON in --out.
std::vector<OptionSpec> fig5OptionSpecs();
QJsonObject reproduceFig5(const ParsedArgs& args, CommandContext& context);

} // namespace aecnn::cli
