#pragma once

#include <QObject>
#include <QThread>

#include "training_request.h"

namespace aecnn::studio {

class TrainingWorker;

// Owns the training thread: one run at a time, started and cancelled from the
// UI thread, results delivered back to it as queued signals.
//
// Threading contract:
//  - The controller lives in the thread that created it (the UI thread); call every
//    public function from there.
//  - It starts a QThread named "training" and moves one TrainingWorker to it; start()
//    queues the run and returns at once. Every run ends with exactly one of finished(),
//    failed() or cancelled(), re-emitted in the UI thread.
//  - cancel() is thread-safe towards the worker: the run stops after its current step.
//    shutdown() (and the destructor) cancels, then quit() + wait(): when it returns the
//    thread has finished and the worker is deleted. Afterwards start() is refused.
class TrainingController : public QObject {
    Q_OBJECT
public:
    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override; // shutdown()

    // False (and nothing started) while another run is in progress, or after shutdown().
    bool start(const TrainingRequest& request);
    void cancel();
    void shutdown();
    bool isRunning() const { return running_; }
    const QThread* workerThread() const { return &thread_; }

Q_SIGNALS:
    void progress(const aecnn::studio::TrainingStatus& status);
    void finished(const aecnn::studio::TrainingOutcome& outcome);
    void failed(const QString& message);
    void cancelled();
    void requestRun(const aecnn::studio::TrainingRequest& request); // to the worker thread

private:
    QThread thread_;
    TrainingWorker* worker_;
    bool running_ = false;
    bool shutDown_ = false;
};

} // namespace aecnn::studio
