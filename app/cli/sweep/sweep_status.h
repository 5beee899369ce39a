#pragma once

#include <map>
#include <vector>

#include <QJsonArray>
#include <QString>

#include "sweep_plan.h"
#include "sweep_task_state.h"

namespace aecnn::sweep {

// What `aecnn sweep status DIR` and the studio's sweep panel show: every task's state
// from its folder (sweep_task_state.h), with the Slurm state of its array task merged in
// where the sweep was submitted (DIR/slurm/jobs.json) and sacct/squeue exist.

struct SweepTaskRow {
    SweepTask task;
    TaskStatus status;  // after merging Slurm's view
    QString slurmState; // empty = not submitted, or no Slurm here
    QString slurmLog;   // DIR/slurm/<job>_<index>.out when slurmState is set
};

struct SweepStatusReport {
    QString planHash;
    std::vector<SweepTaskRow> tasks;
    int count(TaskState state) const;
};

// Task index -> Slurm state of job `jobId` from sacct's (`sacct -n -P -X -j JOB -o JobID,State`)
// and squeue's (`squeue -h -r -t all -j JOB -o %i|%T`) output; squeue wins where both
// know a task (it is the newer view). "CANCELLED by 0" -> "CANCELLED".
std::map<int, QString> mergeSlurmStates(const QString& sacctText, const QString& squeueText, const QString& jobId);

// The jobs `aecnn sweep slurm` submitted for the sweep in `dir` (DIR/slurm/jobs.json).
QString slurmJobsPath(const QString& dir);
QJsonArray readSlurmJobs(const QString& dir);

// Task index -> Slurm state of the sweep's array jobs, asking sacct and squeue where they are
// on PATH (each at most `timeoutMs`); empty otherwise. `logs` gets each task's Slurm output file.
std::map<int, QString> querySlurmTaskStates(const QString& dir, std::map<int, QString>* logs, int timeoutMs = 15000);

// Every task's state: the folder's view, with Slurm's merged in. A Slurm end the task could
// not record itself (time limit, memory, node failure) makes it failed; a running array task
// whose folder says pending makes it running. Throws aecnn::Error when DIR holds no valid plan.
SweepStatusReport sweepStatusReport(const QString& dir, const std::map<int, QString>& slurmStates,
                                    const std::map<int, QString>& slurmLogs);

} // namespace aecnn::sweep
