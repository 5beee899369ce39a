#pragma once

#include <QJsonObject>
#include <QString>

#include "command.h"
#include "sweep_plan.h"

namespace aecnn::cli {

// The actions of `aecnn sweep` (cmd_sweep*.cpp); DIR is the sweep folder (sweep/sweep_plan.h).
QJsonObject sweepPlan(const ParsedArgs& args, CommandContext& context);
QJsonObject sweepRun(const QString& dir, const ParsedArgs& args, CommandContext& context);
QJsonObject sweepTask(const QString& dir, const ParsedArgs& args, CommandContext& context);
QJsonObject sweepSlurm(const QString& dir, const ParsedArgs& args, CommandContext& context);
QJsonObject sweepStatus(const QString& dir, const ParsedArgs& args, CommandContext& context);
QJsonObject sweepCollect(const QString& dir, const ParsedArgs& args, CommandContext& context);

// The plan's task index given with --task, checked against the plan's size (-1 when absent).
int taskIndexArg(const ParsedArgs& args, int tasks);

// The checkpoint file a plan's model spec names ("default": the default model's file;
// empty for torchvision imports).
QString modelFile(const QString& spec);

// The arguments `aecnn aecnn-train` would get for a task (the plan's options plus the
// task's split, ratio and seed), parsed: tasks take the same code path as aecnn-train.
ParsedArgs taskArguments(const sweep::SweepPlan& plan, const sweep::SweepTask& task);

} // namespace aecnn::cli
