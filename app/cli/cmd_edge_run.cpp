#include "cmd_edge_run.h"

#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include "aecnn/edge/edge_session.h"
#include "aecnn/error.h"
#include "aecnn/protocol/auth.h"
#include "cli_args.h"

namespace aecnn::cli {

double EdgeRunResult::accuracy() const
{
    return labelled() ? double(correct()) / double(labelled()) : 0.0;
}

int64_t EdgeRunResult::correct() const
{
    int64_t n = 0;
    for (const auto& f : frames)
        n += f.label >= 0 && f.label == f.predicted;
    return n;
}

int64_t EdgeRunResult::labelled() const
{
    int64_t n = 0;
    for (const auto& f : frames)
        n += f.label >= 0;
    return n;
}

edge::StageSummary EdgeRunResult::stage(double edge::EdgeFrameResult::*field) const
{
    std::vector<double> values;
    for (const auto& f : frames)
        values.push_back(f.*field);
    return edge::summarize(std::move(values));
}

edge::StageSummary EdgeRunResult::bytes() const
{
    std::vector<double> values;
    for (const auto& f : frames)
        values.push_back(double(f.bytes));
    return edge::summarize(std::move(values));
}

EdgeRunResult runEdge(const EdgeRunRequest& request)
{
    EdgeRunResult result;
    QString failure;
    bool configured = false, deployed = false, started = false;
    QEventLoop loop;
    edge::EdgeOptions options;
    options.keepFeatures = false;
    options.clientName = "aecnn edge";
    options.encryption = request.encryption;
    edge::EdgeSession session(options);
    auto stopWith = [&](const QString& message) {
        if (failure.isEmpty() && !message.isEmpty())
            failure = message;
        loop.quit();
    };
    auto maybeStart = [&] {
        if (configured && deployed && !started) {
            started = true;
            session.start(request.frames);
        }
    };
    edge::EdgeCallbacks cb;
    cb.stateChanged = [&](edge::EdgeState state, const QString&) {
        if (state != edge::EdgeState::Ready || configured || deployed)
            return;
        session.configure(request.settings);
        QString error;
        if (!session.deployModel(request.modelPath, &error))
            stopWith(error);
    };
    cb.configured = [&](bool ok, const QString& message, const QJsonObject&) {
        if (!ok)
            return stopWith("the agent refused the settings: " + message);
        configured = true;
        maybeStart();
    };
    cb.deployed = [&](bool ok, const QString& message) {
        if (!ok)
            return stopWith("the agent refused the model: " + message);
        result.deployMessage = message;
        deployed = true;
        maybeStart();
    };
    cb.frame = [&](const edge::EdgeFrameResult& frame) { result.frames.push_back(frame); };
    cb.streamEnded = [&](uint64_t, const QString& reason) {
        result.endReason = reason;
        loop.quit();
    };
    cb.error = stopWith;
    session.setCallbacks(cb);
    session.setFixedRanges(request.fixedRanges);
    session.setContextPriors(request.contextPriors);
    QString csvError;
    if (!session.setCsv(request.csvPath, request.csvContext, &csvError))
        throw Error(csvError.toStdString());
    QTimer::singleShot(request.timeoutMs, &loop, [&] {
        stopWith(QString("the run did not finish within %1 s (%2 of %3 frames)")
                     .arg(request.timeoutMs / 1000)
                     .arg(result.frames.size())
                     .arg(request.frames));
    });
    session.connectToAgent(request.host, request.port, request.token);
    loop.exec();
    result.reconnects = session.reconnects();
    result.clockSynced = session.clockSynced();
    result.clockOffsetMs = session.clockOffsetUs() / 1000.0;
    result.deviceProfile = session.deviceProfile();
    session.disconnectFromAgent(); // finishes the CSV
    if (!failure.isEmpty())
        throw Error(failure.toStdString());
    if (request.frames != 0 && result.frames.size() != request.frames)
        throw Error("the agent ended the stream after " + std::to_string(result.frames.size()) + " of " +
                    std::to_string(request.frames) + " frames: " + result.endReason.toStdString());
    return result;
}

void parseEndpoint(const std::string& text, QString& host, quint16& port)
{
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        throw UsageError("--connect: expected HOST:PORT (e.g. 127.0.0.1:7878), got '" + text + "'");
    std::string h = text.substr(0, colon);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']')
        h = h.substr(1, h.size() - 2);
    size_t used = 0;
    int p = -1;
    try {
        p = std::stoi(text.substr(colon + 1), &used);
    } catch (const std::exception&) {
    }
    if (used != text.size() - colon - 1 || p < 1 || p > 65535)
        throw UsageError("--connect: the port must be 1..65535, got '" + text.substr(colon + 1) + "'");
    host = QString::fromStdString(h);
    port = static_cast<quint16>(p);
}

QByteArray readTokenFile(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot read the token file '" + path + "': " + file.errorString().toStdString());
    return protocol::validatedToken(file.readAll(), "'" + path + "'");
}

QJsonObject toJson(const edge::StageSummary& s)
{
    return {{"count", s.count}, {"mean", s.mean}, {"median", s.median}, {"p95", s.p95}, {"min", s.min},
            {"max", s.max}};
}

} // namespace aecnn::cli
