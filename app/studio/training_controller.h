#pragma once

#include <QObject>
#include <QThread>

#include "training_request.h"

namespace aecnn::studio {

class TrainingWorker;

// Owns the training thread: one run at a time, started and cancelled from the
// UI thread, results delivered back to it as queued signals.
class TrainingController : public QObject {
    Q_OBJECT
public:
    explicit TrainingController(QObject* parent = nullptr);
    ~TrainingController() override; // cancels a running training and waits for its current step

    // False (and nothing started) while another run is in progress.
    bool start(const TrainingRequest& request);
    void cancel();
    bool isRunning() const { return running_; }

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
};

} // namespace aecnn::studio
