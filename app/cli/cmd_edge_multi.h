#pragma once

// `aecnn edge` with several agents (--connect A,B,... or --agent-settings FILE):
// one session per agent, one batched tail (aecnn/edge/multi_edge.h).

#include <string>

#include <QJsonObject>
#include <QString>

#include "cli_args.h"
#include "command.h"

namespace aecnn::cli {

// Shared with the one-agent path (cmd_edge.cpp).
// The agent settings the command line gives for `mode` (rate, window, dataset, transport options).
QJsonObject edgeAgentSettings(const ParsedArgs& args, const std::string& mode);
// The model for a mode: `model` when given, else the demo split model for (split, ratio)
// (0 = not given) or "default" for full/local. Throws UsageError naming what is missing.
QString resolveEdgeModel(const std::string& mode, const std::string& model, int split, int ratio);
// Split and ratio of a split checkpoint; {0, 0} for other kinds.
std::pair<int, int> splitOfModel(const QString& path);

bool isMultiAgentEdge(const ParsedArgs& args);
QJsonObject runMultiAgentEdge(const ParsedArgs& args, CommandContext& context);

// OUT.csv -> OUT-agent2.csv (index from 1).
QString agentCsvPath(const QString& csv, size_t index);

} // namespace aecnn::cli
