#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>

#include "aecnn/error.h"
#include "cmd_sweep.h"
#include "sweep_slurm.h"
#include "sweep_status.h"
#include "sweep_task_state.h"

namespace aecnn::cli {

QJsonObject sweepSlurm(const QString& dir, const ParsedArgs& args, CommandContext& context)
{
    const auto plan = sweep::loadPlan(dir);
    sweep::SlurmOptions options;
    options.cpusPerTask = args.has("cpus-per-task") ? args.integer("cpus-per-task", 1, 4096) : plan.threads;
    options.mem = QString::fromStdString(args.text("mem"));
    options.time = QString::fromStdString(args.text("time"));
    options.maxParallel = args.integer("max-parallel", 0, 1 << 20);
    options.partition = args.has("partition") ? QString::fromStdString(args.text("partition")) : QString();
    options.retryFailed = args.flag("retry-failed");
    if (options.cpusPerTask < plan.threads)
        *context.text << "warning: " << options.cpusPerTask << " CPU(s) per task but the plan's tasks use "
                      << plan.threads << " thread(s) each\n";

    std::vector<int> indices;
    for (const auto& task : plan.tasks) {
        const auto state = sweep::taskStatus(dir, plan, task).state;
        if (state == sweep::TaskState::Pending || (state == sweep::TaskState::Failed && options.retryFailed))
            indices.push_back(task.index);
    }
    QJsonObject json{{"plan_hash", sweep::planHash(plan)}, {"tasks", static_cast<int>(indices.size())}};
    if (indices.empty()) {
        *context.text << "nothing to submit: every task is done, running or failed (--retry-failed resubmits "
                         "failed ones); see `aecnn sweep status "
                      << dir.toStdString() << "`\n";
        json.insert("submitted", false);
        return json;
    }
    const QString script = QDir(dir).absoluteFilePath("slurm/sweep.sbatch");
    writeFileAtomically(script,
                           sweep::sbatchScript(dir, plan, options, QCoreApplication::applicationFilePath(), indices));
    QFile::setPermissions(script, QFile::permissions(script) | QFileDevice::ExeOwner);
    json.insert("script", script);
    json.insert("array", sweep::arraySpec(indices, options.maxParallel));
    const QString sbatch = QStandardPaths::findExecutable("sbatch");
    if (sbatch.isEmpty() || args.flag("no-submit")) {
        const QString command = "sbatch " + script;
        *context.text << "wrote " << script.toStdString() << " (" << indices.size() << " array tasks)\n"
                      << (sbatch.isEmpty() ? "sbatch is not on PATH; on a Slurm login node submit it with:\n  "
                                           : "submit it with:\n  ")
                      << command.toStdString() << "\n";
        json.insert("submitted", false);
        json.insert("submit_command", command);
        return json;
    }
    QProcess process;
    process.start(sbatch, {"--parsable", script});
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        throw Error("sbatch " + script.toStdString() + " failed: " +
                    QString::fromUtf8(process.readAllStandardError()).trimmed().toStdString() +
                    " (the script is kept; fix the options or submit it by hand)");
    const QString jobId = QString::fromUtf8(process.readAllStandardOutput()).trimmed().section(';', 0, 0);
    auto jobs = sweep::readSlurmJobs(dir);
    jobs.append(QJsonObject{{"job_id", jobId},
                            {"array", sweep::arraySpec(indices, options.maxParallel)},
                            {"script", script},
                            {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}});
    writeFileAtomically(sweep::slurmJobsPath(dir), QJsonDocument(QJsonObject{{"jobs", jobs}}).toJson(QJsonDocument::Indented));
    *context.text << "submitted job " << jobId.toStdString() << " (array " << json.value("array").toString().toStdString()
                  << ", " << indices.size() << " tasks); follow it with `aecnn sweep status " << dir.toStdString()
                  << "`\n";
    json.insert("submitted", true);
    json.insert("job_id", jobId);
    return json;
}

} // namespace aecnn::cli
