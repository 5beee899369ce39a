#include "sweep_status.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>

#include "sweep_slurm.h"

namespace aecnn::sweep {
namespace {

// Output of a program, or an empty string when it is missing, fails or hangs.
QString captureSlurmTool(const QString& program, const QStringList& args, int timeoutMs)
{
    const QString path = QStandardPaths::findExecutable(program);
    if (path.isEmpty())
        return {};
    QProcess process;
    process.start(path, args);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0
               ? QString::fromUtf8(process.readAllStandardOutput())
               : QString();
}

} // namespace

int SweepStatusReport::count(TaskState state) const
{
    int n = 0;
    for (const auto& row : tasks)
        n += row.status.state == state ? 1 : 0;
    return n;
}

std::map<int, QString> mergeSlurmStates(const QString& sacctText, const QString& squeueText, const QString& jobId)
{
    // sacct knows finished array tasks (with accounting); squeue the queued, running and recently
    // ended ones (for MinJobAge).
    auto merged = parseSlurmStates(sacctText, jobId);
    for (const auto& [index, state] : parseSlurmStates(squeueText, jobId))
        merged[index] = state;
    for (auto& [index, state] : merged)
        state = state.section(' ', 0, 0);
    return merged;
}

QString slurmJobsPath(const QString& dir)
{
    return QDir(dir).filePath("slurm/jobs.json");
}

QJsonArray readSlurmJobs(const QString& dir)
{
    QFile file(slurmJobsPath(dir));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object().value("jobs").toArray();
}

std::map<int, QString> querySlurmTaskStates(const QString& dir, std::map<int, QString>* logs, int timeoutMs)
{
    std::map<int, QString> states;
    for (const auto& value : readSlurmJobs(dir)) {
        const QString job = value.toObject().value("job_id").toString();
        if (job.isEmpty())
            continue;
        const auto merged = mergeSlurmStates(
            captureSlurmTool("sacct", {"-n", "-P", "-X", "-j", job, "-o", "JobID,State"}, timeoutMs),
            captureSlurmTool("squeue", {"-h", "-r", "-t", "all", "-j", job, "-o", "%i|%T"}, timeoutMs), job);
        for (const auto& [index, state] : merged) {
            states[index] = state;
            if (logs)
                (*logs)[index] = QDir(dir).absoluteFilePath(QString("slurm/%1_%2.out").arg(job).arg(index));
        }
    }
    return states;
}

SweepStatusReport sweepStatusReport(const QString& dir, const std::map<int, QString>& slurmStates,
                                    const std::map<int, QString>& slurmLogs)
{
    const auto plan = loadPlan(dir);
    SweepStatusReport report;
    report.planHash = planHash(plan);
    for (const auto& task : plan.tasks) {
        SweepTaskRow row{task, taskStatus(dir, plan, task), {}, {}};
        if (const auto it = slurmStates.find(task.index); it != slurmStates.end()) {
            row.slurmState = it->second;
            if (const auto log = slurmLogs.find(task.index); log != slurmLogs.end())
                row.slurmLog = log->second;
            // Slurm knows about ends the task could not record (time limit, memory, node failure).
            if (row.status.state != TaskState::Done && row.status.state != TaskState::Failed &&
                isSlurmFailure(row.slurmState)) {
                row.status.state = TaskState::Failed;
                row.status.detail = "Slurm: " + row.slurmState + ", see " + row.slurmLog;
            } else if (row.status.state == TaskState::Pending && row.slurmState == "RUNNING") {
                row.status.state = TaskState::Running;
            }
        }
        report.tasks.push_back(std::move(row));
    }
    return report;
}

} // namespace aecnn::sweep
