#pragma once

#include <memory>

#include <QObject>
#include <QTimer>

#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/auth_throttle.h"
#include "aecnn/protocol/compact_frame.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"
#include "aecnn/protocol/frame.h"
#include "aecnn/protocol/token_bucket.h"
#include "agent_options.h"
#include "deployed_model.h"
#include "stream_settings.h"

class QTcpSocket;

namespace aecnn::agent {

class FrameSource;
class Mode;
class ShapedWriter;

// One edge connection: handshake (version, HMAC), then configuration, model
// deployment and streaming. Any malformed input closes this connection only.
// With a token, every message after AuthResult is a sealed record (record_layer.h):
// a forged, replayed, reordered, dropped, truncated or altered one closes the
// connection before it is handled (the edge reconnects). Failed authentications
// count against the peer's address (AuthThrottle).
class AgentConnection : public QObject {
    Q_OBJECT

public:
    AgentConnection(QTcpSocket* socket, const AgentOptions& options, protocol::NonceLedger& ledger,
                    protocol::AuthThrottle& throttle, const protocol::Clock& clock, QObject* parent = nullptr);
    ~AgentConnection() override;
    QString peer() const { return peer_; }

Q_SIGNALS:
    void finished(); // the socket is closed; the server deletes this object
    void failed(const QString& reason); // the agent closes this connection, for `reason`

private:
    enum class State { AwaitHello, AwaitProof, Ready, Closed };

    void onReadyRead();
    void handle(const protocol::Frame& frame);
    void handleHello(const protocol::Frame& frame);
    void handleProof(const protocol::Frame& frame);
    void handleReady(const protocol::Frame& frame);
    void startStream(quint32 frames);
    void stopStream(const QString& reason);
    void produceNext();
    void send(const QByteArray& message, bool urgent = true);
    void sendHandshake(const protocol::Frame& frame); // unsealed, and part of the transcript
    void writeNow(const QByteArray& message);          // past the shaper (only when it is idle)
    void fail(const QString& reason, bool tellPeer = true);
    qint64 nowUs() const;

    QTcpSocket* socket_;
    const AgentOptions& options_;
    protocol::NonceLedger& ledger_;
    protocol::AuthThrottle& throttle_;
    const protocol::Clock& clock_;
    QString peer_;
    QString peerAddress_; // without the port: the unit of the auth throttle
    State state_ = State::AwaitHello;
    uint16_t version_ = protocol::kMaxVersion;
    QByteArray serverNonce_;
    bool encryptionRequired_ = false;
    protocol::HandshakeTranscript transcript_;
    std::unique_ptr<protocol::RecordLayer> record_; // set once authenticated with a token
    protocol::FrameReader reader_;
    ShapedWriter* writer_;
    QTimer handshakeTimer_;

    StreamSettings settings_;
    ModelReceiver receiver_;
    std::shared_ptr<const DeployedModel> model_;
    std::unique_ptr<FrameSource> source_;
    std::string sourceKey_;
    std::unique_ptr<Mode> mode_;
    bool streaming_ = false;
    bool producing_ = false;
    quint32 frameLimit_ = 0;
    quint64 sent_ = 0;
    bool compactStream_ = false;                 // frame_header "compact" when this stream started
    protocol::CompactFrameWriter compactWriter_; // then: numbers this stream's frames
    quint64 acked_ = 0; // frames the edge has finished (FrameAck), for the window
};

} // namespace aecnn::agent
