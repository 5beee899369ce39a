#include <chrono>
#include <cstdio>

#include <QDir>
#include <QJsonArray>

#include "cmd_reproduce_options.h"
#include "cmd_sweep.h"
#include "sweep_collect.h"
#include "sweep_slurm.h"
#include "sweep_status.h"
#include "sweep_task_state.h"

namespace aecnn::cli {

QJsonObject sweepStatus(const QString& dir, const ParsedArgs&, CommandContext& context)
{
    std::map<int, QString> slurmLogs;
    const auto slurm = sweep::querySlurmTaskStates(dir, &slurmLogs);
    const auto report = sweep::sweepStatusReport(dir, slurm, slurmLogs);
    QJsonArray tasks;
    QJsonObject counts{{"pending", 0}, {"running", 0}, {"done", 0}, {"failed", 0}};
    *context.text << "plan " << report.planHash.toStdString() << ", " << report.tasks.size() << " tasks\n";
    for (const auto& [task, status, slurmState, slurmLog] : report.tasks) {
        QJsonObject row{{"index", task.index},  {"split", task.split}, {"ratio", task.ratio},
                        {"method", task.method}, {"seed", task.seed},   {"dir", sweep::taskDir(dir, task)}};
        if (!slurmState.isEmpty()) {
            row.insert("slurm_state", slurmState);
            row.insert("slurm_log", slurmLog);
        }
        const QString state = sweep::toString(status.state);
        counts.insert(state, counts.value(state).toInt() + 1);
        row.insert("state", state);
        row.insert("detail", status.detail);
        row.insert("log", status.log);
        tasks.append(row);
        char line[160];
        std::snprintf(line, sizeof line, "%4d  split %-3d V %-4d %-12s seed %-4d %-8s", task.index, task.split,
                      task.ratio, task.method.toStdString().c_str(), task.seed, state.toStdString().c_str());
        *context.text << line << (slurmState.isEmpty() ? "" : " [slurm " + slurmState.toStdString() + "]")
                      << (status.detail.isEmpty() ? "" : "  " + status.detail.toStdString())
                      << (status.state == sweep::TaskState::Pending ? "" : "  log " + status.log.toStdString())
                      << "\n";
    }
    *context.text << counts.value("done").toInt() << " done, " << counts.value("running").toInt() << " running, "
                  << counts.value("pending").toInt() << " pending, " << counts.value("failed").toInt() << " failed\n";
    return {{"plan_hash", report.planHash}, {"tasks", tasks}, {"counts", counts}};
}

QJsonObject sweepCollect(const QString& dir, const ParsedArgs& args, CommandContext& context)
{
    const auto start = std::chrono::steady_clock::now();
    const auto plan = sweep::loadPlan(dir);
    const QString out = args.has("out") ? QString::fromStdString(args.text("out")) : dir;
    auto provenance =
        runProvenance(context, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    const auto tables = sweep::collectSweep(dir, plan, provenance);
    const QString hash = sweep::planHash(plan);
    const auto written = sweep::writeSweepTables(out, tables, provenance, hash);
    *context.text << "collected " << tables.done << " of " << tables.tasks << " tasks (" << tables.table1Rows.size()
                  << " Table I rows) of plan " << hash.left(12).toStdString() << " into:\n";
    for (const auto& path : written)
        *context.text << "  " << path.toStdString() << "\n";
    if (!tables.missing.isEmpty())
        *context.text << tables.missing.size() << " task(s) not done yet: see `aecnn sweep status " << dir.toStdString()
                      << "`\n";
    QJsonArray files;
    for (const auto& path : written)
        files.append(path);
    return {{"plan_hash", hash},         {"tasks", tables.tasks}, {"done", tables.done},
            {"missing", tables.missing}, {"files", files},       {"table1", tables.table1Rows}};
}

} // namespace aecnn::cli
