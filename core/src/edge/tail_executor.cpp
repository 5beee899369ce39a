#include "aecnn/edge/tail_executor.h"

#include <algorithm>
#include <optional>

#include <QFileInfo>

#include "aecnn/error.h"
#include "tail_batcher.h"

namespace aecnn::edge {

TailExecutor::Private::Private(TailBatchOptions o) : options(o)
{
    if (options.maxBatch < 1)
        throw Error("the tail's batch size must be >= 1, got " + std::to_string(options.maxBatch));
    if (options.maxDelayMs < 0)
        throw Error("the tail's batch delay must be >= 0 ms, got " + std::to_string(options.maxDelayMs));
    timer.setSingleShot(true);
    timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&timer, &QTimer::timeout, &context, [this] { runDue(false); });
}

QString TailExecutor::Private::keyOf(const QString& path)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    return canonical.isEmpty() ? path : canonical;
}

std::shared_ptr<EdgeModel> TailExecutor::Private::modelFor(const QString& path)
{
    auto& queue = queues[keyOf(path)];
    if (!queue.model)
        queue.model = std::make_shared<EdgeModel>(path);
    return queue.model;
}

void TailExecutor::Private::attach(const QString& path)
{
    ++queues[keyOf(path)].users;
}

void TailExecutor::Private::detach(const QString& path)
{
    auto it = queues.find(keyOf(path));
    if (it != queues.end() && it->second.users > 0) {
        --it->second.users;
        rearm(); // a queue may now be complete
    }
}

void TailExecutor::Private::submit(const QString& path, torch::Tensor received, const void* owner,
                                   std::function<void(const TailOutcome&)> done)
{
    auto& queue = queues[keyOf(path)];
    if (!queue.model)
        queue.model = std::make_shared<EdgeModel>(path);
    queue.jobs.push_back({std::move(received), Clock::now(), owner, std::move(done)});
    rearm();
}

void TailExecutor::Private::dropJobsOf(const void* owner)
{
    for (auto& [key, queue] : queues)
        queue.jobs.erase(std::remove_if(queue.jobs.begin(), queue.jobs.end(),
                                        [owner](const Job& job) { return job.owner == owner; }),
                         queue.jobs.end());
    rearm();
}

void TailExecutor::Private::rearm()
{
    if (running)
        return; // runDue re-arms when it is done
    const auto now = Clock::now();
    std::optional<Clock::duration> wait;
    for (const auto& [key, queue] : queues) {
        if (queue.jobs.empty())
            continue;
        Clock::duration due{0};
        if (static_cast<int>(queue.jobs.size()) < queue.fullAt(batchLimit())) {
            const auto deadline = queue.jobs.front().queued + std::chrono::milliseconds(options.maxDelayMs);
            due = std::max(Clock::duration{0}, deadline - now);
        }
        wait = wait ? std::min(*wait, due) : due;
    }
    if (!wait) {
        timer.stop();
        return;
    }
    const int ms = static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(*wait).count());
    if (!timer.isActive() || timer.remainingTime() > ms)
        timer.start(ms);
}

void TailExecutor::Private::runDue(bool all)
{
    if (running)
        return;
    running = true;
    bool ran = true;
    while (ran) {
        ran = false;
        for (auto& [key, queue] : queues) {
            if (queue.jobs.empty())
                continue;
            const auto now = Clock::now();
            const bool full = static_cast<int>(queue.jobs.size()) >= queue.fullAt(batchLimit());
            const bool waited = now - queue.jobs.front().queued >= std::chrono::milliseconds(options.maxDelayMs);
            if (!all && !full && !waited)
                continue;
            const size_t n = std::min(queue.jobs.size(), static_cast<size_t>(batchLimit()));
            std::vector<Job> batch;
            for (size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(queue.jobs.front()));
                queue.jobs.pop_front();
            }
            std::vector<torch::Tensor> inputs;
            for (const auto& job : batch)
                inputs.push_back(job.received);
            TailOutcome outcome;
            outcome.batchSize = static_cast<int>(n);
            std::vector<int> predicted;
            const auto start = Clock::now();
            try {
                if (fault)
                    if (const QString injected = fault(stats.batches, static_cast<int>(n)); !injected.isEmpty())
                        throw Error(injected.toStdString());
                predicted = queue.model->tailPredict(n == 1 ? inputs.front() : torch::cat(inputs, 0));
                if (predicted.size() != n)
                    throw Error("the tail returned " + std::to_string(predicted.size()) + " predictions for " +
                                std::to_string(n) + " frames");
            } catch (const std::exception& e) {
                outcome.ok = false;
                outcome.error = QString("tail: %1").arg(e.what());
            }
            outcome.esMs = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            stats.frames += static_cast<int64_t>(n);
            ++stats.batches;
            stats.largestBatch = std::max(stats.largestBatch, static_cast<int>(n));
            for (size_t i = 0; i < n; ++i) {
                TailOutcome mine = outcome;
                mine.queueMs = std::chrono::duration<double, std::milli>(start - batch[i].queued).count();
                if (outcome.ok)
                    mine.predicted = predicted[i];
                try {
                    if (batch[i].done)
                        batch[i].done(mine);
                } catch (const std::exception& e) {
                    qWarning("aecnn edge: a frame's tail result could not be used: %s", e.what());
                }
            }
            ran = true;
            break; // `queues` may have changed in a callback: start over
        }
    }
    running = false;
    rearm();
}

TailExecutor::TailExecutor(TailBatchOptions options) : d_(std::make_unique<Private>(options)) {}

TailExecutor::~TailExecutor() = default;

TailBatchOptions TailExecutor::options() const
{
    return d_->options;
}

TailStats TailExecutor::stats() const
{
    return d_->stats;
}

void TailExecutor::setBatchFault(std::function<QString(int64_t batch, int size)> fault)
{
    d_->fault = std::move(fault);
}

int64_t TailExecutor::queued() const
{
    int64_t n = 0;
    for (const auto& [key, queue] : d_->queues)
        n += static_cast<int64_t>(queue.jobs.size());
    return n;
}

} // namespace aecnn::edge
