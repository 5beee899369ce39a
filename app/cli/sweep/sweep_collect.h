#pragma once

#include <map>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include "sweep_plan.h"

namespace aecnn::sweep {

// Table I columns as `aecnn reproduce table1` writes them, plus the seed of each row.
QStringList table1Columns();

// What `sweep collect` writes, built from the finished tasks' result.json and fig4.csv
// only (no models are loaded). One Table I row per split, V and seed with every column
// some finished task reported (empty cells for methods not finished or not planned);
// one Fig. 4 CSV per split and seed of a finished "aecnn" task.
struct SweepTables {
    QByteArray table1Csv;
    QJsonArray table1Rows;                             // the same rows as JSON (column -> value)
    std::vector<std::pair<QString, QByteArray>> fig4;  // file name -> CSV (fig4.csv = first split, first seed)
    int tasks = 0, done = 0;
    QJsonArray missing;                                // {index, state, detail, log} of tasks not done
};

// `provenance` holds command, date and machine (the collecting run).
SweepTables collectSweep(const QString& sweepDir, const SweepPlan& plan, const QJsonObject& provenance);

// Writes table1.csv, table1.json and the Fig. 4 files into `outDir`, each atomically.
// Returns the paths written.
QStringList writeSweepTables(const QString& outDir, const SweepTables& tables, const QJsonObject& provenance,
                             const QString& planHash);

} // namespace aecnn::sweep
