#include "agent_client.h"

#include "aecnn/edge/edge_session.h"

namespace aecnn::studio {

namespace {

AgentClient::State toClientState(edge::EdgeState state)
{
    switch (state) {
    case edge::EdgeState::Disconnected: return AgentClient::State::Disconnected;
    case edge::EdgeState::Connecting: return AgentClient::State::Connecting;
    case edge::EdgeState::Authenticating: return AgentClient::State::Authenticating;
    case edge::EdgeState::Ready: return AgentClient::State::Ready;
    case edge::EdgeState::Streaming: return AgentClient::State::Streaming;
    case edge::EdgeState::Reconnecting: return AgentClient::State::Reconnecting;
    }
    return AgentClient::State::Disconnected;
}

ReceivedFrame toReceivedFrame(const edge::EdgeFrameResult& r)
{
    ReceivedFrame f;
    f.sequence = r.sequence;
    f.label = r.label;
    f.predicted = r.predicted;
    f.iotMs = r.iotMs;
    f.encMs = r.encMs;
    f.transferMs = r.comMs;
    f.receivedMs = r.receivedMs;
    f.bytes = r.bytes;
    f.kind = QString::fromStdString(r.kind);
    f.result = r;
    return f;
}

} // namespace

AgentClient::AgentClient(QObject* parent) : QObject(parent)
{
    edge::EdgeOptions options;
    options.clientName = QStringLiteral("aecnn-studio");
    edge::EdgeCallbacks cb;
    cb.stateChanged = [this](edge::EdgeState state, const QString& message) {
        Q_EMIT stateChanged(toClientState(state), message);
    };
    cb.configured = [this](bool ok, const QString& message, const QJsonObject& effective) {
        Q_EMIT configured(ok, message, effective);
    };
    cb.deployed = [this](bool ok, const QString& message) { Q_EMIT deployed(ok, message); };
    cb.frame = [this](const edge::EdgeFrameResult& r) { Q_EMIT frameReceived(toReceivedFrame(r)); };
    cb.streamEnded = [this](uint64_t frames, const QString& reason) { Q_EMIT streamEnded(frames, reason); };
    cb.error = [this](const QString& message) { Q_EMIT errorOccurred(message); };
    cb.deviceProfile = [this](const edge::DeviceProfileInfo& p) {
        Q_EMIT deviceProfileChanged(p.fromDevice, p.name, p.inputHeight, p.inputWidth, p.note, p.measured);
    };
    session_ = std::make_unique<edge::EdgeSession>(options, cb);
}

AgentClient::~AgentClient() = default;

void AgentClient::connectToAgent(const QString& host, quint16 port, const QByteArray& token)
{
    session_->connectToAgent(host, port, token);
}

void AgentClient::disconnectFromAgent()
{
    session_->disconnectFromAgent();
}

AgentClient::State AgentClient::state() const
{
    return toClientState(session_->state());
}

void AgentClient::configure(const QJsonObject& settings)
{
    session_->configure(settings);
}

bool AgentClient::deployModel(const QString& path, QString* error)
{
    if (state() != State::Ready) {
        if (error)
            *error = tr("Connect to an agent before deploying a model.");
        return false;
    }
    return session_->deployModel(path, error);
}

void AgentClient::start(quint32 frames)
{
    session_->start(frames);
}

void AgentClient::stop()
{
    session_->stop();
}

} // namespace aecnn::studio
