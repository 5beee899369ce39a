#include "analysis_controller.h"

namespace aecnn::studio {

AnalysisController::AnalysisController(QObject* parent) : QObject(parent), worker_(new AnalysisWorker)
{
    qRegisterMetaType<AttentionRequest>();
    qRegisterMetaType<widgets::AttentionData>();
    qRegisterMetaType<widgets::EntropyData>();
    qRegisterMetaType<widgets::FeatureFrame>();
    qRegisterMetaType<std::vector<SplitRow>>();
    qRegisterMetaType<InputImages>();
    thread_.setObjectName(QStringLiteral("analysis"));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(this, &AnalysisController::requestRun, worker_, &AnalysisWorker::computeAttention);
    connect(worker_, &AnalysisWorker::progress, this, &AnalysisController::progress);
    connect(worker_, &AnalysisWorker::splitRowsReady, this, &AnalysisController::splitRowsReady);
    connect(worker_, &AnalysisWorker::attentionReady, this, &AnalysisController::attentionReady);
    connect(worker_, &AnalysisWorker::inputImagesReady, this, &AnalysisController::inputImagesReady);
    connect(worker_, &AnalysisWorker::frameAnalyzed, this,
            [this](const widgets::EntropyData& entropy, const widgets::FeatureFrame& features) {
                finishOne();
                Q_EMIT frameAnalyzed(entropy, features);
            });
    connect(worker_, &AnalysisWorker::failed, this, [this](const QString& message) {
        finishOne();
        Q_EMIT failed(message);
    });
    connect(worker_, &AnalysisWorker::cancelled, this, [this] {
        finishOne();
        Q_EMIT cancelled();
    });
    thread_.start();
}

AnalysisController::~AnalysisController()
{
    shutdown();
}

bool AnalysisController::start(const AttentionRequest& request)
{
    if (shutDown_)
        return false;
    ++pending_;
    Q_EMIT requestRun(request);
    return true;
}

void AnalysisController::cancel()
{
    if (!shutDown_)
        worker_->cancel();
}

void AnalysisController::shutdown()
{
    if (shutDown_)
        return;
    shutDown_ = true;
    worker_->stop(); // also the requests still queued behind the running one
    thread_.quit();
    thread_.wait();
    pending_ = 0;
}

void AnalysisController::finishOne()
{
    if (pending_ > 0)
        --pending_;
}

} // namespace aecnn::studio
