#include "aecnn/edge/multi_edge.h"

#include <chrono>
#include <memory>

#include <QEventLoop>
#include <QTimer>

namespace aecnn::edge {
namespace {

double steadyNowMs()
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

double AgentRunResult::framesPerSecond() const
{
    const double ms = finishedMs - startedMs;
    return ms > 0 ? double(frames.size()) * 1000.0 / ms : 0.0;
}

StageSummary AgentRunResult::completion() const
{
    std::vector<double> values;
    for (const auto& f : frames)
        values.push_back(f.measuredMs);
    return summarize(std::move(values));
}

int64_t MultiEdgeResult::frames() const
{
    int64_t n = 0;
    for (const auto& a : agents)
        n += static_cast<int64_t>(a.frames.size());
    return n;
}

double MultiEdgeResult::framesPerSecond() const
{
    return wallMs > 0 ? double(frames()) * 1000.0 / wallMs : 0.0;
}

StageSummary MultiEdgeResult::completion() const
{
    std::vector<double> values;
    for (const auto& a : agents)
        for (const auto& f : a.frames)
            values.push_back(f.measuredMs);
    return summarize(std::move(values));
}

MultiEdgeResult runMultiEdge(const MultiEdgeRequest& request)
{
    MultiEdgeResult result;
    const size_t n = request.agents.size();
    result.agents.resize(n);
    auto tail = request.tail ? request.tail : std::make_shared<TailExecutor>(request.batching);
    QEventLoop loop;
    struct Agent {
        std::unique_ptr<EdgeSession> session;
        bool configured = false, deployed = false, started = false, done = false;
        std::unique_ptr<AgentRatioFollower> follower; // adaptive V
        int ratio = 0;                                // V the agent streams with (or is being switched to)
    };
    std::vector<Agent> agents(n);
    size_t finished = 0;
    size_t nextToConnect = 0;
    bool streaming = false;
    double firstStart = -1.0, lastFrame = 0.0;
    // Agents are set up one after the other (loading a model blocks this thread, and an
    // agent waiting for its handshake meanwhile would give up), then every stream starts
    // at once, so that frames/s counts from a common start.
    auto ready = [&](size_t i) { return agents[i].configured && agents[i].deployed; };
    auto connectNext = [&] {
        while (nextToConnect < n && agents[nextToConnect].done)
            ++nextToConnect;
        if (nextToConnect < n) {
            const auto& spec = request.agents[nextToConnect];
            agents[nextToConnect].session->connectToAgent(spec.host, spec.port, spec.token);
            ++nextToConnect;
        }
    };
    auto maybeStartAll = [&] {
        if (streaming || nextToConnect < n)
            return;
        for (size_t i = 0; i < n; ++i)
            if (!agents[i].done && !ready(i))
                return;
        streaming = true;
        firstStart = steadyNowMs();
        for (size_t i = 0; i < n; ++i) {
            if (agents[i].done)
                continue;
            agents[i].started = true;
            result.agents[i].startedMs = firstStart;
            agents[i].session->start(request.agents[i].frames);
        }
    };
    auto finish = [&](size_t i, const QString& error, const QString& reason) {
        if (agents[i].done)
            return;
        const bool setUp = ready(i) || agents[i].started;
        agents[i].done = true;
        if (result.agents[i].error.isEmpty())
            result.agents[i].error = error;
        result.agents[i].endReason = reason;
        if (++finished == n) {
            loop.quit();
            return;
        }
        if (!streaming) {
            if (!setUp)
                connectNext(); // this agent's setup failed: go on with the next
            maybeStartAll();
        }
    };
    for (size_t i = 0; i < n; ++i) {
        const auto& spec = request.agents[i];
        result.agents[i].name = spec.name;
        EdgeOptions options = request.session;
        options.tail = tail;
        agents[i].session = std::make_unique<EdgeSession>(options);
        EdgeSession& session = *agents[i].session;
        auto maybeStart = [&, i] {
            if (agents[i].done || !ready(i) || streaming)
                return;
            connectNext();
            maybeStartAll();
        };
        EdgeCallbacks cb;
        cb.stateChanged = [&, i](EdgeState state, const QString&) {
            auto& a = agents[i];
            if (state != EdgeState::Ready || a.configured || a.deployed || a.done)
                return;
            a.session->configure(request.agents[i].settings);
            QString error;
            if (!a.session->deployModel(request.agents[i].modelPath, &error))
                finish(i, error, {});
        };
        cb.configured = [&, i, maybeStart](bool ok, const QString& message, const QJsonObject&) {
            if (agents[i].started)
                return; // the settings re-sent after a reconnect
            if (!ok)
                return finish(i, "the agent refused the settings: " + message, {});
            agents[i].configured = true;
            maybeStart();
        };
        cb.deployed = [&, i, maybeStart](bool ok, const QString& message) {
            if (agents[i].started)
                return;
            if (!ok)
                return finish(i, "the agent refused the model: " + message, {});
            agents[i].deployed = true;
            maybeStart();
        };
        cb.frame = [&, i](const EdgeFrameResult& frame) {
            auto& r = result.agents[i];
            r.frames.push_back(frame);
            lastFrame = steadyNowMs();
            r.finishedMs = lastFrame;
            if (request.onFrame)
                request.onFrame(i, frame);
            auto& a = agents[i];
            if (!a.follower || a.done)
                return;
            for (auto& s : r.switches)
                if (s.firstFrame < 0 && s.toRatio == frame.ratio && frame.sequence > s.afterFrame)
                    s.firstFrame = static_cast<int64_t>(frame.sequence);
            if (a.ratio == 0)
                a.ratio = frame.ratio; // the V it started with
            if (a.session->switchingModel())
                return; // frames sent before the switch: measured, the decision waits for the next V
            const auto next = a.follower->observe(frame, a.ratio);
            const auto& spec = request.agents[i];
            if (!next || (spec.frames != 0 && a.session->framesReceived() >= spec.frames))
                return; // nothing to switch, or every frame has arrived: nothing left to send with another V
            QString error;
            if (a.session->switchModel(a.follower->spec().models.at(next->toRatio), &error)) {
                r.switches.push_back(*next);
                a.ratio = next->toRatio;
            } else if (r.adaptiveError.isEmpty()) {
                r.adaptiveError =
                    QString("no switch to V=%1 after frame %2: %3").arg(next->toRatio).arg(next->afterFrame).arg(error);
            }
        };
        cb.frameFailed = [&, i](const EdgeFrameResult& frame) { result.agents[i].failed.push_back(frame); };
        cb.streamEnded = [&, i](uint64_t, const QString& reason) { finish(i, {}, reason); };
        cb.error = [&, i](const QString& message) {
            // A lost link is retried by the session (stateChanged Reconnecting); errors end this agent only.
            finish(i, message, {});
        };
        session.setCallbacks(cb);
        if (spec.adaptive) {
            try {
                agents[i].follower = std::make_unique<AgentRatioFollower>(*spec.adaptive);
            } catch (const std::exception& e) {
                result.agents[i].error = QString("adaptive V: %1").arg(e.what());
                agents[i].done = true;
                ++finished;
                continue;
            }
        }
        QString csvError;
        if (!session.setCsv(spec.csvPath, spec.csvContext, &csvError)) {
            result.agents[i].error = csvError;
            agents[i].done = true;
            ++finished;
        }
    }
    if (finished == n)
        return result;
    QTimer::singleShot(request.timeoutMs, &loop, [&] {
        for (size_t i = 0; i < n; ++i)
            finish(i,
                   QString("the run did not finish within %1 s (%2 of %3 frames)")
                       .arg(request.timeoutMs / 1000)
                       .arg(result.agents[i].frames.size())
                       .arg(request.agents[i].frames),
                   {});
    });
    connectNext();
    maybeStartAll();
    loop.exec();
    for (size_t i = 0; i < n; ++i) {
        result.agents[i].reconnects = agents[i].session->reconnects();
        if (agents[i].follower)
            result.agents[i].adaptive = agents[i].follower->state();
        agents[i].session->disconnectFromAgent(); // finishes the CSV (and frames still queued)
    }
    for (size_t i = 0; i < n; ++i) {
        result.agents[i].received = agents[i].session->framesReceived();
        agents[i].session.reset(); // a frame it could not finish is recorded (failed) by now
    }
    for (size_t i = 0; i < n; ++i) {
        const auto& spec = request.agents[i];
        auto& r = result.agents[i];
        const size_t ended = r.frames.size() + r.failed.size();
        if (r.error.isEmpty() && spec.frames != 0 && ended != spec.frames)
            r.error = QString("the agent ended the stream after %1 of %2 frames: %3")
                          .arg(ended)
                          .arg(spec.frames)
                          .arg(r.endReason);
        if (r.error.isEmpty() && !r.failed.empty())
            r.error = QString("%1 of %2 frames failed (recorded with the reason), the first: %3")
                          .arg(r.failed.size())
                          .arg(ended)
                          .arg(QString::fromStdString(r.failed.front().failure));
    }
    result.tail = tail->stats();
    result.wallMs = firstStart < 0 ? 0.0 : lastFrame - firstStart;
    return result;
}

} // namespace aecnn::edge
