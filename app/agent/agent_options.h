#pragma once

#include <string>

#include <QByteArray>
#include <QHostAddress>

#include "aecnn/protocol/frame.h"

namespace aecnn::agent {

struct AgentOptions {
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 7878;
    QByteArray token;                  // empty = no authentication (loopback only)
    std::string dataset = "fashion-mnist";
    qint64 maxModelBytes = 512ll << 20;
    uint32_t maxPayload = protocol::kDefaultMaxPayload;
    int handshakeTimeoutMs = 10000;
};

} // namespace aecnn::agent
