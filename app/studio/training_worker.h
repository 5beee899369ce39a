#pragma once

#include <QObject>
#include <atomic>

#include "training_request.h"

namespace aecnn::studio {

// Runs Algorithm 1 (core algorithm1.h) for one (split, V) into the training
// cache. Lives in a worker QThread (see TrainingController); every torch call
// stays in the .cpp file. Finished stages are written atomically, so a cancelled
// or failed run resumes from them next time.
class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr) : QObject(parent) {}

    // Thread-safe: the running training stops at its next step (TrainingCancelled).
    void cancel() { cancelled_.store(true); }
    // Thread-safe: like cancel(), and a run still queued is cancelled at its start too
    // (for shutting down).
    void stop()
    {
        stopped_.store(true);
        cancelled_.store(true);
    }

public Q_SLOTS:
    void run(const aecnn::studio::TrainingRequest& request);

Q_SIGNALS:
    void progress(const aecnn::studio::TrainingStatus& status);
    void finished(const aecnn::studio::TrainingOutcome& outcome);
    void failed(const QString& message);
    void cancelled();

private:
    std::atomic<bool> cancelled_{false};
    std::atomic<bool> stopped_{false};
};

} // namespace aecnn::studio
