#include "training_controller.h"

#include "training_worker.h"

namespace aecnn::studio {

TrainingController::TrainingController(QObject* parent) : QObject(parent), worker_(new TrainingWorker)
{
    qRegisterMetaType<TrainingRequest>();
    qRegisterMetaType<TrainingStatus>();
    qRegisterMetaType<TrainingOutcome>();
    thread_.setObjectName(QStringLiteral("training"));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(this, &TrainingController::requestRun, worker_, &TrainingWorker::run);
    connect(worker_, &TrainingWorker::progress, this, &TrainingController::progress);
    connect(worker_, &TrainingWorker::finished, this, [this](const TrainingOutcome& outcome) {
        running_ = false;
        Q_EMIT finished(outcome);
    });
    connect(worker_, &TrainingWorker::failed, this, [this](const QString& message) {
        running_ = false;
        Q_EMIT failed(message);
    });
    connect(worker_, &TrainingWorker::cancelled, this, [this] {
        running_ = false;
        Q_EMIT cancelled();
    });
    thread_.start();
}

TrainingController::~TrainingController()
{
    shutdown();
}

void TrainingController::shutdown()
{
    if (shutDown_)
        return;
    shutDown_ = true;
    worker_->stop(); // also a run queued but not begun
    thread_.quit();
    thread_.wait();
    running_ = false;
}

bool TrainingController::start(const TrainingRequest& request)
{
    if (running_ || shutDown_)
        return false;
    running_ = true;
    Q_EMIT requestRun(request);
    return true;
}

void TrainingController::cancel()
{
    if (running_ && !shutDown_)
        worker_->cancel();
}

} // namespace aecnn::studio
