#include "local_agent.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

namespace aecnn::studio {

LocalAgent::LocalAgent(QObject* parent) : QObject(parent), process_(new QProcess(this))
{
    connect(process_, &QProcess::readyReadStandardError, this, &LocalAgent::onStderr);
    connect(process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus) {
        if (port_ == 0)
            Q_EMIT failed(tr("aecnn-agent exited (code %1) before listening: %2")
                              .arg(code)
                              .arg(QString::fromUtf8(stderr_).trimmed()));
        port_ = 0;
    });
}

LocalAgent::~LocalAgent()
{
    stop();
}

QString LocalAgent::findExecutable()
{
    // An explicit program (the tests point at the one their build made) wins, and
    // nothing else is tried then: a stale copy elsewhere is never picked up silently.
    if (const QString explicitPath = qEnvironmentVariable("AECNN_AGENT"); !explicitPath.isEmpty())
        return QFileInfo(explicitPath).isExecutable() ? QFileInfo(explicitPath).canonicalFilePath() : QString();
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath(QStringLiteral("aecnn-agent")),
                                     here.filePath(QStringLiteral("../agent/aecnn-agent")),
                                     here.filePath(QStringLiteral("../../app/agent/aecnn-agent"))}) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("aecnn-agent"));
}

bool LocalAgent::start(const QString& dataset, QString* error)
{
    stop();
    const QString program = findExecutable();
    if (program.isEmpty()) {
        if (error)
            *error = tr("aecnn-agent was not found next to aecnn-studio or on PATH; build or install it");
        return false;
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("AECNN_AGENT_TOKEN")); // loopback demo agent runs tokenless
    process_->setProcessEnvironment(env);
    stderr_.clear();
    port_ = 0;
    process_->start(program, {QStringLiteral("--listen"), QStringLiteral("127.0.0.1"), QStringLiteral("--port"),
                              QStringLiteral("0"), QStringLiteral("--dataset"), dataset});
    if (!process_->waitForStarted(5000)) {
        if (error)
            *error = tr("cannot start %1: %2").arg(program, process_->errorString());
        return false;
    }
    return true;
}

void LocalAgent::stop()
{
    if (process_->state() == QProcess::NotRunning)
        return;
    process_->terminate();
    if (!process_->waitForFinished(3000))
        process_->kill();
    process_->waitForFinished(1000);
}

bool LocalAgent::isRunning() const
{
    return process_->state() == QProcess::Running;
}

void LocalAgent::onStderr()
{
    stderr_ += process_->readAllStandardError();
    if (port_ != 0)
        return;
    const QRegularExpression listeningLine(QStringLiteral("listening on [^\\s]+:(\\d+)"));
    const auto match = listeningLine.match(QString::fromUtf8(stderr_));
    if (match.hasMatch()) {
        port_ = static_cast<quint16>(match.captured(1).toUInt());
        Q_EMIT listening(port_);
    }
}

} // namespace aecnn::studio
