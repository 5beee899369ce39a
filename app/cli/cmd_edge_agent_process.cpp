#include "cmd_edge_agent_process.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

#include "aecnn/error.h"

namespace aecnn::cli {
namespace {

QString findAgent(const QString& given)
{
    if (!given.isEmpty())
        return given;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath("aecnn-agent"), here.filePath("../agent/aecnn-agent")})
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    return QStandardPaths::findExecutable("aecnn-agent");
}

} // namespace

LocalAgentProcess::LocalAgentProcess(const QString& agentPath, const std::string& dataset, int threads,
                                     int startTimeoutMs)
    : process_(std::make_unique<QProcess>()), program_(findAgent(agentPath))
{
    if (program_.isEmpty())
        throw Error("aecnn-agent was not found next to aecnn or on PATH; build it or give --agent PATH");
    auto env = QProcessEnvironment::systemEnvironment();
    env.remove("AECNN_AGENT_TOKEN"); // loopback, tokenless
    process_->setProcessEnvironment(env);
    process_->setProcessChannelMode(QProcess::SeparateChannels);
    process_->setStandardOutputFile(QProcess::nullDevice());
    process_->setReadChannel(QProcess::StandardError);
    process_->start(program_, {"--listen", "127.0.0.1", "--port", "0", "--dataset", QString::fromStdString(dataset),
                               "--threads", QString::number(threads)});
    if (!process_->waitForStarted(10000))
        throw Error("cannot start " + program_.toStdString() + ": " + process_->errorString().toStdString());
    // The agent announces "listening on 127.0.0.1:PORT" on stderr once the socket is open.
    const QRegularExpression listening("listening on [^ ]+:(\\d+)");
    QByteArray log;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < startTimeoutMs) {
        if (process_->state() == QProcess::NotRunning)
            throw Error("aecnn-agent exited before listening: " + log.trimmed().toStdString());
        process_->waitForReadyRead(200);
        log += process_->readAllStandardError();
        const auto match = listening.match(QString::fromUtf8(log));
        if (match.hasMatch()) {
            port_ = static_cast<quint16>(match.captured(1).toUInt());
            // Keep draining its log so a full pipe never blocks the agent.
            QProcess* process = process_.get();
            QObject::connect(process, &QProcess::readyReadStandardError, process,
                             [process] { process->readAllStandardError(); });
            return;
        }
    }
    throw Error("aecnn-agent did not start listening within " + std::to_string(startTimeoutMs / 1000) + " s");
}

LocalAgentProcess::~LocalAgentProcess()
{
    if (process_->state() == QProcess::NotRunning)
        return;
    process_->terminate();
    if (!process_->waitForFinished(5000)) {
        process_->kill();
        process_->waitForFinished(5000);
    }
}

} // namespace aecnn::cli
