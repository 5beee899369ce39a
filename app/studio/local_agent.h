#pragma once

#include <QObject>
#include <QString>

class QProcess;

namespace aecnn::studio {

// Runs `aecnn-agent` on loopback (tokenless, OS-chosen port) for demos and
// reports the port it listens on. The process ends with this object.
class LocalAgent : public QObject {
    Q_OBJECT
public:
    explicit LocalAgent(QObject* parent = nullptr);
    ~LocalAgent() override;

    // Next to this executable, else the build tree's app/agent, else $PATH. Empty when not found.
    static QString findExecutable();

    bool start(const QString& dataset, QString* error);
    void stop();
    bool isRunning() const;
    quint16 port() const { return port_; }

Q_SIGNALS:
    void listening(quint16 port);
    void failed(const QString& message);

private:
    void onStderr();

    QProcess* process_;
    QByteArray stderr_;
    quint16 port_ = 0;
};

} // namespace aecnn::studio
