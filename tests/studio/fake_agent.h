#pragma once

#include <memory>

#include <QtEndian>
#include <QTcpServer>
#include <QTcpSocket>

#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"

// Agent side of the protocol, just enough for studio tests: handshake with a
// token (transcript, then sealed records), acknowledges Configure and every deployment, answers Start with
// `frames` FrameData messages. It speaks protocol `version` (default the newest; 2 = an
// agent from before the device profile, which never sends one) and sends no DeviceProfile.
class FakeAgent : public QObject {
    Q_OBJECT
public:
    explicit FakeAgent(QByteArray token, uint16_t version = aecnn::protocol::kMaxVersion, QObject* parent = nullptr)
        : QObject(parent), token_(std::move(token)), version_(version)
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
    int deployments = 0;
    bool peerClosed = false; // the studio closed the connection
    QJsonObject lastSettings;

private:
    void onRead()
    {
        using namespace aecnn::protocol;
        reader_.append(socket_->readAll());
        for (;;) {
            DecodeResult r = reader_.next();
            if (r.status != DecodeResult::Status::Complete)
                return;
            if (record_)
                r.frame = record_->open(r.frame);
            switch (r.frame.type) {
            case MessageType::Hello:
                transcript_.add(r.frame);
                writeHandshake(toFrame(HelloAck{version_}, version_));
                nonce_ = makeNonce();
                writeHandshake(toFrame(Challenge{nonce_, true, false}, version_));
                break;
            case MessageType::AuthProof: {
                transcript_.add(r.frame);
                const auto proof = decodeMessage<AuthProof>(r.frame);
                const bool ok = constantTimeEquals(proof.mac, clientProof(token_, nonce_, proof.clientNonce));
                socket_->write(encodeMessage(
                    AuthResult{ok, ok ? serverProof(token_, nonce_, proof.clientNonce) : QByteArray(),
                               ok ? QStringLiteral("welcome") : QStringLiteral("bad proof")},
                    version_));
                if (ok)
                    record_ = std::make_unique<RecordLayer>(
                        Role::Agent, deriveSessionKeys(token_, nonce_, proof.clientNonce, transcript_.hash(),
                                                       proof.encrypt));
                break;
            }
            case MessageType::Configure:
                ++configures;
                lastSettings = decodeMessage<Configure>(r.frame).settings;
                write(toFrame(ConfigureAck{true, QStringLiteral("configured"), lastSettings}, version_));
                break;
            case MessageType::DeployEnd: // accepts any model (the race deploys one per agent)
                ++deployments;
                write(toFrame(DeployResult{true, QStringLiteral("deployed")}, version_));
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
                    if (deployments > 0) { // the edge holds a model: it reads the class from the payload
                        frame.payload = QByteArray(4, '\0');
                        qToBigEndian<qint32>(frame.predicted, frame.payload.data());
                    }
                    write(toFrame(frame, version_));
                }
                write(toFrame(StreamEnd{frames, QStringLiteral("done")}, version_));
                break;
            }
            default:
                break;
            }
        }
    }

    void writeHandshake(const aecnn::protocol::Frame& frame)
    {
        transcript_.add(frame);
        socket_->write(encodeFrame(frame));
    }
    void write(const aecnn::protocol::Frame& frame)
    {
        socket_->write(encodeFrame(record_ ? record_->seal(frame) : frame));
    }

    QByteArray token_;
    uint16_t version_ = aecnn::protocol::kMaxVersion;
    QTcpServer server_;
    aecnn::protocol::HandshakeTranscript transcript_;
    std::unique_ptr<aecnn::protocol::RecordLayer> record_;
    QTcpSocket* socket_ = nullptr;
    aecnn::protocol::FrameReader reader_;
    QByteArray nonce_;
};
