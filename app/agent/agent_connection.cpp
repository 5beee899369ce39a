#include "agent_connection.h"

#include <algorithm>

#include <QTcpSocket>

#include "aecnn/error.h"
#include "aecnn/protocol/compact_frame.h"
#include "aecnn/protocol/messages.h"
#include "frame_source.h"
#include "modes.h"
#include "shaped_writer.h"

namespace aecnn::agent {

using namespace aecnn::protocol;

namespace {

// IPv4-mapped IPv6 peers count as their IPv4 address, so one host is one throttle entry.
QString addressOf(const QHostAddress& address)
{
    bool v4 = false;
    const quint32 ipv4 = address.toIPv4Address(&v4);
    return v4 ? QHostAddress(ipv4).toString() : address.toString();
}

std::string versionRange(uint16_t low, uint16_t high)
{
    return low == high ? "version " + std::to_string(low)
                       : "versions " + std::to_string(low) + ".." + std::to_string(high);
}

} // namespace

AgentConnection::AgentConnection(QTcpSocket* socket, const AgentOptions& options, NonceLedger& ledger,
                                 AuthThrottle& throttle, const Clock& clock, QObject* parent)
    : QObject(parent), socket_(socket), options_(options), ledger_(ledger), throttle_(throttle), clock_(clock),
      peer_(socket->peerAddress().toString() + ":" + QString::number(socket->peerPort())),
      peerAddress_(addressOf(socket->peerAddress())),
      reader_(options.maxPayload), writer_(new ShapedWriter(socket, clock, this)), receiver_(options.maxModelBytes)
{
    socket_->setParent(this);
    // No Nagle: small messages (pongs, result frames) must not wait for the peer's delayed ACK.
    socket_->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(socket_, &QTcpSocket::readyRead, this, &AgentConnection::onReadyRead);
    connect(socket_, &QTcpSocket::disconnected, this, [this] {
        const auto end = reader_.finish();
        if (end.status == DecodeResult::Status::Failed && state_ != State::Closed)
            qWarning("aecnn-agent: %s: %s", qPrintable(peer_), end.message.c_str());
        state_ = State::Closed;
        streaming_ = false;
        if (!serverNonce_.isEmpty())
            ledger_.withdraw(serverNonce_);
        Q_EMIT finished();
    });
    connect(writer_, &ShapedWriter::drained, this, [this] {
        if (streaming_)
            QTimer::singleShot(0, this, &AgentConnection::produceNext);
    });
    handshakeTimer_.setSingleShot(true);
    connect(&handshakeTimer_, &QTimer::timeout, this, [this] { fail("no authentication within the time limit"); });
    handshakeTimer_.start(options_.handshakeTimeoutMs);
    qInfo("aecnn-agent: connection from %s", qPrintable(peer_));
}

AgentConnection::~AgentConnection() = default;

qint64 AgentConnection::nowUs() const
{
    return clock_.nowNs() / 1000;
}

void AgentConnection::send(const QByteArray& message, bool urgent)
{
    writer_->send(message, urgent);
}

void AgentConnection::sendHandshake(const Frame& frame)
{
    transcript_.add(frame);
    send(encodeFrame(frame));
}

void AgentConnection::writeNow(const QByteArray& message)
{
    socket_->write(record_ ? record_->sealEncoded(message) : message);
}

void AgentConnection::fail(const QString& reason, bool tellPeer)
{
    if (state_ == State::Closed)
        return;
    qWarning("aecnn-agent: %s: closing the connection: %s", qPrintable(peer_), qPrintable(reason));
    state_ = State::Closed;
    streaming_ = false;
    handshakeTimer_.stop();
    Q_EMIT failed(reason);
    // Best effort, past the shaper, and only between messages so the stream stays well-formed.
    if (tellPeer && writer_->idle())
        writeNow(encodeMessage(ErrorMessage{reason}, version_));
    socket_->disconnectFromHost();
    QTimer::singleShot(2000, socket_, &QTcpSocket::abort);
}

void AgentConnection::onReadyRead()
{
    reader_.append(socket_->readAll());
    while (state_ != State::Closed) {
        const auto r = reader_.next();
        if (r.status == DecodeResult::Status::NeedMore)
            return;
        if (r.status == DecodeResult::Status::Failed) {
            fail(QString::fromStdString(r.message));
            return;
        }
        Frame frame = r.frame;
        if (record_) {
            try {
                frame = record_->open(r.frame);
            } catch (const RecordError& e) {
                // Not answered: nothing the peer could trust is left on this link.
                fail(QString("session security: %1; nothing of it was used").arg(e.what()), false);
                return;
            }
        }
        try {
            handle(frame);
        } catch (const std::exception& e) {
            fail(e.what());
        }
    }
}

void AgentConnection::handle(const Frame& frame)
{
    if (frame.type == MessageType::Error) {
        const auto message = decodeMessage<ErrorMessage>(frame);
        qWarning("aecnn-agent: %s: the edge reported: %s", qPrintable(peer_), qPrintable(message.message));
        stopStream("edge error");
        return;
    }
    switch (state_) {
    case State::AwaitHello: handleHello(frame); break;
    case State::AwaitProof: handleProof(frame); break;
    case State::Ready: handleReady(frame); break;
    case State::Closed: break;
    }
}

void AgentConnection::handleHello(const Frame& frame)
{
    const auto hello = decodeMessage<Hello>(frame);
    if (hello.maxVersion < kMinSessionVersion) {
        version_ = std::clamp(hello.maxVersion, kMinVersion, kMaxVersion); // so that the old edge can read why
        throw Error("protocol version mismatch: the edge speaks " + versionRange(hello.minVersion, hello.maxVersion) +
                    ", this agent " + versionRange(kMinSessionVersion, kMaxVersion) +
                    " (every message authenticated after the handshake): upgrade the edge (aecnn / aecnn-studio) "
                    "to a release that speaks version " + std::to_string(kMinSessionVersion) + " or later");
    }
    const auto version = negotiateVersion(kMinSessionVersion, kMaxVersion, hello.minVersion, hello.maxVersion);
    if (!version)
        throw Error("protocol version mismatch: the edge speaks " + versionRange(hello.minVersion, hello.maxVersion) +
                    ", this agent " + versionRange(kMinSessionVersion, kMaxVersion) +
                    ": upgrade aecnn-agent on the device to a release that speaks version " +
                    std::to_string(hello.minVersion));
    version_ = *version;
    if (const int64_t waitMs = throttle_.retryAfterMs(peerAddress_); waitMs > 0)
        throw Error("too many failed authentications from " + peerAddress_.toStdString() + " (" +
                    std::to_string(throttle_.failures(peerAddress_)) + "): refused; try again in " +
                    std::to_string((waitMs + 999) / 1000) + " s with the right token");
    transcript_.add(frame);
    sendHandshake(toFrame(HelloAck{version_}, version_));
    serverNonce_ = ledger_.issue();
    encryptionRequired_ = !options_.token.isEmpty() && wantsEncryption(options_.encryption, socket_->peerAddress());
    sendHandshake(toFrame(Challenge{serverNonce_, !options_.token.isEmpty(), encryptionRequired_}, version_));
    state_ = State::AwaitProof;
}

void AgentConnection::handleProof(const Frame& frame)
{
    const auto proof = decodeMessage<AuthProof>(frame);
    transcript_.add(frame);
    if (options_.token.isEmpty()) {
        ledger_.withdraw(serverNonce_);
        if (proof.encrypt)
            throw Error("the edge asks for encryption, but this agent runs without a token (loopback only, "
                        "unauthenticated): there is no secret to derive keys from; give both sides a token");
    } else {
        auto verdict = ledger_.verify(options_.token, serverNonce_, proof.clientNonce, proof.mac);
        if (verdict != NonceLedger::Verdict::Accepted)
            throttle_.failed(peerAddress_);
        else
            throttle_.succeeded(peerAddress_);
        if (verdict != NonceLedger::Verdict::Accepted || (encryptionRequired_ && !proof.encrypt)) {
            const QString reason =
                verdict != NonceLedger::Verdict::Accepted
                    ? QString::fromStdString("authentication refused: " + toString(verdict))
                    : QString("this agent requires encrypted sessions (--encrypt %1) and the edge did not agree")
                          .arg(toString(options_.encryption));
            if (writer_->idle())
                socket_->write(encodeMessage(AuthResult{false, {}, reason}, version_));
            serverNonce_.clear();
            fail(reason);
            return;
        }
    }
    const QByteArray mac = options_.token.isEmpty() ? QByteArray()
                                                    : serverProof(options_.token, serverNonce_, proof.clientNonce);
    handshakeTimer_.stop();
    state_ = State::Ready;
    send(encodeMessage(AuthResult{true, mac, "welcome"}, version_)); // the last plaintext message
    if (!options_.token.isEmpty()) {
        record_ = std::make_unique<RecordLayer>(
            Role::Agent,
            deriveSessionKeys(options_.token, serverNonce_, proof.clientNonce, transcript_.hash(), proof.encrypt));
        writer_->setSealer([this](const QByteArray& message) { return record_->sealEncoded(message); });
    }
    serverNonce_.clear();
    transcript_.clear();
    // Version 3: the device's profile is the first message after authentication (sealed).
    if (version_ >= kDeviceProfileVersion)
        send(encodeMessage(DeviceProfileMessage{!options_.deviceProfile.isEmpty(), options_.deviceProfileNote,
                                                options_.deviceProfile},
                           version_));
    qInfo("aecnn-agent: %s authenticated%s", qPrintable(peer_),
          options_.token.isEmpty() ? " (no token: unauthenticated, unprotected records)"
          : proof.encrypt          ? ", records sealed and encrypted (ChaCha20-Poly1305)"
                                   : ", records sealed (HMAC-SHA256)");
}

void AgentConnection::handleReady(const Frame& frame)
{
    switch (frame.type) {
    case MessageType::Configure: {
        const auto message = decodeMessage<Configure>(frame);
        ConfigureAck ack;
        try {
            settings_ = applySettings(settings_, message.settings);
            writer_->setRateMbps(settings_.rateMbps);
            if (message.settings.contains("first_image") && source_)
                source_->seek(settings_.firstImage);
            mode_.reset(); // rebuilt with the new settings at the next Start
            ack.ok = true;
            ack.message = "configured";
        } catch (const Error& e) {
            ack.ok = false;
            ack.message = e.what();
        }
        ack.effective = toJson(settings_);
        send(encodeMessage(ack, version_));
        return;
    }
    case MessageType::DeployBegin: {
        const auto m = decodeMessage<DeployBegin>(frame);
        try {
            receiver_.begin(m.name, m.size, m.sha256);
        } catch (const Error& e) {
            send(encodeMessage(DeployResult{false, e.what()}, version_));
        }
        return;
    }
    case MessageType::DeployChunk: {
        const auto m = decodeMessage<DeployChunk>(frame);
        if (!receiver_.active())
            return; // the deployment was already refused; DeployEnd will not load anything
        try {
            receiver_.append(m.data);
        } catch (const Error& e) {
            send(encodeMessage(DeployResult{false, e.what()}, version_));
        }
        return;
    }
    case MessageType::DeployEnd: {
        decodeMessage<DeployEnd>(frame);
        if (!receiver_.active())
            return;
        try {
            model_ = receiver_.finish();
            mode_.reset();
            source_.reset();
            send(encodeMessage(DeployResult{true, describe(*model_)}, version_));
        } catch (const std::exception& e) {
            send(encodeMessage(DeployResult{false, e.what()}, version_));
        }
        return;
    }
    case MessageType::Start: startStream(decodeMessage<Start>(frame).frames); return;
    case MessageType::Stop:
        decodeMessage<Stop>(frame);
        stopStream("stopped by the edge");
        return;
    case MessageType::Ping: {
        const auto ping = decodeMessage<Ping>(frame);
        // Past the shaper when nothing is being sent, so that the edge's clock-offset
        // samples are not delayed by token waits (a Pong is a few dozen bytes).
        const QByteArray pong = encodeMessage(Pong{ping.edgeTimeUs, nowUs()}, version_);
        if (writer_->idle()) {
            writeNow(pong);
            socket_->flush(); // now: a Start in the same read may keep the event loop busy (warm-up)
        } else {
            send(pong);
        }
        return;
    }
    case MessageType::FrameAck: {
        const auto ack = decodeMessage<FrameAck>(frame);
        if (ack.sequence < sent_ && ack.sequence + 1 > acked_)
            acked_ = ack.sequence + 1;
        if (streaming_ && writer_->idle())
            QTimer::singleShot(0, this, &AgentConnection::produceNext);
        return;
    }
    case MessageType::Heartbeat:
        decodeMessage<Heartbeat>(frame);
        send(encodeMessage(Heartbeat{}, version_));
        return;
    default:
        throw Error("unexpected " + toString(frame.type) + " message from the edge");
    }
}

void AgentConnection::startStream(quint32 frames)
{
    try {
        ModelGeometry g{settings_.inputHeight, settings_.inputWidth, settings_.inputChannels, 0};
        if (model_)
            g = geometryOf(*model_);
        const std::string dataset = settings_.dataset.empty() ? options_.dataset : settings_.dataset;
        const std::string key = dataset + "@" + std::to_string(g.height) + "x" + std::to_string(g.width) + "x" +
                                std::to_string(g.channels);
        if (!source_ || key != sourceKey_) {
            source_ = makeFrameSource(dataset, g.height, g.width, g.channels);
            source_->seek(settings_.firstImage);
            sourceKey_ = key;
            qInfo("aecnn-agent: %s: source %s", qPrintable(peer_), source_->describe().c_str());
        }
        if (!mode_)
            mode_ = makeMode(settings_, model_);
    } catch (const std::exception& e) {
        send(encodeMessage(StreamEnd{0, QString("cannot start: ") + e.what()}, version_));
        return;
    }
    streaming_ = true;
    frameLimit_ = frames;
    sent_ = 0;
    acked_ = 0;
    // The wire form is fixed for the stream (a Configure during it applies from the next Start),
    // numbered from 0 again, as the edge expects.
    compactStream_ = settings_.frameHeader == "compact";
    compactWriter_ = CompactFrameWriter(settings_.frameTiming);
    if (writer_->idle())
        produceNext();
}

void AgentConnection::stopStream(const QString& reason)
{
    if (!streaming_)
        return;
    streaming_ = false;
    send(encodeMessage(StreamEnd{sent_, reason}, version_), false);
}

void AgentConnection::produceNext()
{
    if (!streaming_ || producing_ || !writer_->idle())
        return;
    if (frameLimit_ != 0 && sent_ >= frameLimit_) {
        stopStream("done");
        return;
    }
    if (settings_.window > 0 && sent_ - acked_ >= static_cast<quint64>(settings_.window))
        return; // the edge's FrameAck resumes

    producing_ = true;
    try {
        const auto image = source_->next();
        FrameData frame;
        frame.sequence = sent_;
        frame.label = image.label;
        mode_->process(image, frame);
        // Time at which the frame enters the (emulated) uplink.
        frame.sendTimeUs = nowUs();
        ++sent_;
        producing_ = false;
        if (mode_->sessionFramed()) {
            // Only what changes per frame (the edge configured this layout, protocol SessionFrame);
            // with frame_header "compact" in the compact form (CompactFrame, compact_frame.h).
            const auto micros = [](double ms) { return quint32(std::clamp(ms * 1000.0, 0.0, 4294967295.0)); };
            const SessionFrame compact{frame.sequence, frame.label, micros(frame.iotMs), micros(frame.encMs),
                                       frame.sendTimeUs, frame.payload};
            if (compactStream_)
                send(encodeFrame(compactWriter_.toFrame(compact)), false);
            else
                send(encodeMessage(compact, version_), false);
        } else {
            send(encodeMessage(frame, version_), false);
        }
    } catch (const std::exception& e) {
        producing_ = false;
        streaming_ = false;
        send(encodeMessage(StreamEnd{sent_, QString("error: ") + e.what()}, version_), false);
    }
}

} // namespace aecnn::agent
