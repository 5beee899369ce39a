#pragma once

#include <QFileSystemWatcher>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "sweep_status.h"

namespace aecnn::studio {

// The studio side of `aecnn sweep` (issue 16): watches one sweep folder and runs the CLI on it.
//
// State: read from the folder with the same code as `aecnn sweep status` (sweep_status.h),
// with Slurm's view merged in when the sweep was submitted and sacct/squeue exist. It is
// re-read when the folder changes (QFileSystemWatcher on the folder, tasks/ and each task
// folder) and every refreshMs as a fallback (a lock released, Slurm's state, NFS).
//
// Actions: one `aecnn` process at a time, owned by this controller (QProcess, the UI thread's
// event loop): run the tasks here, retry the failed ones (`--retry-failed`: they resume from
// their checkpoints), collect the finished ones into table1.csv / fig4.csv. Its output comes
// through output(); the destructor stops it (the tasks resume on the next run).
class SweepController : public QObject {
    Q_OBJECT
public:
    explicit SweepController(QObject* parent = nullptr);
    ~SweepController() override;

    // The `aecnn` program the actions run (default: findCli()).
    void setProgram(const QString& program) { program_ = program; }
    QString program() const { return program_; }
    // AECNN_CLI when set (and only it then), else next to the studio, the build tree, PATH; empty = not found.
    static QString findCli();

    // Watches `dir` (empty = none) and reads its state at once (statusChanged or failed).
    void setFolder(const QString& dir);
    QString folder() const { return dir_; }
    const sweep::SweepStatusReport& report() const { return report_; }
    void setRefreshMs(int ms);
    void refresh();

    bool isBusy() const { return process_.state() != QProcess::NotRunning; }
    // False with *error (nothing started) when busy, no folder is chosen or the program is missing.
    bool runLocal(int jobs, QString* error);
    bool retryFailed(int jobs, QString* error);
    bool collect(QString* error);
    void stopProcess();

Q_SIGNALS:
    void statusChanged();               // report() is new
    void statusFailed(const QString& message); // the folder holds no valid plan (or is gone)
    void output(const QString& text);   // of the running action, as it comes
    void busyChanged(bool busy);
    void actionFinished(const QString& action, int exitCode);

private:
    bool start(const QString& action, const QStringList& args, QString* error);
    void rewatch();

    QString dir_;
    QString program_;
    QString action_;
    sweep::SweepStatusReport report_;
    QProcess process_;
    QFileSystemWatcher watcher_;
    QTimer refreshTimer_;
    QTimer debounce_;
};

} // namespace aecnn::studio
