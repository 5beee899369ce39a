#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <memory>

#include "aecnn/edge/frame_result.h"

namespace aecnn::edge {
class EdgeSession;
}

namespace aecnn::studio {

// One frame as the studio needs it: the edge runtime's result plus the fields the
// main window has always read.
struct ReceivedFrame {
    quint64 sequence = 0;
    int label = -1;
    int predicted = -1;
    double iotMs = 0.0;
    double encMs = 0.0;
    double transferMs = -1.0; // t_com: agent send .. edge arrival, agent clock mapped with the ping offset
    double receivedMs = 0.0;  // edge steady clock
    qint64 bytes = 0;         // whole frame on the wire
    QString kind;
    // Everything else: t_dec, t_es, measured and predicted (Eq. 4) completion time,
    // running accuracy, and for AECNN/BottleNet++ the received symbols and features.
    edge::EdgeFrameResult result;
};

// Qt face of the core edge runtime (aecnn/edge/edge_session.h): hello, mutual HMAC
// authentication, configure, model deployment (the head for AECNN/BottleNet++),
// start/stop, frames finished on the edge, reconnection with backoff.
class AgentClient : public QObject {
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Authenticating, Ready, Streaming, Reconnecting };
    Q_ENUM(State)

    explicit AgentClient(QObject* parent = nullptr);
    ~AgentClient() override;

    // token empty = connect to a tokenless loopback agent.
    void connectToAgent(const QString& host, quint16 port, const QByteArray& token);
    void disconnectFromAgent();
    State state() const;

    void configure(const QJsonObject& settings);
    // Loads the model on the edge and sends the agent what the configured mode needs;
    // deployed() reports the agent's answer.
    bool deployModel(const QString& path, QString* error);
    void start(quint32 frames = 0);
    void stop();
    edge::EdgeSession& session() { return *session_; }

Q_SIGNALS:
    void stateChanged(aecnn::studio::AgentClient::State state, const QString& message);
    void configured(bool ok, const QString& message, const QJsonObject& effective);
    void deployed(bool ok, const QString& message);
    void frameReceived(const aecnn::studio::ReceivedFrame& frame);
    void streamEnded(quint64 frames, const QString& reason);
    void errorOccurred(const QString& message);
    // After each authentication: the device profile predictions use (edge_session.h,
    // DeviceProfileInfo): the agent's own (fromDevice, its JSON in `measured`) or the Pi 4
    // fallback, with the input size it holds for and a note saying which and why.
    void deviceProfileChanged(bool fromDevice, const QString& name, int inputHeight, int inputWidth,
                              const QString& note, const QJsonObject& measured);

private:
    std::unique_ptr<edge::EdgeSession> session_;
};

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::ReceivedFrame)
