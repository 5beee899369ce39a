#pragma once

#include <map>

#include <QString>

namespace aecnn::cli {

// Task index -> Slurm state of the array jobs submitted for the sweep in `dir`
// (DIR/slurm/jobs.json), from sacct and squeue where those programs exist; empty otherwise.
// `logs` gets each task's Slurm output file (DIR/slurm/<job>_<index>.out).
std::map<int, QString> slurmTaskStates(const QString& dir, std::map<int, QString>* logs);

} // namespace aecnn::cli
