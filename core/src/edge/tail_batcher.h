#pragma once

// Internal to the edge runtime (includes LibTorch): TailExecutor's queues.

#include <chrono>
#include <deque>
#include <functional>
#include <algorithm>
#include <map>
#include <memory>

#include <QObject>
#include <QString>
#include <QTimer>
#include <torch/torch.h>

#include "aecnn/edge/tail_executor.h"
#include "edge_model.h"

namespace aecnn::edge {

// What the tail gives one frame back.
struct TailOutcome {
    bool ok = true;
    QString error;      // !ok: why the batch failed
    int predicted = -1;
    double esMs = 0.0;    // the batch's forward pass
    double queueMs = 0.0; // queued .. forward started
    int batchSize = 0;
};

struct TailExecutor::Private {
    using Clock = std::chrono::steady_clock;
    struct Job {
        torch::Tensor received; // 1 x C' x H x W
        Clock::time_point queued;
        const void* owner = nullptr; // the session that queued it (dropJobsOf)
        std::function<void(const TailOutcome&)> done;
    };
    struct Queue {
        std::shared_ptr<EdgeModel> model; // the tail of this queue, loaded once
        std::deque<Job> jobs;
        int users = 0; // sessions streaming with this model (attach/detach)
        // Enough to run now: the batch size, or one frame from every session using the queue.
        int fullAt(int limit) const { return std::max(1, std::min(limit, users)); }
    };

    TailBatchOptions options;
    TailStats stats;
    QObject context;
    QTimer timer;
    std::map<QString, Queue> queues; // by canonical model path
    bool running = false;
    std::function<QString(int64_t, int)> fault; // setBatchFault

    explicit Private(TailBatchOptions o);
    int batchLimit() const { return options.batching ? options.maxBatch : 1; }
    // The shared tail model for a file (loaded on first use); throws aecnn::Error.
    std::shared_ptr<EdgeModel> modelFor(const QString& path);
    static QString keyOf(const QString& path);
    // A session streams with / stops streaming with `path`'s model: when every session
    // of a queue has a frame waiting, the batch runs without waiting for the delay.
    void attach(const QString& path);
    void detach(const QString& path);
    // Queues a decoded frame of `path`'s model; `done` is called later from the event loop.
    void submit(const QString& path, torch::Tensor received, const void* owner,
                std::function<void(const TailOutcome&)> done);
    // Removes the frames `owner` queued and that have not run yet (their callbacks are not called):
    // a session going away records them itself.
    void dropJobsOf(const void* owner);
    // Runs the batches that are due (full, or the oldest frame waited maxDelayMs); all = every frame queued.
    void runDue(bool all);
    void rearm();
};

} // namespace aecnn::edge
