#include "connection_panel.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace aecnn::studio {

ConnectionPanel::ConnectionPanel(QWidget* parent)
    : QWidget(parent), host_(new QLineEdit(QStringLiteral("127.0.0.1"), this)), port_(new QSpinBox(this)),
      token_(new QLineEdit(this)), connect_(new QPushButton(tr("Connect"), this)),
      localAgent_(new QPushButton(tr("Start local agent"), this)), status_(new QLabel(tr("Not connected"), this))
{
    setObjectName(QStringLiteral("connection"));
    host_->setObjectName(QStringLiteral("host"));
    port_->setObjectName(QStringLiteral("port"));
    token_->setObjectName(QStringLiteral("token"));
    connect_->setObjectName(QStringLiteral("connect"));
    localAgent_->setObjectName(QStringLiteral("startLocalAgent"));
    port_->setRange(1, 65535);
    port_->setValue(7878);
    token_->setEchoMode(QLineEdit::Password);
    token_->setPlaceholderText(tr("pre-shared token (empty for a loopback agent)"));
    status_->setWordWrap(true);

    auto* form = new QFormLayout(this);
    form->addRow(tr("Agent host"), host_);
    form->addRow(tr("Port"), port_);
    form->addRow(tr("Token"), token_);
    form->addRow(connect_, localAgent_);
    form->addRow(status_);

    connect(connect_, &QPushButton::clicked, this, [this] {
        if (connected_)
            Q_EMIT disconnectRequested();
        else
            Q_EMIT connectRequested(host(), port(), token());
    });
    connect(localAgent_, &QPushButton::clicked, this, &ConnectionPanel::startLocalAgentRequested);
}

QString ConnectionPanel::host() const
{
    return host_->text().trimmed();
}

quint16 ConnectionPanel::port() const
{
    return static_cast<quint16>(port_->value());
}

QByteArray ConnectionPanel::token() const
{
    return token_->text().trimmed().toUtf8();
}

void ConnectionPanel::setEndpoint(const QString& host, quint16 port)
{
    host_->setText(host);
    port_->setValue(port);
}

void ConnectionPanel::setToken(const QByteArray& token)
{
    token_->setText(QString::fromUtf8(token));
}

void ConnectionPanel::setConnected(bool connected, const QString& status)
{
    connected_ = connected;
    connect_->setText(connected ? tr("Disconnect") : tr("Connect"));
    host_->setEnabled(!connected);
    port_->setEnabled(!connected);
    token_->setEnabled(!connected);
    setStatus(status);
}

void ConnectionPanel::setStatus(const QString& status)
{
    status_->setText(status);
}

QString ConnectionPanel::status() const
{
    return status_->text();
}

} // namespace aecnn::studio
