#pragma once

#include <QObject>
#include <QTcpServer>

#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/auth_throttle.h"
#include "aecnn/protocol/token_bucket.h"
#include "agent_options.h"

namespace aecnn::agent {

// Accepts edge connections; each gets its own AgentConnection, so one bad peer
// never disturbs another.
class AgentServer : public QObject {
    Q_OBJECT

public:
    // Throws aecnn::Error when running without a token on a non-loopback address, or
    // with encryption on but no token. `authClock` times the failed-authentication
    // backoff per source address (a fake one in tests); default: the steady clock.
    explicit AgentServer(AgentOptions options, QObject* parent = nullptr);
    AgentServer(AgentOptions options, const protocol::Clock& authClock, QObject* parent = nullptr);
    bool listen(); // false: see errorString()
    QString errorString() const { return server_.errorString(); }
    quint16 port() const { return server_.serverPort(); }
    int connectionCount() const { return connections_; }

Q_SIGNALS:
    void connectionClosed();
    // A connection was closed by the agent, with the logged reason (e.g. a forged record).
    void connectionFailed(const QString& peer, const QString& reason);

private:
    void onNewConnection();
    AgentOptions options_;
    QTcpServer server_;
    protocol::NonceLedger ledger_;
    protocol::SteadyClock clock_;
    protocol::AuthThrottle throttle_;
    int connections_ = 0;
};

} // namespace aecnn::agent
