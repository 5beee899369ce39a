#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QThread>

#include "agent_client.h"

namespace aecnn::studio {

// Owns the edge thread and the connection to one agent.
//
// Threading contract:
//  - The controller itself lives in the thread that created it (the UI thread); call
//    every public function from there.
//  - It starts a QThread named "edge" and creates the AgentClient inside it, so the
//    edge session's sockets, timers and LibTorch models (decode -> FR -> tail, model
//    deployment) all live and run in that thread. The client is never touched from the
//    UI thread: every call below is queued to it and returns at once.
//  - The client's signals reach the controller queued; the controller updates its
//    state (state(), deployedFile()) and then re-emits them in the UI thread, so a
//    slot connected to a controller signal runs in the UI thread and already sees the
//    new state.
//  - shutdown() (and the destructor) disconnects, deletes the client in the edge thread,
//    then quit() + wait(): when it returns the edge thread has finished. Afterwards every
//    call is ignored.
class EdgeController : public QObject {
    Q_OBJECT
public:
    using State = AgentClient::State;

    explicit EdgeController(QObject* parent = nullptr);
    ~EdgeController() override; // shutdown()

    void shutdown();
    const QThread* workerThread() const { return &thread_; }

    // As last reported by the edge thread.
    State state() const { return state_; }
    // The model file the connected agent has loaded and the mode it was deployed for;
    // empty while none is (cleared when the agent disconnects).
    QString deployedFile() const { return deployedFile_; }
    bool hasDeployed(const QString& file, const QString& mode) const
    {
        return !file.isEmpty() && file == deployedFile_ && mode == deployedMode_;
    }

public Q_SLOTS:
    // token empty = connect to a tokenless loopback agent.
    void connectToAgent(const QString& host, quint16 port, const QByteArray& token);
    void disconnectFromAgent();
    void configure(const QJsonObject& settings);
    // Loads `file` on the edge (in the edge thread) and sends the agent what `mode` needs;
    // deployed() reports the outcome, also when loading fails before anything is sent.
    void deploy(const QString& file, const QString& mode);
    void start(quint32 frames = 0);
    void stop();

Q_SIGNALS:
    void stateChanged(aecnn::studio::AgentClient::State state, const QString& message);
    void configured(bool ok, const QString& message, const QJsonObject& effective);
    void deployed(bool ok, const QString& message);
    void frameReceived(const aecnn::studio::ReceivedFrame& frame);
    void streamEnded(quint64 frames, const QString& reason);
    void errorOccurred(const QString& message);
    void deviceProfileChanged(bool fromDevice, const QString& name, int inputHeight, int inputWidth,
                              const QString& note, const QJsonObject& measured); // see AgentClient

private:
    void createClient();
    void forwardClientSignals();
    template <typename Call>
    void onEdge(Call call); // queues `call(client)` to the edge thread

    QThread thread_;
    AgentClient* client_ = nullptr; // lives in thread_; null after shutdown()
    State state_ = State::Disconnected;
    QString deployedFile_;
    QString deployedMode_;
    QString pendingFile_; // being deployed
    QString pendingMode_;
};

} // namespace aecnn::studio
