#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace aecnn::studio {

// Agent address, token, connect/disconnect and "Start local agent". Only
// collects input and shows state: the main window does the connecting.
class ConnectionPanel : public QWidget {
    Q_OBJECT
public:
    explicit ConnectionPanel(QWidget* parent = nullptr);

    QString host() const;
    quint16 port() const;
    QByteArray token() const;
    void setEndpoint(const QString& host, quint16 port);
    void setToken(const QByteArray& token);
    void setConnected(bool connected, const QString& status);
    void setStatus(const QString& status);
    QString status() const;

Q_SIGNALS:
    void connectRequested(const QString& host, quint16 port, const QByteArray& token);
    void disconnectRequested();
    void startLocalAgentRequested();

private:
    QLineEdit* host_;
    QSpinBox* port_;
    QLineEdit* token_;
    QPushButton* connect_;
    QPushButton* localAgent_;
    QLabel* status_;
    bool connected_ = false;
};

} // namespace aecnn::studio
