#pragma once

#include <QJsonObject>
#include <QString>

#include "sweep_plan.h"

namespace aecnn::sweep {

// The state of one task, read from its folder only (no process table, no Slurm):
//   done     result.json exists and carries this plan's hash
//   failed   failed.json exists (written when the task's process ended without a result)
//   running  task.lock is held by a live process (on this host), or by a process on another host
//   pending  none of these; "interrupted" when models/ already holds checkpoints (a rerun resumes them)
enum class TaskState { Pending, Running, Done, Failed };
QString toString(TaskState state);

struct TaskStatus {
    TaskState state = TaskState::Pending;
    QString detail; // why: the failure, the lock holder, "interrupted", ...
    QString log;    // absolute path of the task's log (exists once the task has started)
};

// File names inside a task folder.
QString taskDir(const QString& sweepDir, const SweepTask& task);
QString taskResultPath(const QString& sweepDir, const SweepTask& task);
QString taskFailedPath(const QString& sweepDir, const SweepTask& task);
QString taskLogPath(const QString& sweepDir, const SweepTask& task);
QString taskLockPath(const QString& sweepDir, const SweepTask& task);
QString taskModelsDir(const QString& sweepDir, const SweepTask& task);
QString taskFig4Path(const QString& sweepDir, const SweepTask& task);

TaskStatus taskStatus(const QString& sweepDir, const SweepPlan& plan, const SweepTask& task);

// The task's result.json, checked against the plan (throws aecnn::Error when it belongs to another one).
QJsonObject readTaskResult(const QString& sweepDir, const SweepPlan& plan, const SweepTask& task);

// The last `lines` lines of a text file (empty when it does not exist).
QString tailOfFile(const QString& path, int lines);

} // namespace aecnn::sweep
