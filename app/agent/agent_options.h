#pragma once

#include <string>

#include <QByteArray>
#include <QHostAddress>
#include <QJsonObject>
#include <QString>

#include "aecnn/protocol/frame.h"
#include "aecnn/protocol/session_security.h"

namespace aecnn::agent {

struct AgentOptions {
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 7878;
    QByteArray token;                  // empty = no authentication (loopback only)
    // Encrypted records (ChaCha20-Poly1305) besides authenticated ones; auto = unless
    // the edge connects from loopback. Needs a token. The edge may ask for it too.
    protocol::EncryptionPolicy encryption = protocol::EncryptionPolicy::Auto;
    std::string dataset = "fashion-mnist";
    qint64 maxModelBytes = 512ll << 20;
    uint32_t maxPayload = protocol::kDefaultMaxPayload;
    int handshakeTimeoutMs = 10000;
    // This device's measured profile (`aecnn-agent --profile`, latency/measured_profile.h),
    // sent to the edge after authentication (protocol version >= 3). Empty = none; then
    // deviceProfileNote says why, and the edge falls back to the Pi 4 table.
    QJsonObject deviceProfile;
    QString deviceProfileNote;
};

} // namespace aecnn::agent
