#pragma once

#include <map>
#include <vector>

#include <QByteArray>
#include <QString>

#include "sweep_plan.h"

namespace aecnn::sweep {

// One Slurm job array per submission: array index i runs task i of the plan
// (`aecnn sweep run --task $SLURM_ARRAY_TASK_ID DIR`), at most `maxParallel` at a time.
struct SlurmOptions {
    int cpusPerTask = 1;
    QString mem = "4G";
    QString time = "04:00:00";
    int maxParallel = 0; // 0 = no limit
    QString partition;   // empty = the cluster's default
    bool retryFailed = false;
};

// "0-3%2", "0,2,5%2": the task indices for --array (sorted, ranges compressed).
QString arraySpec(const std::vector<int>& indices, int maxParallel);

// The sbatch script. `aecnnPath` is the program every array task runs.
QByteArray sbatchScript(const QString& sweepDir, const SweepPlan& plan, const SlurmOptions& options,
                        const QString& aecnnPath, const std::vector<int>& indices);

// Task index -> Slurm state from `squeue -h -r -o %i|%T` or `sacct -n -P -X -o JobID,State`
// lines of job `jobId` ("123_4|RUNNING", "123_[5-7%2]|PENDING"); other jobs' lines are ignored.
std::map<int, QString> parseSlurmStates(const QString& text, const QString& jobId);

// States in which an array task will not produce a result any more.
bool isSlurmFailure(const QString& state);

} // namespace aecnn::sweep
