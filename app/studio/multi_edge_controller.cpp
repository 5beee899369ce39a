#include "multi_edge_controller.h"

#include <QThread>

namespace aecnn::studio {

MultiEdgeController::MultiEdgeController(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<RaceFrame>();
    qRegisterMetaType<RaceOutcome>();
}

MultiEdgeController::~MultiEdgeController()
{
    shutdown();
}

bool MultiEdgeController::isRunning() const
{
    return thread_ && thread_->isRunning() && !done_->load();
}

bool MultiEdgeController::start(const RaceRequest& race, QString* error)
{
    if (isRunning()) {
        *error = tr("A race is running; stop it first");
        return false;
    }
    auto request = multiEdgeRequestOf(race, error);
    if (!request)
        return false;
    if (thread_)
        thread_->wait(); // the previous race's thread has ended its function: join it
    auto stopRequested = std::make_shared<std::atomic<bool>>(false);
    auto done = std::make_shared<std::atomic<bool>>(false);
    stopRequested_ = stopRequested;
    done_ = done;
    // Emitted from the race thread: the connections to this object's receivers are queued.
    request->onFrame = [this](size_t agent, const edge::EdgeFrameResult& frame) {
        RaceFrame f;
        f.agent = static_cast<int>(agent);
        f.frame = frame;
        Q_EMIT frameFinished(f);
    };
    thread_.reset(QThread::create([this, request = std::move(*request), stopRequested, done] {
        RaceOutcome outcome;
        const edge::MultiEdgeResult result = edge::runMultiEdge(request);
        outcome.agents = result.agents;
        outcome.wallMs = result.wallMs;
        for (const auto& spec : request.agents)
            outcome.csvPaths.push_back(spec.csvPath);
        outcome.stopped = stopRequested->load();
        done->store(true);
        Q_EMIT finished(outcome);
    }));
    thread_->setObjectName(QStringLiteral("race"));
    thread_->start();
    return true;
}

void MultiEdgeController::stop()
{
    if (!isRunning())
        return;
    stopRequested_->store(true);
    // Exits the event loop runMultiEdge runs in the race thread (also one not entered yet).
    thread_->quit();
}

void MultiEdgeController::shutdown()
{
    if (thread_ && thread_->isRunning()) {
        stopRequested_->store(true);
        thread_->quit();
    }
    if (thread_)
        thread_->wait();
}

} // namespace aecnn::studio
