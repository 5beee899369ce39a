#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <vector>

#include "analysis_worker.h"

namespace aecnn::studio {

// Owns the analysis thread: channel attention (Fig. 4), the split table and one
// example frame through head, pruning and codec, computed with LibTorch off the UI thread.
//
// Threading contract:
//  - The controller lives in the thread that created it (the UI thread); call every
//    public function from there.
//  - It starts a QThread named "analysis" and moves one AnalysisWorker to it (Qt's
//    worker-object pattern). start() only queues a request and returns at once;
//    requests run one after the other in that thread.
//  - The worker's signals reach the controller queued and are re-emitted in the UI
//    thread; every request ends with exactly one of frameAnalyzed(), failed() or
//    cancelled().
//  - cancel() is thread-safe towards the worker: the running request stops at its next
//    batch. shutdown() (and the destructor) cancels, then quit() + wait(): when it
//    returns the thread has finished and the worker is deleted. Afterwards start() is
//    refused.
class AnalysisController : public QObject {
    Q_OBJECT
public:
    explicit AnalysisController(QObject* parent = nullptr);
    ~AnalysisController() override; // shutdown()

    // False (and nothing queued) after shutdown().
    bool start(const AttentionRequest& request);
    void cancel();
    void shutdown();
    bool isRunning() const { return pending_ > 0; } // a request is queued or running
    const QThread* workerThread() const { return &thread_; }

Q_SIGNALS:
    void progress(const QString& stage, qint64 done, qint64 total);
    void splitRowsReady(const std::vector<aecnn::studio::SplitRow>& rows);
    void attentionReady(const aecnn::widgets::AttentionData& data);
    void inputImagesReady(const aecnn::studio::InputImages& images);
    void frameAnalyzed(const aecnn::widgets::EntropyData& entropy, const aecnn::widgets::FeatureFrame& features);
    void failed(const QString& message);
    void cancelled();
    void requestRun(const aecnn::studio::AttentionRequest& request); // to the worker thread

private:
    void finishOne();

    QThread thread_;
    AnalysisWorker* worker_; // lives in thread_, deleted when it finishes
    int pending_ = 0;
    bool shutDown_ = false;
};

} // namespace aecnn::studio
