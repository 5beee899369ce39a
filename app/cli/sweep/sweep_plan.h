#pragma once

#include <vector>

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "aecnn/io/file_io.h" // writeFileAtomically, fileSha256

namespace aecnn::sweep {

// A sweep of Algorithm 1 runs (issue 16): one task per split point x ratio V x method x seed,
// all with the same model, data and training budget. The plan is written once into the
// sweep's folder (plan.json) with a hash of its content; every task result records that
// hash, so a folder is never mixed between two sweeps.
//
//   DIR/plan.json                     this plan (the hash covers "content" only)
//   DIR/tasks/<task dir>/             one task: models/ (Algorithm 1's checkpoints),
//                                     result.json, fig4.csv, task.log, failed.json, task.lock
//   DIR/slurm/                        sbatch script, job ids, Slurm's per-task output
//   DIR/table1.csv, DIR/fig4*.csv     what `sweep collect` merges

// Methods a task can train: "aecnn" runs Algorithm 1's steps 1-4 (CA training, importance,
// CA_Pruned, AECNN: one task gives both columns, AECNN is fine-tuned from CA_Pruned);
// "bottlenetpp" the BottleNet++ baseline alone.
QStringList sweepMethods();

struct SweepTask {
    int index = 0;
    int split = 0;
    int ratio = 0;
    QString method;
    int seed = 1;
    QString dir; // relative to the sweep folder
};

struct SweepPlan {
    QString model;        // model spec (files as absolute paths)
    QString modelSha256;  // of the model file when the spec names one; tasks refuse a changed file
    QString dataset;      // dataset spec
    int threads = 1;      // LibTorch threads of every task (results are reproducible per thread count)
    int codecImages = 0;  // test images for Table I's entropy and codec timing columns
    QJsonObject options;  // Algorithm 1 options by CLI name: strings, booleans for flags
    std::vector<SweepTask> tasks;
    QJsonObject created;  // command, date, machine of `sweep plan`; outside the hash
};

// Every combination, in the order split, ratio, method, seed (index = position).
std::vector<SweepTask> expandTasks(const std::vector<int>& splits, const std::vector<int>& ratios,
                                   const QStringList& methods, const std::vector<int>& seeds);

QJsonObject planContent(const SweepPlan& plan);
QString planHash(const SweepPlan& plan); // SHA-256 of the compact JSON of planContent (keys sorted)
QByteArray planToJson(const SweepPlan& plan);
// Parses and checks a plan file's text; a hash that does not match its content is an error.
SweepPlan planFromJson(const QByteArray& json, const QString& source);

QString planPath(const QString& sweepDir);
// Throws aecnn::Error naming the folder and what to do when it holds no (valid) plan.
SweepPlan loadPlan(const QString& sweepDir);

enum class PlanWrite { Created, Unchanged };
// Writes plan.json into `sweepDir`. The same plan again is Unchanged; a folder that holds
// another sweep's plan (another hash), or files but no plan, is refused with aecnn::Error.
PlanWrite writePlan(const QString& sweepDir, const SweepPlan& plan);

// SHA-256 (hex) of a file's bytes; throws aecnn::Error when it cannot be read.

// Writes through a temporary file and a rename (QSaveFile): readers see the old or the new file.

} // namespace aecnn::sweep
