#pragma once

#include <QObject>
#include <atomic>
#include <QString>
#include <memory>
#include <vector>

#include "aecnn/edge/frame_result.h"
#include "aecnn/edge/multi_edge.h"
#include "race_request.h"

class QThread;

namespace aecnn::studio {

// One frame one agent of the race finished (value type).
struct RaceFrame {
    int agent = 0; // device-list row
    edge::EdgeFrameResult frame;
};

// How a race ended (value type; crosses from the race thread to the UI thread).
struct RaceOutcome {
    std::vector<edge::AgentRunResult> agents; // in device-list order
    std::vector<QString> csvPaths;            // the per-agent frame CSVs ("" = none)
    double wallMs = 0.0;
    bool stopped = false;                     // stop() or shutdown() ended it early
    QString error;                            // the request could not be built
};

// Owns the race thread: core runMultiEdge (one edge session per agent, one batched tail,
// sockets, timers and LibTorch models all in that thread) for a list of agents.
//
// Threading contract:
//  - Lives in the UI thread; call every function from there.
//  - start() builds the request from value-type rows and runs it in a new QThread; the
//    thread ends when every agent's stream ended (or failed, or the timeout).
//  - frameFinished() and finished() are emitted from the race thread and reach slots
//    queued, in the thread of the receiver (the UI thread): plain values only.
//  - stop() ends the race early: it exits the race thread's event loop (QThread::quit
//    exits the nested loop runMultiEdge runs), the sessions disconnect and write their
//    CSVs, and finished() reports the frames so far with stopped = true.
//  - shutdown() (and the destructor) = stop() and wait: when it returns, the thread is joined.
class MultiEdgeController : public QObject {
    Q_OBJECT
public:
    explicit MultiEdgeController(QObject* parent = nullptr);
    ~MultiEdgeController() override; // shutdown()

    // False with *error when a race runs or the rows are not valid.
    bool start(const RaceRequest& race, QString* error);
    void stop();
    void shutdown();
    bool isRunning() const;
    const QThread* workerThread() const { return thread_.get(); }

Q_SIGNALS:
    void frameFinished(const aecnn::studio::RaceFrame& frame);
    void finished(const aecnn::studio::RaceOutcome& outcome);

private:
    std::unique_ptr<QThread> thread_;
    std::shared_ptr<std::atomic<bool>> stopRequested_;
    std::shared_ptr<std::atomic<bool>> done_; // the race function returned (finished() emitted)
};

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::RaceFrame)
Q_DECLARE_METATYPE(aecnn::studio::RaceOutcome)
