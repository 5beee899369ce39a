#include "edge_controller.h"

namespace aecnn::studio {

EdgeController::EdgeController(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<ReceivedFrame>();
    qRegisterMetaType<AgentClient::State>();
    thread_.setObjectName(QStringLiteral("edge"));
    thread_.start();
    createClient();
    forwardClientSignals();
}

EdgeController::~EdgeController()
{
    shutdown();
}

void EdgeController::createClient()
{
    // Created inside the edge thread so that everything the edge session owns lives there.
    auto* anchor = new QObject;
    anchor->moveToThread(&thread_);
    QMetaObject::invokeMethod(anchor, [this] { client_ = new AgentClient; }, Qt::BlockingQueuedConnection);
    delete anchor; // nothing is pending on it any more
}

void EdgeController::forwardClientSignals()
{
    connect(client_, &AgentClient::stateChanged, this, [this](State state, const QString& message) {
        state_ = state;
        if (state == State::Disconnected) {
            deployedFile_.clear();
            deployedMode_.clear();
        }
        Q_EMIT stateChanged(state, message);
    });
    connect(client_, &AgentClient::deployed, this, [this](bool ok, const QString& message) {
        if (ok) {
            deployedFile_ = pendingFile_;
            deployedMode_ = pendingMode_;
        }
        Q_EMIT deployed(ok, message);
    });
    connect(client_, &AgentClient::configured, this, &EdgeController::configured);
    connect(client_, &AgentClient::frameReceived, this, &EdgeController::frameReceived);
    connect(client_, &AgentClient::streamEnded, this, &EdgeController::streamEnded);
    connect(client_, &AgentClient::errorOccurred, this, &EdgeController::errorOccurred);
    connect(client_, &AgentClient::deviceProfileChanged, this, &EdgeController::deviceProfileChanged);
}

void EdgeController::shutdown()
{
    if (client_) {
        // The client's sockets and timers belong to the edge thread: close and delete it there.
        QMetaObject::invokeMethod(
            client_,
            [client = client_] {
                client->disconnectFromAgent();
                delete client;
            },
            Qt::BlockingQueuedConnection);
        client_ = nullptr;
    }
    thread_.quit();
    thread_.wait();
}

template <typename Call>
void EdgeController::onEdge(Call call)
{
    if (!client_)
        return; // shut down
    QMetaObject::invokeMethod(client_, [client = client_, call = std::move(call)] { call(*client); },
                              Qt::QueuedConnection);
}

void EdgeController::connectToAgent(const QString& host, quint16 port, const QByteArray& token)
{
    onEdge([host, port, token](AgentClient& client) { client.connectToAgent(host, port, token); });
}

void EdgeController::disconnectFromAgent()
{
    onEdge([](AgentClient& client) { client.disconnectFromAgent(); });
}

void EdgeController::configure(const QJsonObject& settings)
{
    onEdge([settings](AgentClient& client) { client.configure(settings); });
}

void EdgeController::deploy(const QString& file, const QString& mode)
{
    pendingFile_ = file;
    pendingMode_ = mode;
    // The controller outlives every call queued to the edge thread: shutdown() waits for them.
    onEdge([this, file](AgentClient& client) {
        QString error;
        if (!client.deployModel(file, &error))
            QMetaObject::invokeMethod(this, [this, error] { Q_EMIT deployed(false, error); });
    });
}

void EdgeController::start(quint32 frames)
{
    onEdge([frames](AgentClient& client) { client.start(frames); });
}

void EdgeController::stop()
{
    onEdge([](AgentClient& client) { client.stop(); });
}

} // namespace aecnn::studio
