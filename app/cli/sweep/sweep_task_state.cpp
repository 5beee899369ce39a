#include "sweep_task_state.h"

#include <csignal>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLockFile>
#include <QSysInfo>

#include "aecnn/error.h"

namespace aecnn::sweep {
namespace {

QJsonObject readJsonFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

} // namespace

QString toString(TaskState state)
{
    switch (state) {
    case TaskState::Pending: return "pending";
    case TaskState::Running: return "running";
    case TaskState::Done: return "done";
    case TaskState::Failed: return "failed";
    }
    return "unknown";
}

QString taskDir(const QString& sweepDir, const SweepTask& task)
{
    return QDir(sweepDir).absoluteFilePath(task.dir);
}
QString taskResultPath(const QString& sweepDir, const SweepTask& task)
{
    return QDir(taskDir(sweepDir, task)).filePath("result.json");
}
QString taskFailedPath(const QString& sweepDir, const SweepTask& task)
{
    return QDir(taskDir(sweepDir, task)).filePath("failed.json");
}
QString taskLogPath(const QString& sweepDir, const SweepTask& task)
{
    return QDir(taskDir(sweepDir, task)).filePath("task.log");
}
QString taskLockPath(const QString& sweepDir, const SweepTask& task)
{
    return QDir(taskDir(sweepDir, task)).filePath("task.lock");
}
QString taskModelsDir(const QString& sweepDir, const SweepTask& task)
{
    return QDir(taskDir(sweepDir, task)).filePath("models");
}
QString taskFig4Path(const QString& sweepDir, const SweepTask& task)
{
    return QDir(taskDir(sweepDir, task)).filePath("fig4.csv");
}

TaskStatus taskStatus(const QString& sweepDir, const SweepPlan& plan, const SweepTask& task)
{
    TaskStatus status;
    status.log = taskLogPath(sweepDir, task);
    const auto result = readJsonFile(taskResultPath(sweepDir, task));
    if (!result.isEmpty()) {
        if (result.value("plan_hash").toString() == planHash(plan)) {
            status.state = TaskState::Done;
            return status;
        }
        status.state = TaskState::Failed;
        status.detail = "result.json belongs to another plan (hash " + result.value("plan_hash").toString() + ")";
        return status;
    }
    const QString lockPath = taskLockPath(sweepDir, task);
    if (QFileInfo::exists(lockPath)) {
        QLockFile lock(lockPath);
        qint64 pid = 0;
        QString host, app;
        if (lock.getLockInfo(&pid, &host, &app)) {
            const bool here = host.isEmpty() || host == QSysInfo::machineHostName();
            if (!here || processAlive(pid)) {
                status.state = TaskState::Running;
                status.detail = here ? QString("pid %1 on this host").arg(pid)
                                     : QString("pid %1 on %2 (if that process is gone, delete %3)")
                                           .arg(pid)
                                           .arg(host, lockPath);
                return status;
            }
        }
    }
    const auto failed = readJsonFile(taskFailedPath(sweepDir, task));
    if (!failed.isEmpty()) {
        status.state = TaskState::Failed;
        status.detail = failed.value("reason").toString();
        return status;
    }
    const QDir models(taskModelsDir(sweepDir, task));
    if (models.exists() && !models.isEmpty(QDir::Files))
        status.detail = "interrupted: resumes from the checkpoints in models/";
    return status;
}

QJsonObject readTaskResult(const QString& sweepDir, const SweepPlan& plan, const SweepTask& task)
{
    const QString path = taskResultPath(sweepDir, task);
    const auto result = readJsonFile(path);
    if (result.isEmpty())
        throw Error("task " + std::to_string(task.index) + " has no readable result " + path.toStdString());
    if (result.value("plan_hash").toString() != planHash(plan))
        throw Error(path.toStdString() + " belongs to another plan (hash " +
                    result.value("plan_hash").toString().toStdString() + ", this plan " +
                    planHash(plan).toStdString() + "); delete the task folder to rerun it");
    return result;
}

QString tailOfFile(const QString& path, int lines)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = file.size();
    const qint64 chunk = 16384;
    if (size > chunk)
        file.seek(size - chunk);
    const auto all = QString::fromUtf8(file.readAll()).split('\n');
    QStringList kept;
    for (auto it = all.rbegin(); it != all.rend() && kept.size() < lines; ++it)
        if (!it->trimmed().isEmpty() || !kept.isEmpty())
            kept.prepend(*it);
    return kept.join('\n');
}

} // namespace aecnn::sweep
