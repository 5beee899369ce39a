#pragma once

// An on-path attacker for the security tests: a TCP proxy on loopback between an
// edge and an agent that forwards whole frames and, once, on the first connection,
// after authentication, attacks one direction: injects a forged frame with a valid
// CRC, replays, reorders, drops, flips a bit in, or truncates a sealed frame. It
// records what the edge sent on the first connection, to replay a whole session.

#include <memory>
#include <optional>
#include <vector>

#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>

#include "aecnn/protocol/frame.h"
#include "aecnn/protocol/record_layer.h"

namespace aecnn::testing {

class AttackProxy {
public:
    enum class Direction { ToAgent, ToEdge };
    enum class Kind { None, Inject, Replay, Reorder, Drop, FlipBit, Truncate };
    struct Attack {
        Kind kind = Kind::None;
        Direction direction = Direction::ToAgent;
        protocol::MessageType trigger = protocol::MessageType::Start; // the sealed frame that triggers it
        int triggerCount = 1;                                          // ... at its n-th occurrence
        protocol::Frame injected;                                      // Inject: the message in the clear
    };

    AttackProxy(quint16 agentPort, Attack attack) : agentPort_(agentPort), attack_(std::move(attack))
    {
        server_.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server_, &QTcpServer::newConnection, &context_, [this] {
            while (QTcpSocket* edge = server_.nextPendingConnection())
                accept(edge);
        });
    }
    quint16 port() const { return server_.serverPort(); }
    bool attacked() const { return attacked_; }
    int connections() const { return static_cast<int>(links_.size()); }
    QByteArray firstEdgeBytes() const { return links_.empty() ? QByteArray() : links_.front()->fromEdgeBytes; }

private:
    struct Link {
        QTcpSocket* edge = nullptr;
        QTcpSocket* agent = nullptr;
        protocol::FrameReader fromEdge, fromAgent;
        bool authenticated = false;
        uint64_t forwarded[2] = {0, 0}; // sealed frames forwarded per direction
        int triggers = 0;
        std::optional<protocol::Frame> held; // Reorder: waits for the next frame
        QByteArray fromEdgeBytes;
        bool first = false;
    };

    void accept(QTcpSocket* edge)
    {
        auto link = std::make_unique<Link>();
        Link* l = link.get();
        l->first = links_.empty();
        l->edge = edge;
        l->agent = new QTcpSocket(&context_);
        edge->setParent(&context_);
        links_.push_back(std::move(link));
        QObject::connect(l->agent, &QTcpSocket::connected, &context_, [this, l] {
            QObject::connect(l->edge, &QTcpSocket::readyRead, &context_, [this, l] { pump(*l, Direction::ToAgent); });
            pump(*l, Direction::ToAgent);
        });
        QObject::connect(l->agent, &QTcpSocket::readyRead, &context_, [this, l] { pump(*l, Direction::ToEdge); });
        // One side closes: so does the other (what a real relay does).
        QObject::connect(l->agent, &QTcpSocket::disconnected, &context_, [l] { l->edge->disconnectFromHost(); });
        QObject::connect(l->edge, &QTcpSocket::disconnected, &context_, [l] { l->agent->disconnectFromHost(); });
        l->agent->connectToHost(QHostAddress::LocalHost, agentPort_);
    }

    void pump(Link& l, Direction d)
    {
        QTcpSocket* from = d == Direction::ToAgent ? l.edge : l.agent;
        protocol::FrameReader& reader = d == Direction::ToAgent ? l.fromEdge : l.fromAgent;
        const QByteArray bytes = from->readAll();
        if (d == Direction::ToAgent && l.first)
            l.fromEdgeBytes += bytes;
        reader.append(bytes);
        for (;;) {
            const auto r = reader.next();
            if (r.status != protocol::DecodeResult::Status::Complete)
                return;
            forward(l, d, r.frame);
        }
    }

    void write(Link& l, Direction d, const protocol::Frame& frame)
    {
        (d == Direction::ToAgent ? l.agent : l.edge)->write(protocol::encodeFrame(frame, UINT32_MAX));
        if (l.authenticated)
            ++l.forwarded[int(d)];
    }

    void forward(Link& l, Direction d, protocol::Frame frame)
    {
        const bool armed = l.first && l.authenticated && !attacked_ && attack_.kind != Kind::None &&
                           d == attack_.direction;
        if (l.held && d == attack_.direction) { // Reorder: the next frame first, then the held one
            write(l, d, frame);
            write(l, d, *l.held);
            l.held.reset();
            return;
        }
        if (!armed || frame.type != attack_.trigger || ++l.triggers != attack_.triggerCount) {
            write(l, d, frame);
            if (d == Direction::ToEdge && frame.type == protocol::MessageType::AuthResult)
                l.authenticated = true; // everything after it is sealed
            return;
        }
        attacked_ = true;
        switch (attack_.kind) {
        case Kind::None: break;
        case Kind::Inject: {
            write(l, d, frame);
            QByteArray payload(protocol::kRecordSequenceBytes, '\0');
            qToBigEndian<quint64>(l.forwarded[int(d)], payload.data()); // the number the victim expects next
            payload += attack_.injected.payload + QByteArray(protocol::kRecordTagBytes, '\x3c');
            write(l, d, protocol::Frame{frame.version, attack_.injected.type, payload});
            return;
        }
        case Kind::Replay:
            write(l, d, frame);
            write(l, d, frame);
            return;
        case Kind::Reorder: l.held = frame; return;
        case Kind::Drop: return;
        case Kind::FlipBit:
            frame.payload[frame.payload.size() / 2] = char(frame.payload[frame.payload.size() / 2] ^ 0x10);
            write(l, d, frame);
            return;
        case Kind::Truncate:
            frame.payload.chop(5);
            write(l, d, frame);
            return;
        }
    }

    QObject context_;
    QTcpServer server_;
    quint16 agentPort_;
    Attack attack_;
    bool attacked_ = false;
    std::vector<std::unique_ptr<Link>> links_;
};

} // namespace aecnn::testing
