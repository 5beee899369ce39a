#include "sweep_controller.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include "sweep_task_state.h"

namespace aecnn::studio {

SweepController::SweepController(QObject* parent)
    : QObject(parent), program_(findCli()), worker_(new SweepStatusWorker)
{
    qRegisterMetaType<SweepStatusReading>();
    thread_.setObjectName(QStringLiteral("sweep-status"));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(this, &SweepController::readRequested, worker_, &SweepStatusWorker::read);
    connect(worker_, &SweepStatusWorker::readingReady, this, &SweepController::applyReading);
    thread_.start();
    process_.setProcessChannelMode(QProcess::MergedChannels);
    connect(&process_, &QProcess::readyRead, this,
            [this] { Q_EMIT output(QString::fromUtf8(process_.readAll())); });
    connect(&process_, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        const QString rest = QString::fromUtf8(process_.readAll());
        if (!rest.isEmpty())
            Q_EMIT output(rest);
        const int code = status == QProcess::NormalExit ? exitCode : -1;
        Q_EMIT output(status == QProcess::NormalExit ? tr("[%1 ended with exit code %2]\n").arg(action_).arg(code)
                                                     : tr("[%1 was stopped]\n").arg(action_));
        Q_EMIT busyChanged(false);
        Q_EMIT actionFinished(action_, code);
        refresh();
    });
    connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            Q_EMIT output(tr("[cannot start %1: %2]\n").arg(program_, process_.errorString()));
            Q_EMIT busyChanged(false);
            Q_EMIT actionFinished(action_, -1);
        }
    });
    debounce_.setSingleShot(true);
    debounce_.setInterval(200);
    connect(&debounce_, &QTimer::timeout, this, &SweepController::refresh);
    connect(&watcher_, &QFileSystemWatcher::directoryChanged, &debounce_, qOverload<>(&QTimer::start));
    connect(&watcher_, &QFileSystemWatcher::fileChanged, &debounce_, qOverload<>(&QTimer::start));
    refreshTimer_.setInterval(3000);
    connect(&refreshTimer_, &QTimer::timeout, this, &SweepController::refresh);
}

SweepController::~SweepController()
{
    disconnect(&process_, nullptr, this, nullptr); // no signals from a controller going away
    stopProcess();
    disconnect(worker_, nullptr, this, nullptr); // a reading in flight is not applied
    thread_.quit();
    thread_.wait(); // after the reading in flight, if any; then the worker is deleted
}

QString SweepController::findCli()
{
    if (const QString explicitPath = qEnvironmentVariable("AECNN_CLI"); !explicitPath.isEmpty())
        return QFileInfo(explicitPath).isExecutable() ? QFileInfo(explicitPath).canonicalFilePath() : QString();
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath(QStringLiteral("aecnn")), here.filePath(QStringLiteral("../cli/aecnn")),
                                     here.filePath(QStringLiteral("../../app/cli/aecnn"))})
        if (QFileInfo(candidate).isExecutable() && QFileInfo(candidate).isFile())
            return QFileInfo(candidate).canonicalFilePath();
    return QStandardPaths::findExecutable(QStringLiteral("aecnn"));
}

void SweepController::setFolder(const QString& dir)
{
    dir_ = dir.isEmpty() ? QString() : QDir(dir).absolutePath();
    report_ = {};
    rewatch();
    if (dir_.isEmpty())
        refreshTimer_.stop();
    else
        refreshTimer_.start();
    refresh();
}

void SweepController::setRefreshMs(int ms)
{
    refreshTimer_.setInterval(ms);
}

void SweepController::rewatch()
{
    if (!watcher_.directories().isEmpty())
        watcher_.removePaths(watcher_.directories());
    if (!watcher_.files().isEmpty())
        watcher_.removePaths(watcher_.files());
    if (dir_.isEmpty())
        return;
    QStringList paths{dir_};
    const QDir tasks(QDir(dir_).filePath(QStringLiteral("tasks")));
    if (tasks.exists()) {
        paths << tasks.absolutePath();
        for (const auto& entry : tasks.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot))
            paths << entry.absoluteFilePath();
    }
    watcher_.addPaths(paths);
}

void SweepController::refresh()
{
    if (dir_.isEmpty())
        return;
    if (reading_) {
        readAgain_ = true; // once, when the one in flight is back
        return;
    }
    reading_ = true;
    readAgain_ = false;
    Q_EMIT readRequested(++requests_, dir_);
}

void SweepController::applyReading(const SweepStatusReading& reading)
{
    reading_ = false;
    if (reading.dir == dir_ && !dir_.isEmpty()) { // else another folder was chosen meanwhile
        if (reading.ok) {
            report_ = reading.report;
            if (watcher_.directories().size() < 2)
                rewatch(); // tasks/ appeared
            Q_EMIT statusChanged();
        } else {
            report_ = {};
            Q_EMIT statusFailed(reading.error);
        }
    }
    if (readAgain_ || reading.dir != dir_)
        refresh();
}

bool SweepController::start(const QString& action, const QStringList& args, QString* error)
{
    if (isBusy()) {
        *error = tr("%1 is still running; wait for it or stop it first").arg(action_);
        return false;
    }
    if (dir_.isEmpty()) {
        *error = tr("choose a sweep folder first (one made by `aecnn sweep plan --out DIR`)");
        return false;
    }
    if (program_.isEmpty() || !QFileInfo(program_).isExecutable()) {
        *error = tr("the aecnn program was not found: put it next to the studio or on PATH, or set AECNN_CLI");
        return false;
    }
    action_ = action;
    Q_EMIT output(QStringLiteral("$ %1 %2\n").arg(program_, args.join(QLatin1Char(' '))));
    process_.start(program_, args);
    Q_EMIT busyChanged(true);
    return true;
}

bool SweepController::runLocal(int jobs, QString* error)
{
    return start(tr("sweep run"),
                 {QStringLiteral("sweep"), QStringLiteral("run"), QStringLiteral("--local"), QStringLiteral("--jobs"),
                  QString::number(jobs), dir_},
                 error);
}

bool SweepController::retryFailed(int jobs, QString* error)
{
    return start(tr("sweep run --retry-failed"),
                 {QStringLiteral("sweep"), QStringLiteral("run"), QStringLiteral("--local"),
                  QStringLiteral("--retry-failed"), QStringLiteral("--jobs"), QString::number(jobs), dir_},
                 error);
}

bool SweepController::collect(QString* error)
{
    return start(tr("sweep collect"), {QStringLiteral("sweep"), QStringLiteral("collect"), dir_}, error);
}

void SweepController::stopProcess()
{
    if (process_.state() == QProcess::NotRunning)
        return;
    process_.terminate(); // the runner stops its tasks; they resume from their checkpoints
    if (!process_.waitForFinished(5000)) {
        process_.kill();
        process_.waitForFinished(2000);
    }
}

} // namespace aecnn::studio
