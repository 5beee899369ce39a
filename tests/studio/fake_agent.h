#pragma once

#include <QTcpServer>
#include <QTcpSocket>

#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/messages.h"

// Agent side of the protocol, just enough for studio tests: handshake with a
// token, acknowledges Configure, answers Start with `frames` FrameData messages.
class FakeAgent : public QObject {
    Q_OBJECT
public:
    explicit FakeAgent(QByteArray token, QObject* parent = nullptr) : QObject(parent), token_(std::move(token))
    {
        server_.listen(QHostAddress::LocalHost, 0);
        connect(&server_, &QTcpServer::newConnection, this, [this] {
            socket_ = server_.nextPendingConnection();
            connect(socket_, &QTcpSocket::readyRead, this, &FakeAgent::onRead);
            connect(socket_, &QTcpSocket::disconnected, this, [this] { peerClosed = true; });
        });
    }
    quint16 port() const { return server_.serverPort(); }
    int configures = 0;
    bool peerClosed = false; // the studio closed the connection
    QJsonObject lastSettings;

private:
    void onRead()
    {
        using namespace aecnn::protocol;
        reader_.append(socket_->readAll());
        for (;;) {
            const DecodeResult r = reader_.next();
            if (r.status != DecodeResult::Status::Complete)
                return;
            switch (r.frame.type) {
            case MessageType::Hello:
                socket_->write(encodeMessage(HelloAck{1}));
                nonce_ = makeNonce();
                socket_->write(encodeMessage(Challenge{nonce_, true}));
                break;
            case MessageType::AuthProof: {
                const auto proof = decodeMessage<AuthProof>(r.frame);
                const bool ok = constantTimeEquals(proof.mac, clientProof(token_, nonce_, proof.clientNonce));
                socket_->write(encodeMessage(
                    AuthResult{ok, ok ? serverProof(token_, nonce_, proof.clientNonce) : QByteArray(),
                               ok ? QStringLiteral("welcome") : QStringLiteral("bad proof")}));
                break;
            }
            case MessageType::Configure:
                ++configures;
                lastSettings = decodeMessage<Configure>(r.frame).settings;
                socket_->write(encodeMessage(ConfigureAck{true, QStringLiteral("configured"), lastSettings}));
                break;
            case MessageType::Start: {
                const quint32 frames = decodeMessage<Start>(r.frame).frames;
                for (quint32 i = 0; i < frames; ++i) {
                    FrameData frame;
                    frame.sequence = i;
                    frame.label = static_cast<qint32>(i % 3);
                    frame.predicted = i % 4 == 0 ? 2 : frame.label; // frames 0, 4, 8... wrong unless label 2
                    frame.iotMs = 3.0;
                    frame.kind = QStringLiteral("result");
                    socket_->write(encodeMessage(frame));
                }
                socket_->write(encodeMessage(StreamEnd{frames, QStringLiteral("done")}));
                break;
            }
            default:
                break;
            }
        }
    }

    QByteArray token_;
    QTcpServer server_;
    QTcpSocket* socket_ = nullptr;
    aecnn::protocol::FrameReader reader_;
    QByteArray nonce_;
};
