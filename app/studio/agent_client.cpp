#include "agent_client.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QTcpSocket>
#include <chrono>

#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/messages.h"

namespace aecnn::studio {

using namespace aecnn::protocol;

namespace {
qint64 steadyNowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
} // namespace

struct AgentClient::Private {
    FrameReader reader;
    QByteArray token;
    QByteArray serverNonce;
    QByteArray clientNonce;
    uint16_t version = kMaxVersion;
    bool sharedClock = false;
};

AgentClient::AgentClient(QObject* parent) : QObject(parent), d_(std::make_unique<Private>()), socket_(new QTcpSocket(this))
{
    connect(socket_, &QTcpSocket::connected, this, [this] {
        setState(State::Authenticating, tr("connected, authenticating"));
        send(encodeMessage(Hello{kMinVersion, kMaxVersion, QStringLiteral("aecnn-studio")}));
    });
    connect(socket_, &QTcpSocket::readyRead, this, &AgentClient::onReadyRead);
    connect(socket_, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (state_ != State::Disconnected)
            fail(tr("connection to the agent failed: %1").arg(socket_->errorString()));
    });
    connect(socket_, &QTcpSocket::disconnected, this, [this] {
        if (state_ != State::Disconnected)
            setState(State::Disconnected, tr("the agent closed the connection"));
    });
}

AgentClient::~AgentClient() = default;

void AgentClient::setState(State state, const QString& message)
{
    state_ = state;
    Q_EMIT stateChanged(state, message);
}

void AgentClient::connectToAgent(const QString& host, quint16 port, const QByteArray& token)
{
    disconnectFromAgent();
    d_ = std::make_unique<Private>();
    d_->token = token;
    d_->sharedClock = host == QLatin1String("127.0.0.1") || host == QLatin1String("localhost") ||
                      host == QLatin1String("::1");
    setState(State::Connecting, tr("connecting to %1:%2").arg(host).arg(port));
    socket_->connectToHost(host, port);
}

void AgentClient::disconnectFromAgent()
{
    if (state_ == State::Disconnected)
        return;
    state_ = State::Disconnected; // before abort(): its signals must not report a failure
    socket_->abort();
    Q_EMIT stateChanged(State::Disconnected, tr("disconnected"));
}

void AgentClient::fail(const QString& message)
{
    Q_EMIT errorOccurred(message);
    state_ = State::Disconnected;
    socket_->abort();
    Q_EMIT stateChanged(State::Disconnected, message);
}

void AgentClient::send(const QByteArray& bytes)
{
    socket_->write(bytes);
}

void AgentClient::configure(const QJsonObject& settings)
{
    if (state_ == State::Ready || state_ == State::Streaming)
        send(encodeMessage(Configure{settings}, d_->version));
}

bool AgentClient::deployModel(const QString& path, QString* error)
{
    if (state_ != State::Ready) {
        if (error)
            *error = tr("Connect to an agent before deploying a model.");
        return false;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot read the model %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.readAll();
    send(encodeMessage(DeployBegin{QFileInfo(path).fileName(), static_cast<quint64>(bytes.size()),
                                   QCryptographicHash::hash(bytes, QCryptographicHash::Sha256)},
                       d_->version));
    constexpr qsizetype kChunk = 1 << 20;
    for (qsizetype offset = 0; offset < bytes.size(); offset += kChunk)
        send(encodeMessage(DeployChunk{bytes.mid(offset, kChunk)}, d_->version));
    send(encodeMessage(DeployEnd{}, d_->version));
    return true;
}

void AgentClient::start(quint32 frames)
{
    if (state_ != State::Ready)
        return;
    send(encodeMessage(Start{frames}, d_->version));
    setState(State::Streaming, tr("streaming"));
}

void AgentClient::stop()
{
    if (state_ == State::Streaming)
        send(encodeMessage(Stop{}, d_->version));
}

void AgentClient::onReadyRead()
{
    const qint64 arrivedUs = steadyNowUs();
    d_->reader.append(socket_->readAll());
    while (state_ != State::Disconnected) {
        const qsizetype before = static_cast<qsizetype>(d_->reader.buffered());
        const DecodeResult result = d_->reader.next();
        if (result.status == DecodeResult::Status::NeedMore)
            return;
        if (result.status == DecodeResult::Status::Failed) {
            fail(tr("the agent sent a malformed frame: %1").arg(QString::fromStdString(result.message)));
            return;
        }
        try {
            if (result.frame.type == MessageType::FrameData) {
                const auto data = decodeMessage<FrameData>(result.frame);
                ReceivedFrame frame;
                frame.sequence = data.sequence;
                frame.label = data.label;
                frame.predicted = data.predicted;
                frame.iotMs = data.iotMs;
                frame.encMs = data.encMs;
                frame.transferMs = d_->sharedClock ? (arrivedUs - data.sendTimeUs) / 1000.0 : -1.0;
                frame.receivedMs = arrivedUs / 1000.0;
                frame.bytes = before - static_cast<qsizetype>(d_->reader.buffered());
                frame.kind = data.kind;
                Q_EMIT frameReceived(frame);
            } else {
                handleFrame(result.frame);
            }
        } catch (const std::exception& e) {
            fail(tr("cannot understand the agent: %1").arg(QString::fromStdString(e.what())));
            return;
        }
    }
}

void AgentClient::handleFrame(const Frame& frame)
{
    switch (frame.type) {
    case MessageType::HelloAck:
        d_->version = decodeMessage<HelloAck>(frame).version;
        return;
    case MessageType::Challenge: {
        const auto challenge = decodeMessage<Challenge>(frame);
        if (challenge.tokenRequired && d_->token.isEmpty()) {
            fail(tr("the agent requires a token: enter it or use --token-file"));
            return;
        }
        d_->serverNonce = challenge.serverNonce;
        d_->clientNonce = makeNonce();
        const QByteArray mac = d_->token.isEmpty() ? QByteArray()
                                                   : clientProof(d_->token, d_->serverNonce, d_->clientNonce);
        send(encodeMessage(AuthProof{d_->clientNonce, mac}, d_->version));
        return;
    }
    case MessageType::AuthResult: {
        const auto result = decodeMessage<AuthResult>(frame);
        if (!result.ok) {
            fail(tr("the agent refused the token: %1").arg(result.message));
            return;
        }
        if (!d_->token.isEmpty() &&
            !constantTimeEquals(result.serverMac, serverProof(d_->token, d_->serverNonce, d_->clientNonce))) {
            fail(tr("the agent could not prove it knows the token; not trusting it"));
            return;
        }
        setState(State::Ready, tr("connected"));
        return;
    }
    case MessageType::ConfigureAck: {
        const auto ack = decodeMessage<ConfigureAck>(frame);
        Q_EMIT configured(ack.ok, ack.message, ack.effective);
        return;
    }
    case MessageType::DeployResult: {
        const auto result = decodeMessage<DeployResult>(frame);
        Q_EMIT deployed(result.ok, result.message);
        return;
    }
    case MessageType::StreamEnd: {
        const auto end = decodeMessage<StreamEnd>(frame);
        if (state_ == State::Streaming)
            setState(State::Ready, tr("stream ended: %1").arg(end.reason));
        Q_EMIT streamEnded(end.frames, end.reason);
        return;
    }
    case MessageType::Error:
        fail(tr("the agent reported an error: %1").arg(decodeMessage<ErrorMessage>(frame).message));
        return;
    case MessageType::Pong:
    case MessageType::Heartbeat:
        return;
    default:
        fail(tr("unexpected %1 message from the agent").arg(QString::fromStdString(toString(frame.type))));
    }
}

} // namespace aecnn::studio
