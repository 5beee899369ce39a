#pragma once

#include <QFileSystemWatcher>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QThread>
#include <QTimer>

#include "sweep_status.h"
#include "sweep_status_worker.h"

namespace aecnn::studio {

// The studio side of `aecnn sweep` (issue 16): watches one sweep folder and runs the CLI on it.
//
// State: read from the folder with the same code as `aecnn sweep status` (sweep_status.h),
// with Slurm's view merged in when the sweep was submitted and sacct/squeue exist. It is
// re-read when the folder changes (QFileSystemWatcher on the folder, tasks/ and each task
// folder) and every refreshMs as a fallback (a lock released, Slurm's state, NFS).
//
// Threading: the reading (squeue / sacct take up to 2 s each) runs in a QThread named
// "sweep-status" that this controller owns, in a SweepStatusWorker (Qt's worker-object
// pattern); the result comes back as a value (SweepStatusReading) and is applied on the
// thread that created the controller (the UI thread), which is never blocked by it. One
// reading at a time: a refresh asked for while one is in flight is not started twice, it
// runs once when that one is back (so a change meanwhile is not missed); a reading of a
// folder that is no longer the chosen one is dropped. The destructor quits and joins the
// thread (waiting for a reading in flight).
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

    // Watches `dir` (empty = none) and starts reading its state (statusChanged or statusFailed
    // when it is back; report() is empty until then).
    void setFolder(const QString& dir);
    QString folder() const { return dir_; }
    const sweep::SweepStatusReport& report() const { return report_; }
    void setRefreshMs(int ms);
    void refresh(); // returns at once; see Threading above
    bool isRefreshing() const { return reading_; }
    const QThread* statusThread() const { return &thread_; }

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
    void readRequested(quint64 request, const QString& dir); // to the worker's thread

private:
    bool start(const QString& action, const QStringList& args, QString* error);
    void rewatch();
    void applyReading(const SweepStatusReading& reading);

    QString dir_;
    QString program_;
    QString action_;
    sweep::SweepStatusReport report_;
    QProcess process_;
    QFileSystemWatcher watcher_;
    QTimer refreshTimer_;
    QTimer debounce_;
    QThread thread_;
    SweepStatusWorker* worker_; // lives in thread_, deleted when it finishes
    quint64 requests_ = 0;      // readings asked for
    bool reading_ = false;      // one is in flight
    bool readAgain_ = false;    // a refresh was asked for meanwhile
};

} // namespace aecnn::studio
