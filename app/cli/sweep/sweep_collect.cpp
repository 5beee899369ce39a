#include "sweep_collect.h"

#include <cstdio>
#include <set>
#include <tuple>

#include <QDir>
#include <QFile>
#include <QJsonDocument>

#include "sweep_task_state.h"

namespace aecnn::sweep {
namespace {

// printf format of each column, as `reproduce table1` prints it.
const char* formatOf(const QString& column)
{
    if (column.endsWith("_acc"))
        return "%.2f";
    if (column.startsWith("entropy"))
        return "%.3f";
    if (column.endsWith("_ms"))
        return "%.4f";
    if (column == "frame_bytes")
        return "%.1f";
    return nullptr; // integer
}

QString cell(const QJsonObject& row, const QString& column)
{
    const auto value = row.value(column);
    if (!value.isDouble())
        return {};
    char text[64];
    if (const char* format = formatOf(column))
        std::snprintf(text, sizeof text, format, value.toDouble());
    else
        std::snprintf(text, sizeof text, "%lld", static_cast<long long>(value.toDouble()));
    return QString::fromLatin1(text);
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString provenanceLines(const QJsonObject& provenance, const QString& hash, int done, int tasks)
{
    return QString("# command: %1\n# date: %2; machine: %3\n# plan: %4 (%5 of %6 tasks done)\n")
        .arg(provenance.value("command").toString(), provenance.value("date").toString(),
             provenance.value("machine").toString(), hash)
        .arg(done)
        .arg(tasks);
}

} // namespace

QStringList table1Columns()
{
    return {"split",        "C",           "H",      "W",          "V",         "bottlenetpp_acc", "ca_pruned_acc",
            "aecnn_acc",    "kept_C",      "entropy_bits", "entropy_std", "enc_ms", "dec_ms", "frame_bytes",
            "baseline_acc", "head_macs",   "fr_macs", "tail_macs", "seed"};
}

SweepTables collectSweep(const QString& sweepDir, const SweepPlan& plan, const QJsonObject& provenance)
{
    SweepTables tables;
    tables.tasks = static_cast<int>(plan.tasks.size());
    std::map<std::tuple<int, int, int>, QJsonObject> rows; // (split, V, seed) -> columns
    std::set<std::pair<int, int>> fig4Written;              // (split, seed)
    int evaluated = 0;
    for (const auto& task : plan.tasks) {
        const auto status = taskStatus(sweepDir, plan, task);
        if (status.state != TaskState::Done) {
            tables.missing.append(QJsonObject{{"index", task.index},
                                              {"state", toString(status.state)},
                                              {"detail", status.detail},
                                              {"log", status.log}});
            continue;
        }
        ++tables.done;
        const auto result = readTaskResult(sweepDir, plan, task);
        evaluated = std::max(evaluated, result.value("evaluated").toInt());
        auto& row = rows[{task.split, task.ratio, task.seed}];
        // The aecnn task's geometry wins over BottleNet++'s (they agree; kept_C only comes from AECNN).
        const auto reported = result.value("table1").toObject();
        for (auto it = reported.begin(); it != reported.end(); ++it)
            if (!row.contains(it.key()) || task.method == "aecnn")
                row.insert(it.key(), it.value());
        row.insert("seed", task.seed);
        if (task.method == "aecnn" && !fig4Written.count({task.split, task.seed})) {
            const QByteArray csv = readAll(taskFig4Path(sweepDir, task));
            if (!csv.isEmpty()) {
                fig4Written.insert({task.split, task.seed});
                tables.fig4.push_back({QString("fig4-split%1-seed%2.csv").arg(task.split).arg(task.seed), csv});
            }
        }
    }
    // fig4.csv: the first split and seed of the plan, like `reproduce fig4` (its first --splits).
    for (const auto& task : plan.tasks) {
        if (task.method != "aecnn")
            continue;
        const QString name = QString("fig4-split%1-seed%2.csv").arg(task.split).arg(task.seed);
        for (const auto& [file, csv] : tables.fig4)
            if (file == name) {
                tables.fig4.insert(tables.fig4.begin(), {"fig4.csv", csv});
                break;
            }
        break;
    }

    const auto columns = table1Columns();
    QString csv = QString("# Table I from a sweep (aecnn sweep collect); accuracies in % on %1 test images, one row per "
                          "split, V and seed; empty cells: method not planned or not finished\n")
                      .arg(evaluated);
    csv += "# entropy_bits: H0 per element of the AECNN transmitted tensor (8-bit per-channel uniform symbols), "
           "mean/std over images; enc_ms/dec_ms: quantize+encode / decode+dequantize one frame with the default codec "
           "on the machine that ran the task\n";
    csv += provenanceLines(provenance, planHash(plan), tables.done, tables.tasks);
    csv += columns.join(',') + "\n";
    for (const auto& [key, row] : rows) {
        QStringList cells;
        for (const auto& column : columns)
            cells << cell(row, column);
        csv += cells.join(',') + "\n";
        tables.table1Rows.append(row);
    }
    tables.table1Csv = csv.toUtf8();
    for (auto& [file, fig] : tables.fig4)
        fig = provenanceLines(provenance, planHash(plan), tables.done, tables.tasks).toUtf8() + fig;
    return tables;
}

QStringList writeSweepTables(const QString& outDir, const SweepTables& tables, const QJsonObject& provenance,
                             const QString& hash)
{
    const QDir out(outDir);
    QStringList written;
    writeFileAtomically(out.filePath("table1.csv"), tables.table1Csv);
    written << out.filePath("table1.csv");
    for (const auto& [file, csv] : tables.fig4) {
        writeFileAtomically(out.filePath(file), csv);
        written << out.filePath(file);
    }
    const QJsonObject json{{"plan_hash", hash},       {"provenance", provenance}, {"tasks", tables.tasks},
                           {"done", tables.done},     {"missing", tables.missing}, {"table1", tables.table1Rows}};
    writeFileAtomically(out.filePath("table1.json"), QJsonDocument(json).toJson(QJsonDocument::Indented));
    written << out.filePath("table1.json");
    return written;
}

} // namespace aecnn::sweep
