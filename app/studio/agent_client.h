#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <memory>

class QTcpSocket;

namespace aecnn::protocol {
struct Frame;
}

namespace aecnn::studio {

// One frame as the studio needs it (from protocol::FrameData, without the payload).
struct ReceivedFrame {
    quint64 sequence = 0;
    int label = -1;
    int predicted = -1;
    double iotMs = 0.0;
    double encMs = 0.0;
    double transferMs = -1.0; // send..receive, only when agent and studio share a clock (loopback), else -1
    double receivedMs = 0.0;  // studio steady clock
    qint64 bytes = 0;         // whole frame on the wire
    QString kind;
};

// Edge side of the agent protocol (core/include/aecnn/protocol): hello, mutual
// HMAC authentication, configure, model deployment, start/stop, frames.
class AgentClient : public QObject {
    Q_OBJECT
public:
    enum class State { Disconnected, Connecting, Authenticating, Ready, Streaming };
    Q_ENUM(State)

    explicit AgentClient(QObject* parent = nullptr);
    ~AgentClient() override;

    // token empty = connect to a tokenless loopback agent.
    void connectToAgent(const QString& host, quint16 port, const QByteArray& token);
    void disconnectFromAgent();
    State state() const { return state_; }

    void configure(const QJsonObject& settings);
    // Sends a checkpoint file to the agent (chunks of 1 MiB); deployed() reports the result.
    bool deployModel(const QString& path, QString* error);
    void start(quint32 frames = 0);
    void stop();

Q_SIGNALS:
    void stateChanged(aecnn::studio::AgentClient::State state, const QString& message);
    void configured(bool ok, const QString& message, const QJsonObject& effective);
    void deployed(bool ok, const QString& message);
    void frameReceived(const aecnn::studio::ReceivedFrame& frame);
    void streamEnded(quint64 frames, const QString& reason);
    void errorOccurred(const QString& message);

private:
    void setState(State state, const QString& message = {});
    void onReadyRead();
    void handleFrame(const protocol::Frame& frame);
    void fail(const QString& message);
    void send(const QByteArray& bytes);

    struct Private;
    std::unique_ptr<Private> d_;
    QTcpSocket* socket_;
    State state_ = State::Disconnected;
};

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::ReceivedFrame)
