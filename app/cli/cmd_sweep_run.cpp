#include <chrono>
#include <csignal>
#include <deque>
#include <memory>
#include <ostream>

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QProcess>
#include <QSysInfo>

#include "aecnn/error.h"
#include "cmd_sweep.h"
#include "sweep_plan.h"
#include "sweep_task_state.h"

namespace aecnn::cli {
namespace {

// SIGTERM (Slurm's time limit, scancel) or SIGINT: the runner stops its tasks and leaves
// them pending, so the next run resumes them from their checkpoints. A signal handler can
// only set a flag; this one is the runner's alone.
volatile std::sig_atomic_t stopSignal = 0;

extern "C" void onStopSignal(int signal)
{
    stopSignal = signal;
}

class StopSignals {
public:
    StopSignals()
    {
        stopSignal = 0;
        previousTerm_ = std::signal(SIGTERM, onStopSignal);
        previousInt_ = std::signal(SIGINT, onStopSignal);
    }
    ~StopSignals()
    {
        std::signal(SIGTERM, previousTerm_);
        std::signal(SIGINT, previousInt_);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;

private:
    void (*previousTerm_)(int) = SIG_DFL;
    void (*previousInt_)(int) = SIG_DFL;
};

// One task's process: `aecnn sweep task DIR --task I`, its output appended to the task's
// log. The lock (task.lock) keeps a second runner, here or on another node, off the task.
struct RunningTask {
    const sweep::SweepTask* task = nullptr;
    std::unique_ptr<QLockFile> lock;
    std::unique_ptr<QProcess> process;
    std::chrono::steady_clock::time_point start;
};

QString taskLabel(const sweep::SweepTask& t)
{
    return QString("task %1 (split %2, V %3, %4, seed %5)").arg(t.index).arg(t.split).arg(t.ratio).arg(t.method).arg(
        t.seed);
}

void appendToLog(const QString& path, const QString& text)
{
    QFile log(path);
    if (log.open(QIODevice::Append))
        log.write(text.toUtf8());
}

// Starts a task unless another runner holds its lock (then returns nullptr).
std::unique_ptr<RunningTask> startTask(const QString& dir, const sweep::SweepTask& task, int threads)
{
    if (!QDir().mkpath(sweep::taskDir(dir, task)))
        throw Error("cannot create the task folder " + sweep::taskDir(dir, task).toStdString());
    auto running = std::make_unique<RunningTask>();
    running->task = &task;
    running->lock = std::make_unique<QLockFile>(sweep::taskLockPath(dir, task));
    running->lock->setStaleLockTime(0); // only a dead holder (on this host) makes the lock stale
    if (!running->lock->tryLock(0))
        return nullptr;
    QFile::remove(sweep::taskFailedPath(dir, task));
    const QString log = sweep::taskLogPath(dir, task);
    appendToLog(log, QString("=== %1 on %2, runner pid %3\n")
                         .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate), QSysInfo::machineHostName())
                         .arg(QCoreApplication::applicationPid()));
    running->process = std::make_unique<QProcess>();
    running->process->setProcessChannelMode(QProcess::MergedChannels);
    running->process->setStandardOutputFile(log, QIODevice::Append);
    running->process->start(QCoreApplication::applicationFilePath(),
                            {"sweep", "task", dir, "--task", QString::number(task.index), "--threads",
                             QString::number(threads)});
    running->start = std::chrono::steady_clock::now();
    return running;
}

// After the process ended: done when it left a result for this plan, else failed.json.
QJsonObject finishTask(const QString& dir, const sweep::SweepPlan& plan, RunningTask& running, std::ostream& out)
{
    auto& process = *running.process;
    const auto& task = *running.task;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - running.start).count();
    const QString log = sweep::taskLogPath(dir, task);
    QJsonObject report{{"index", task.index}, {"log", log}, {"seconds", seconds}};
    const auto status = sweep::taskStatus(dir, plan, task);
    if (status.state == sweep::TaskState::Done && process.exitStatus() == QProcess::NormalExit &&
        process.exitCode() == 0) {
        report.insert("state", "done");
        out << taskLabel(task).toStdString() << ": done in " << static_cast<int>(seconds) << " s\n" << std::flush;
    } else {
        QString reason;
        if (process.error() == QProcess::FailedToStart)
            reason = "could not start " + QCoreApplication::applicationFilePath() + ": " + process.errorString();
        else if (process.exitStatus() == QProcess::CrashExit)
            reason = "the task process crashed (killed by a signal)";
        else
            reason = QString("the task process exited with code %1").arg(process.exitCode());
        const auto tail = sweep::tailOfFile(log, 5);
        writeFileAtomically(sweep::taskFailedPath(dir, task),
                               QJsonDocument(QJsonObject{{"reason", reason},
                                                         {"log", log},
                                                         {"log_tail", tail},
                                                         {"host", QSysInfo::machineHostName()},
                                                         {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                                                         {"exit_code", process.exitCode()}})
                                   .toJson(QJsonDocument::Indented));
        report.insert("state", "failed");
        report.insert("reason", reason);
        out << taskLabel(task).toStdString() << ": FAILED: " << reason.toStdString() << "; log " << log.toStdString()
            << "\n" << tail.toStdString() << "\n" << std::flush;
    }
    running.lock->unlock();
    return report;
}

// Stops a task on a signal to the runner: no failure recorded, the lock released.
void interruptTask(const QString& dir, RunningTask& running, int signal, std::ostream& out)
{
    auto& process = *running.process;
    if (process.state() != QProcess::NotRunning) {
        process.terminate();
        if (!process.waitForFinished(20000)) {
            process.kill();
            process.waitForFinished(5000);
        }
    }
    const QString log = sweep::taskLogPath(dir, *running.task);
    appendToLog(log, QString("=== interrupted by signal %1; a rerun resumes from the checkpoints in models/\n").arg(signal));
    out << taskLabel(*running.task).toStdString() << ": interrupted (signal " << signal
        << "), left pending; a rerun resumes it\n" << std::flush;
    running.lock->unlock();
}

} // namespace

QJsonObject sweepRun(const QString& dir, const ParsedArgs& args, CommandContext& context)
{
    const auto plan = sweep::loadPlan(dir);
    const int only = taskIndexArg(args, static_cast<int>(plan.tasks.size()));
    if (only < 0 && !args.flag("local"))
        throw UsageError("say where to run: --local runs the tasks here, --task I runs one task (what a Slurm array "
                         "task does); `aecnn sweep slurm DIR` submits them to Slurm");
    const int jobs = args.integer("jobs", 1, 256);
    const bool retry = args.flag("retry-failed");

    std::deque<const sweep::SweepTask*> queue;
    QJsonArray skipped, results;
    int failedBefore = 0;
    for (const auto& task : plan.tasks) {
        if (only >= 0 && task.index != only)
            continue;
        const auto status = sweep::taskStatus(dir, plan, task);
        const bool runIt = status.state == sweep::TaskState::Pending ||
                           (status.state == sweep::TaskState::Failed && retry);
        if (!runIt) {
            skipped.append(QJsonObject{{"index", task.index},
                                       {"state", sweep::toString(status.state)},
                                       {"detail", status.detail},
                                       {"log", status.log}});
            *context.text << taskLabel(task).toStdString() << ": " << sweep::toString(status.state).toStdString()
                          << (status.detail.isEmpty() ? "" : " (" + status.detail.toStdString() + ")")
                          << (status.state == sweep::TaskState::Failed ? ", skipped (--retry-failed reruns it)"
                                                                        : ", skipped")
                          << "\n";
            failedBefore += status.state == sweep::TaskState::Failed;
            continue;
        }
        queue.push_back(&task);
    }
    *context.text << "plan " << sweep::planHash(plan).left(12).toStdString() << ": " << queue.size()
                  << " task(s) to run, " << jobs << " at a time, " << plan.threads << " thread(s) each\n"
                  << std::flush;

    std::vector<std::unique_ptr<RunningTask>> running;
    int failed = 0;
    const StopSignals stopSignals;
    while (!queue.empty() || !running.empty()) {
        if (stopSignal) {
            for (auto& task : running)
                interruptTask(dir, *task, stopSignal, *context.text);
            throw Error("interrupted by signal " + std::to_string(stopSignal) + "; " + std::to_string(running.size()) +
                        " running task(s) left pending: `aecnn sweep run` resumes them from their checkpoints");
        }
        while (!queue.empty() && static_cast<int>(running.size()) < jobs) {
            const auto* task = queue.front();
            queue.pop_front();
            auto started = startTask(dir, *task, plan.threads);
            if (!started) {
                *context.text << taskLabel(*task).toStdString() << ": locked by another runner, skipped\n";
                skipped.append(QJsonObject{{"index", task->index}, {"state", "running"}});
                continue;
            }
            *context.text << taskLabel(*task).toStdString() << ": started, log "
                          << sweep::taskLogPath(dir, *task).toStdString() << "\n" << std::flush;
            running.push_back(std::move(started));
        }
        if (running.empty())
            break;
        running.front()->process->waitForFinished(200);
        for (auto it = running.begin(); it != running.end();) {
            if ((*it)->process->state() != QProcess::NotRunning || stopSignal) {
                ++it;
                continue;
            }
            const auto report = finishTask(dir, plan, **it, *context.text);
            failed += report.value("state").toString() == "failed";
            results.append(report);
            it = running.erase(it);
        }
    }
    if (failed > 0)
        throw Error(std::to_string(failed) + " task(s) failed (see above and `aecnn sweep status " + dir.toStdString() +
                    "`); after fixing the cause rerun them with `aecnn sweep run --retry-failed`; they resume from "
                    "their checkpoints");
    return {{"plan_hash", sweep::planHash(plan)},
            {"ran", results},
            {"skipped", skipped},
            {"failed_before", failedBefore}};
}

} // namespace aecnn::cli
