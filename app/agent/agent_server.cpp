#include "agent_server.h"

#include <QTcpSocket>

#include "aecnn/error.h"
#include "agent_connection.h"

namespace aecnn::agent {

AgentServer::AgentServer(AgentOptions options, QObject* parent) : AgentServer(std::move(options), clock_, parent) {}

AgentServer::AgentServer(AgentOptions options, const protocol::Clock& authClock, QObject* parent)
    : QObject(parent), options_(std::move(options)), throttle_(authClock)
{
    if (options_.token.isEmpty() && !options_.address.isLoopback())
        throw Error("refusing to listen on " + options_.address.toString().toStdString() +
                    " without a token: give --token-file FILE or set AECNN_AGENT_TOKEN (only loopback may run "
                    "without one)");
    if (options_.token.isEmpty() && options_.encryption == protocol::EncryptionPolicy::On)
        throw Error("--encrypt on needs a token (--token-file FILE or AECNN_AGENT_TOKEN): the session keys are "
                    "derived from it");
    connect(&server_, &QTcpServer::newConnection, this, &AgentServer::onNewConnection);
}

bool AgentServer::listen()
{
    if (options_.token.isEmpty())
        qWarning("aecnn-agent: *** WARNING: NO TOKEN. Any local process can connect and control this agent. "
                 "Allowed only on loopback; set a token for anything else. ***");
    return server_.listen(options_.address, options_.port);
}

void AgentServer::onNewConnection()
{
    while (QTcpSocket* socket = server_.nextPendingConnection()) {
        auto* connection = new AgentConnection(socket, options_, ledger_, throttle_, clock_, this);
        ++connections_;
        connect(connection, &AgentConnection::failed, this,
                [this, connection](const QString& reason) { Q_EMIT connectionFailed(connection->peer(), reason); });
        connect(connection, &AgentConnection::finished, this, [this, connection] {
            --connections_;
            qInfo("aecnn-agent: %s disconnected", qPrintable(connection->peer()));
            connection->deleteLater();
            Q_EMIT connectionClosed();
        });
    }
}

} // namespace aecnn::agent
