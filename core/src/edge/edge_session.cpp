#include "aecnn/edge/edge_session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include <QCryptographicHash>
#include <QTcpSocket>
#include <QTimer>

#include "aecnn/edge/clock_offset.h"
#include "aecnn/edge/frame_csv.h"
#include "aecnn/error.h"
#include "aecnn/latency/latency_model.h"
#include "aecnn/latency/measured_profile.h"
#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/compact_frame.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"
#include "aecnn/split/transport_settings_json.h"
#include "edge_model.h"
#include "tail_batcher.h"

namespace aecnn::edge {

using namespace aecnn::protocol;

namespace {

// A session-framed message (SessionFrame, or a CompactFrame as read) as the FrameData it
// stands for: features with device times in microseconds.
template <typename SessionFramed>
FrameData frameDataOfSessionFrame(const SessionFramed& f)
{
    FrameData data;
    data.sequence = f.sequence;
    data.label = f.label;
    data.iotMs = f.iotUs / 1000.0;
    data.encMs = f.encUs / 1000.0;
    data.sendTimeUs = f.sendTimeUs;
    data.kind = "features";
    data.payload = f.payload;
    return data;
}

constexpr int kSyncPings = 5;           // sent right after authentication
constexpr qsizetype kDeployChunk = 1 << 20;

int64_t steadyNowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

const char* toString(EdgeState state)
{
    switch (state) {
    case EdgeState::Disconnected: return "disconnected";
    case EdgeState::Connecting: return "connecting";
    case EdgeState::Authenticating: return "authenticating";
    case EdgeState::Ready: return "ready";
    case EdgeState::Streaming: return "streaming";
    case EdgeState::Reconnecting: return "reconnecting";
    }
    return "?";
}

struct EdgeSession::Private {
    EdgeOptions options;
    EdgeCallbacks cb;
    QObject context; // receiver of socket and timer signals; lives on the owner's thread
    QTcpSocket* socket = new QTcpSocket(&context);
    QTimer reconnectTimer, idleTimer, pingTimer;
    FrameReader reader;
    CompactFrameReader compact; // frame_header "compact": this stream's sequence and timing (compact_frame.h)
    EdgeState state = EdgeState::Disconnected;
    bool quietSocket = false; // our own abort(): its signals are not a loss
    uint64_t generation = 0;  // counts dropped sockets: bytes of an old connection are never handled

    QString host;
    quint16 port = 0;
    QByteArray token;
    QByteArray serverNonce, clientNonce;
    uint16_t version = kMaxVersion;
    bool encrypt = false;                // this connection's records are encrypted
    HandshakeTranscript transcript;      // Hello .. AuthProof of this connection
    std::unique_ptr<RecordLayer> record; // once authenticated with a token
    bool authenticatedOnce = false;
    int backoffMs = 0;
    int reconnects = 0;
    ClockOffsetEstimator clock;

    QJsonObject settings;
    std::vector<codec::QuantRange> fixedRanges; // framing "session": calibrated ranges (setFixedRanges)
    codec::ContextPriors contextPriors;         // framing "session", coder context (setContextPriors)
    std::shared_ptr<EdgeModel> model;
    std::string deployedCategory; // "head" or "whole": what the device holds now

    bool streamWanted = false; // a stream is running or must be resumed after a reconnect
    // Adaptive V (switchModel): the model the stream goes on with once the agent has
    // stopped and the frames it sent before are finished; then, between the deployment
    // of its head and the agent's DeployResult, awaitingSwitchDeploy.
    std::shared_ptr<EdgeModel> switchTo;
    bool awaitingSwitchDeploy = false;
    std::map<QString, std::shared_ptr<EdgeModel>> switchModels; // loaded once per file
    uint32_t streamFrames = 0; // 0 = continuous
    uint64_t received = 0;     // this run
    long long nextImage = 0;   // source position of the next image the edge has not received
    int64_t correct = 0, labelled = 0;
    std::unique_ptr<FrameCsvWriter> csv;
    DeviceProfileInfo profileInfo;
    std::optional<latency::MeasuredDeviceProfile> measuredProfile; // the agent's, when it sent one

    void useFallbackProfile(const QString& why)
    {
        measuredProfile.reset();
        profileInfo = DeviceProfileInfo{};
        profileInfo.note = why + "; predictions use the Pi 4 table of the paper (pi4, 224x224)";
    }
    void announceProfile()
    {
        if (cb.deviceProfile)
            cb.deviceProfile(profileInfo);
    }
    void onDeviceProfile(const DeviceProfileMessage& message);
    double profilePrediction(const EdgeFrameResult& r) const;

    // Shared tail (EdgeOptions::tail): frames handed to it and not finished yet (by ticket,
    // in arrival order), and a stream end that waits for them. `alive` tells the executor's
    // callbacks whether this session still exists.
    struct TailFrame {
        EdgeFrameResult r;
        int64_t sentUs = 0;
        uint64_t agentSequence = 0;
        uint64_t generation = 0;
    };
    std::map<uint64_t, TailFrame> inTail;
    uint64_t nextTicket = 0;
    int pendingTail() const { return static_cast<int>(inTail.size()); }
    std::optional<QString> deferredEnd;
    bool closeCsvWhenDrained = false; // the CSV closes after the frames still in the shared tail
    QString attachedTail; // the model path this session is counted on in the shared tail
    void detachTail()
    {
        if (!attachedTail.isEmpty() && options.tail)
            options.tail->internal().detach(attachedTail);
        attachedTail.clear();
    }
    std::shared_ptr<int> alive = std::make_shared<int>(0);

    void setState(EdgeState s, const QString& message)
    {
        state = s;
        if (cb.stateChanged)
            cb.stateChanged(s, message);
    }
    void reportError(const QString& message)
    {
        if (cb.error)
            cb.error(message);
    }
    template <typename T>
    void send(const T& message)
    {
        const Frame frame = toFrame(message, version);
        socket->write(encodeFrame(record ? record->seal(frame) : frame));
    }
    // Configure; once the settings ask for compact frame headers, this connection reads them
    // (before that a compact frame fails it: compact_not_negotiated).
    void sendConfigure(const QJsonObject& changed)
    {
        send(Configure{changed});
        if (settings.value("frame_header").toString() == "compact")
            reader.setCompactAllowed(true);
    }
    // Start; the agent numbers the stream's frames from 0 again.
    void sendStart(uint32_t frames)
    {
        compact = CompactFrameReader(settings.value("frame_timing").toBool(true));
        send(Start{frames});
    }
    void sendHandshake(const Frame& frame)
    {
        transcript.add(frame);
        socket->write(encodeFrame(frame));
    }
    bool connected() const { return state == EdgeState::Ready || state == EdgeState::Streaming; }

    void dropSocket()
    {
        quietSocket = true;
        ++generation;
        socket->abort();
        quietSocket = false;
        reader = FrameReader();
        record.reset();
        transcript.clear();
        idleTimer.stop();
        pingTimer.stop();
    }

    // Finishes the frames still in the shared tail's queue now, so that their rows are
    // recorded before the CSV is closed.
    void drainTail()
    {
        if (pendingTail() > 0 && options.tail)
            options.tail->internal().runDue(true);
    }

    // The frames still waiting for the shared tail can no longer be finished here (the
    // session goes away while the executor is running a batch, so drainTail could not run
    // them): each is recorded as failed, and the executor forgets them.
    void abandonTail(const QString& reason)
    {
        if (options.tail)
            options.tail->internal().dropJobsOf(this);
        auto waiting = std::move(inTail);
        inTail.clear();
        for (auto& [ticket, frame] : waiting)
            recordFailed(frame.r, reason, frame.agentSequence, frame.generation);
    }

    // A received frame without a prediction: still one row (and frameFailed), acked so that a
    // windowed agent goes on. Never throws: a row that cannot be written is reported.
    void recordFailed(EdgeFrameResult r, const QString& reason, uint64_t agentSequence, uint64_t frameGeneration)
    {
        r.failure = reason.toStdString();
        r.predicted = -1;
        r.correctSoFar = correct;
        r.labelledSoFar = labelled;
        r.deviceProfile = profileInfo.name.toStdString();
        qWarning("aecnn edge: frame %llu failed: %s", static_cast<unsigned long long>(r.sequence), qPrintable(reason));
        try {
            if (frameGeneration == generation && connected())
                send(FrameAck{agentSequence});
            if (csv)
                csv->append(r);
        } catch (const std::exception& e) {
            reportError(QString("cannot record failed frame %1: %2").arg(r.sequence).arg(e.what()));
        }
        if (cb.frameFailed)
            cb.frameFailed(r);
    }

    // Closes the CSV now, or after the frames still in the shared tail (their rows are recorded).
    void closeCsvSoon()
    {
        if (pendingTail() > 0)
            closeCsvWhenDrained = true;
        else
            finishCsv();
    }

    // The stream is over: at once, or after the frames still in the shared tail.
    void endStream(QString reason, QString stateMessage) // by value: `reason` may be *deferredEnd
    {
        if (pendingTail() > 0) {
            deferredEnd = reason;
            return;
        }
        deferredEnd.reset();
        if (switchTo && continueWithNextModel())
            return; // the same stream goes on with the next model
        switchTo.reset();
        awaitingSwitchDeploy = false;
        streamWanted = false;
        detachTail();
        finishCsv();
        if (state == EdgeState::Streaming)
            setState(EdgeState::Ready, stateMessage.isEmpty() ? QString("stream ended: %1").arg(reason) : stateMessage);
        if (cb.streamEnded)
            cb.streamEnded(received, reason);
    }

    void fail(const QString& message)
    {
        drainTail();
        detachTail();
        dropSocket();
        reconnectTimer.stop();
        streamWanted = false;
        deferredEnd.reset();
        switchTo.reset();
        awaitingSwitchDeploy = false;
        closeCsvSoon();
        reportError(message);
        setState(EdgeState::Disconnected, message);
    }

    // The link went away: retry when it had worked once, else report.
    void lost(const QString& reason)
    {
        if (state == EdgeState::Disconnected || reconnectTimer.isActive())
            return; // a socket reports one loss as an error and a disconnection
        if (!authenticatedOnce || !options.reconnect) {
            fail(reason);
            return;
        }
        dropSocket();
        backoffMs = backoffMs == 0 ? options.reconnectInitialMs : std::min(options.reconnectMaxMs, backoffMs * 2);
        setState(EdgeState::Reconnecting, QString("%1; reconnecting in %2 ms").arg(reason).arg(backoffMs));
        reconnectTimer.start(backoffMs);
    }

    void openSocket()
    {
        reader = FrameReader();
        record.reset();
        transcript.clear();
        version = kMaxVersion;
        idleTimer.start(options.idleTimeoutMs);
        socket->connectToHost(host, port);
    }

    void finishCsv()
    {
        if (!csv)
            return;
        try {
            csv->finish();
        } catch (const std::exception& e) {
            reportError(QString("frame CSV: %1").arg(e.what()));
        }
        csv.reset();
    }

    std::string mode() const { return settings.value("mode").toString("full").toStdString(); }
    static std::string categoryOf(const std::string& mode)
    {
        return mode == "aecnn" || mode == "bottlenetpp" ? "head" : "whole";
    }

    void sendDeployment()
    {
        const auto deployment = model->deploymentFor(mode());
        send(DeployBegin{deployment.name, static_cast<quint64>(deployment.bytes.size()),
                         QCryptographicHash::hash(deployment.bytes, QCryptographicHash::Sha256)});
        for (qsizetype offset = 0; offset < deployment.bytes.size(); offset += kDeployChunk)
            send(DeployChunk{deployment.bytes.mid(offset, kDeployChunk)});
        send(DeployEnd{});
        deployedCategory = categoryOf(mode());
    }

    // What a stream needs on the edge before Start (throws): the model prepared for the
    // mode and transport, framing "session"'s layout agreed, the shared tail loaded and
    // this session counted on the queue of its model.
    void prepareStream()
    {
        const std::string m = mode();
        if (!model && (m == "aecnn" || m == "bottlenetpp"))
            throw Error("mode '" + m + "' finishes frames on the edge: deploy a split model first");
        TransportSettings transport = transportSettingsWithin(settings);
        if (transport.framing == "session" && transport.representation == "uint")
            transport.fixedRanges = fixedRanges;
        if (transport.framing == "session" && transport.coder == "context")
            transport.contextPriors = contextPriors;
        if (model) {
            model->prepare(m, transport);
            if (const auto layout = model->sessionLayoutBase64(); !layout.isEmpty() || settings.contains("session_layout")) {
                // The layout is agreed before the stream starts: the device refuses to start with another one.
                settings["session_layout"] = QString::fromLatin1(layout);
                if (connected())
                    sendConfigure(QJsonObject{{"session_layout", QString::fromLatin1(layout)}});
            }
        }
        detachTail();
        if (model && options.tail && (m == "aecnn" || m == "bottlenetpp")) { // loads and warms the shared tail
            auto& tail = options.tail->internal();
            tail.modelFor(model->path())->prepare(m, transport);
            tail.attach(model->path());
            attachedTail = model->path();
        }
    }

    // The agent stopped for a model switch and every frame it sent before is finished
    // (with the model it was sent with): the stream goes on with `switchTo` from the next
    // image (after a reconnect when the link is down now). False when nothing is left to
    // stream or the session has failed (the switch is dropped, the stream ends).
    bool continueWithNextModel()
    {
        if (streamFrames != 0 && received >= streamFrames)
            return false;
        if (state == EdgeState::Reconnecting)
            return true; // onAuthenticated resumes the stream with the next model
        if (!connected())
            return false;
        model = std::move(switchTo);
        switchTo.reset();
        try {
            prepareStream();
            sendConfigure(QJsonObject{{"first_image", static_cast<double>(nextImage)}});
            sendDeployment();
        } catch (const std::exception& e) {
            fail(QString("cannot switch to %1: %2").arg(model->path(), e.what()));
            return true;
        }
        awaitingSwitchDeploy = true; // Start once the agent has loaded it (DeployResult)
        return true;
    }

    void onAuthenticated()
    {
        const bool resuming = authenticatedOnce;
        authenticatedOnce = true;
        backoffMs = 0;
        clock.reset();
        if (version < kDeviceProfileVersion) {
            useFallbackProfile(QString("the agent speaks protocol version %1, which has no device profile").arg(version));
            announceProfile();
        } else {
            useFallbackProfile("waiting for the agent's device profile");
        }
        for (int i = 0; i < kSyncPings; ++i)
            send(Ping{steadyNowUs()});
        pingTimer.start(options.pingIntervalMs);
        if (!resuming) {
            setState(EdgeState::Ready, "connected");
            return;
        }
        ++reconnects;
        awaitingSwitchDeploy = false; // the deployment and Start below replace it
        if (switchTo && streamWanted) {
            // Lost during a model switch: the new agent process streams with the next model.
            model = std::move(switchTo);
            switchTo.reset();
            try {
                prepareStream();
            } catch (const std::exception& e) {
                fail(QString("cannot switch to %1: %2").arg(model->path(), e.what()));
                return;
            }
        }
        switchTo.reset();
        // A new agent process knows nothing: settings, model, and where the stream was.
        QJsonObject again = settings;
        again["first_image"] = static_cast<double>(nextImage);
        sendConfigure(again);
        if (model)
            sendDeployment();
        const uint32_t remaining = streamFrames == 0 ? 0 : streamFrames - static_cast<uint32_t>(received);
        if (streamWanted && streamFrames != 0 && remaining == 0) {
            // Every frame arrived; only the end of the stream was lost with the old agent.
            setState(EdgeState::Streaming, "reconnected");
            endStream("done (the agent went away after the last frame)", "reconnected");
        } else if (streamWanted) {
            sendStart(remaining);
            setState(EdgeState::Streaming, QString("reconnected, resuming at image %1").arg(nextImage));
        } else {
            setState(EdgeState::Ready, "reconnected");
        }
    }

    void onReadyRead();
    void handle(const Frame& frame, int64_t arrivedUs, int64_t wireBytes);
    // deviceTimed false: the frame carried no device times (compact frames with frame_timing false).
    void handleFrameData(const FrameData& data, int64_t arrivedUs, int64_t wireBytes, bool deviceTimed = true);
    // The rest of a frame once its prediction is known: ack, Eq. 4, counts, CSV, callback.
    void completeFrame(EdgeFrameResult& r, int64_t sentUs, uint64_t agentSequence, uint64_t frameGeneration);
    // A frame counted as received that could not be decoded or finished: its failed row.
    void failReceived(EdgeFrameResult& r, const QString& reason, uint64_t agentSequence);
    void onTailOutcome(uint64_t ticket, const TailOutcome& outcome);
};

void EdgeSession::Private::onReadyRead()
{
    const int64_t arrivedUs = steadyNowUs();
    const uint64_t current = generation;
    idleTimer.start(options.idleTimeoutMs);
    reader.append(socket->readAll());
    while (generation == current) {
        const size_t before = reader.buffered();
        const auto r = reader.next();
        if (r.status == DecodeResult::Status::NeedMore)
            return;
        if (r.status == DecodeResult::Status::Failed) {
            fail(QString("the agent sent a malformed frame: %1").arg(QString::fromStdString(r.message)));
            return;
        }
        Frame frame = r.frame;
        if (record) {
            try {
                frame = record->open(r.frame);
            } catch (const RecordError& e) {
                // Like a lost link: this connection is closed unused, the session reconnects.
                const QString reason = QString("session security: %1; closing this connection").arg(e.what());
                qWarning("aecnn edge: %s", qPrintable(reason));
                lost(reason);
                return;
            }
        }
        try {
            handle(frame, arrivedUs, static_cast<int64_t>(before - reader.buffered()));
        } catch (const std::exception& e) {
            // E.g. a session frame that does not decode against the configured layout: this
            // connection is closed (not retried: the same device would send the same again).
            const QString reason = QString("cannot use what the agent sent: %1").arg(e.what());
            qWarning("aecnn edge: closing the connection: %s", qPrintable(reason));
            fail(reason);
            return;
        }
        // Finishing frames can take longer than the idle timeout; the link is alive.
        if (generation == current)
            idleTimer.start(options.idleTimeoutMs);
    }
}

void EdgeSession::Private::handle(const Frame& frame, int64_t arrivedUs, int64_t wireBytes)
{
    switch (frame.type) {
    case MessageType::HelloAck: {
        transcript.add(frame);
        const uint16_t chosen = decodeMessage<HelloAck>(frame).version;
        if (chosen < kMinSessionVersion || chosen > kMaxVersion)
            throw Error("the agent chose protocol version " + std::to_string(chosen) + ", which this edge does not "
                        "offer (" + std::to_string(kMinSessionVersion) + ".." + std::to_string(kMaxVersion) + ")");
        version = chosen;
        return;
    }
    case MessageType::Challenge: {
        transcript.add(frame);
        const auto challenge = decodeMessage<Challenge>(frame);
        if (challenge.tokenRequired && token.isEmpty()) {
            fail("the agent requires a token: give one (--token-file FILE)");
            return;
        }
        encrypt = challenge.encryptionRequired || wantsEncryption(options.encryption, socket->peerAddress());
        if (encrypt && token.isEmpty()) {
            fail(challenge.encryptionRequired
                     ? "the agent requires encryption, which needs a token: give one (--token-file FILE)"
                     : "encryption needs a token (the session keys are derived from it): give one (--token-file "
                       "FILE) or use --encrypt off with a tokenless loopback agent");
            return;
        }
        serverNonce = challenge.serverNonce;
        clientNonce = makeNonce();
        sendHandshake(toFrame(
            AuthProof{clientNonce, token.isEmpty() ? QByteArray() : clientProof(token, serverNonce, clientNonce), encrypt},
            version));
        return;
    }
    case MessageType::AuthResult: {
        const auto result = decodeMessage<AuthResult>(frame);
        if (!result.ok) {
            fail(QString("the agent refused the token: %1").arg(result.message));
            return;
        }
        if (!token.isEmpty() && !constantTimeEquals(result.serverMac, serverProof(token, serverNonce, clientNonce))) {
            fail("the agent could not prove it knows the token; not trusting it");
            return;
        }
        if (!token.isEmpty())
            record = std::make_unique<RecordLayer>(
                Role::Edge, deriveSessionKeys(token, serverNonce, clientNonce, transcript.hash(), encrypt));
        transcript.clear();
        onAuthenticated();
        return;
    }
    case MessageType::ConfigureAck: {
        const auto ack = decodeMessage<ConfigureAck>(frame);
        if (cb.configured)
            cb.configured(ack.ok, ack.message, ack.effective);
        return;
    }
    case MessageType::DeployResult: {
        const auto result = decodeMessage<DeployResult>(frame);
        if (awaitingSwitchDeploy) {
            // The head of the next model is on the device: the stream goes on.
            awaitingSwitchDeploy = false;
            if (!result.ok) {
                fail(QString("the agent refused the model switched to (%1): %2").arg(model->path(), result.message));
                return;
            }
            sendStart(streamFrames == 0 ? 0 : streamFrames - static_cast<uint32_t>(received));
            return;
        }
        if (cb.deployed)
            cb.deployed(result.ok, result.message);
        return;
    }
    case MessageType::FrameData: handleFrameData(decodeMessage<FrameData>(frame), arrivedUs, wireBytes); return;
    case MessageType::SessionFrame: {
        const auto compact = decodeMessage<SessionFrame>(frame);
        if (!model || !model->sessionFramed())
            throw Error("the agent sent a session frame but this stream was not configured with framing 'session'");
        handleFrameData(frameDataOfSessionFrame(compact), arrivedUs, wireBytes);
        return;
    }
    case MessageType::CompactFrame: {
        if (!model || !model->sessionFramed())
            throw Error("the agent sent a compact frame but this stream was not configured with framing 'session'");
        const auto compactFrame = compact.read(frame);
        handleFrameData(frameDataOfSessionFrame(compactFrame), arrivedUs, wireBytes, compact.timing());
        return;
    }
    case MessageType::StreamEnd: {
        endStream(decodeMessage<StreamEnd>(frame).reason, {});
        return;
    }
    case MessageType::Pong: {
        const auto pong = decodeMessage<Pong>(frame);
        clock.addSample(pong.edgeTimeUs, pong.agentTimeUs, arrivedUs);
        return;
    }
    case MessageType::Heartbeat: decodeMessage<Heartbeat>(frame); return;
    case MessageType::DeviceProfile: onDeviceProfile(decodeMessage<DeviceProfileMessage>(frame)); return;
    case MessageType::Error: {
        const QString message = decodeMessage<ErrorMessage>(frame).message;
        if (state == EdgeState::Authenticating && frame.version < kMinSessionVersion) {
            fail(QString("the agent speaks protocol version %1, this edge versions %2..%3 (every message "
                         "authenticated after the handshake): upgrade aecnn-agent on the device to a release that "
                         "speaks version %2 or later. The agent said: %4")
                     .arg(frame.version)
                     .arg(kMinSessionVersion)
                     .arg(kMaxVersion)
                     .arg(message));
            return;
        }
        fail(QString("the agent reported an error: %1").arg(message));
        return;
    }
    default: throw Error("unexpected " + toString(frame.type) + " message from the agent");
    }
}

void EdgeSession::Private::handleFrameData(const FrameData& data, int64_t arrivedUs, int64_t wireBytes,
                                           bool deviceTimed)
{
    EdgeFrameResult r;
    r.sequence = received;
    r.agentSequence = data.sequence;
    r.label = data.label;
    r.predicted = data.predicted;
    r.kind = data.kind.toStdString();
    r.iotMs = data.iotMs;
    r.encMs = data.encMs;
    r.bytes = wireBytes;
    r.payloadBytes = data.payload.size();
    r.securityBytes = record ? kRecordOverheadBytes : 0;
    r.receivedMs = arrivedUs / 1000.0;
    r.clockSynced = clock.hasEstimate();
    r.rateMbps = settings.value("rate_mbps").toDouble(0.0);
    r.ratio = model ? model->ratio() : 0;
    const int64_t sentUs = clock.toEdgeUs(data.sendTimeUs);
    r.comMs = (arrivedUs - sentUs) / 1000.0;
    if (!deviceTimed) {
        // Not measured (NaN): t_iot, t_enc and t_com, hence also measured_ms and Eq. 4's predicted_ms.
        // The edge's own stages (t_dec, t_es, queue) and the profile prediction are measured as always.
        r.deviceTimed = false;
        r.iotMs = r.encMs = r.comMs = std::numeric_limits<double>::quiet_NaN();
    }
    if (options.tail && model && r.kind == "features") {
        // Decoded here, finished by the shared tail with other agents' frames.
        torch::Tensor features;
        try {
            features = model->decodeFeatures(data.payload, options.keepFeatures, r);
        } catch (const std::exception& e) {
            failReceived(r, QString("cannot decode: %1").arg(e.what()), data.sequence);
            throw;
        }
        r.inputHeight = model->inputHeight();
        r.inputWidth = model->inputWidth();
        ++this->received;
        ++nextImage;
        const uint64_t ticket = nextTicket++;
        inTail[ticket] = TailFrame{r, sentUs, data.sequence, generation};
        const std::weak_ptr<int> guard = alive;
        options.tail->internal().submit(model->path(), std::move(features), this,
                                        [this, guard, ticket](const TailOutcome& outcome) {
                                            if (!guard.expired())
                                                onTailOutcome(ticket, outcome);
                                        });
        return;
    }
    try {
        if (model) {
            model->finish(r.kind, data.payload, options.keepFeatures, r);
            r.inputHeight = model->inputHeight();
            r.inputWidth = model->inputWidth();
        } else if (r.kind == "features") {
            throw Error("the agent sent features but no split model is deployed on this edge");
        }
    } catch (const std::exception& e) {
        failReceived(r, QString("cannot finish: %1").arg(e.what()), data.sequence);
        throw; // the connection is closed (handle's caller)
    }
    // Without a model, full-offloading frames are only timed (no prediction).
    ++received;
    ++nextImage;
    completeFrame(r, sentUs, data.sequence, generation);
}

void EdgeSession::Private::failReceived(EdgeFrameResult& r, const QString& reason, uint64_t agentSequence)
{
    ++received;
    ++nextImage;
    recordFailed(r, reason, agentSequence, generation);
}

void EdgeSession::Private::onTailOutcome(uint64_t ticket, const TailOutcome& outcome)
{
    const auto it = inTail.find(ticket);
    if (it == inTail.end())
        return; // already recorded (abandonTail)
    TailFrame frame = std::move(it->second);
    inTail.erase(it);
    EdgeFrameResult& r = frame.r;
    r.esMs = outcome.esMs;
    r.queueMs = outcome.queueMs;
    r.batchSize = outcome.batchSize;
    if (outcome.ok) {
        r.predicted = outcome.predicted;
        try {
            completeFrame(r, frame.sentUs, frame.agentSequence, frame.generation);
        } catch (const std::exception& e) {
            if (state != EdgeState::Disconnected)
                fail(QString("cannot record frame %1: %2").arg(r.sequence).arg(e.what()));
        }
    } else {
        // This batch failed (every frame in it gets a failed row); the stream goes on.
        recordFailed(r, outcome.error, frame.agentSequence, frame.generation);
    }
    if (pendingTail() > 0)
        return;
    if (closeCsvWhenDrained) {
        closeCsvWhenDrained = false;
        finishCsv();
    }
    if (deferredEnd)
        endStream(*deferredEnd, {});
}

void EdgeSession::Private::completeFrame(EdgeFrameResult& r, int64_t sentUs, uint64_t agentSequence,
                                         uint64_t frameGeneration)
{
    r.measuredMs = r.iotMs + r.encMs + (steadyNowUs() - sentUs) / 1000.0;
    if (frameGeneration == generation && connected())
        send(FrameAck{agentSequence}); // paces an agent configured with a window
    const double transferMs = r.rateMbps > 0 ? latency::transmitMs(double(r.bytes), r.rateMbps) : 0.0;
    r.predictedMs = transferMs + r.iotMs + r.encMs + r.decMs + r.queueMs + r.esMs;
    r.deviceProfile = profileInfo.name.toStdString();
    try {
        r.profileMs = profilePrediction(r);
        if (r.profileMs >= 0)
            r.profileMs += r.queueMs; // waiting for the shared tail is part of the completion time
    } catch (const std::exception&) {
        r.profileMs = -1.0; // settings the profile cannot be matched with: no profile prediction
    }
    if (r.label >= 0) {
        ++labelled;
        correct += r.predicted == r.label ? 1 : 0;
    }
    r.correctSoFar = correct;
    r.labelledSoFar = labelled;
    if (csv)
        csv->append(r);
    if (cb.frame)
        cb.frame(r);
}

void EdgeSession::Private::onDeviceProfile(const DeviceProfileMessage& message)
{
    if (!message.present) {
        useFallbackProfile("the agent sent no device profile (" + message.message + ")");
    } else {
        try {
            measuredProfile = latency::measuredProfileFromJson(message.profile);
            profileInfo.fromDevice = true;
            profileInfo.name = QString::fromStdString(measuredProfile->name);
            profileInfo.inputHeight = measuredProfile->inputHeight;
            profileInfo.inputWidth = measuredProfile->inputWidth;
            profileInfo.measured = message.profile;
            profileInfo.note = QString("measured on the device (%1, %2 thread(s), input %3)")
                                   .arg(QString::fromStdString(measuredProfile->arch))
                                   .arg(measuredProfile->threads)
                                   .arg(QString::fromStdString(measuredProfile->inputLabel()));
        } catch (const std::exception& e) {
            // A profile the edge cannot read is not a reason to drop the device.
            useFallbackProfile(QString("the agent's device profile is unusable: %1").arg(e.what()));
            qWarning("aecnn edge: %s", qPrintable(profileInfo.note));
        }
    }
    announceProfile();
}

double EdgeSession::Private::profilePrediction(const EdgeFrameResult& r) const
{
    const std::string m = mode();
    const double transferMs = r.rateMbps > 0 ? latency::transmitMs(double(r.bytes), r.rateMbps) : 0.0;
    const auto transport = transportSettingsWithin(settings);
    const latency::DeviceProfile profile =
        measuredProfile ? latency::toLatencyProfile(*measuredProfile, transport.coder,
                                                    transport.representation == "uint" ? transport.bits : 0)
                        : latency::raspberryPi4Profile();
    if (m == "local")
        return profile.localMs > 0 ? transferMs + profile.localMs : -1.0;
    if (m == "full") {
        // Device side from the profile's full offloading at this stream's capture size and JPEG
        // quality (capture + resize, JPEG encode); the link and the edge's decode + whole model
        // as measured for this frame, like the split modes.
        const auto* f = profile.fullOffloadFor(settings.value("resolution").toString("native").trimmed().toStdString(),
                                               settings.value("jpeg_quality").toInt(90));
        if (!model || f == nullptr)
            return -1.0;
        return transferMs + profile.captureMs + f->resizeMs + f->encMs + r.decMs + r.esMs;
    }
    if ((m != "aecnn" && m != "bottlenetpp") || !model || model->splitPoint() == 0)
        return -1.0;
    const auto device = latency::deviceSideTimes(profile, model->splitPoint(), model->ratio());
    if (!device)
        return -1.0;
    return transferMs + device->iotMs + device->encMs + r.decMs + r.esMs;
}

EdgeSession::EdgeSession(EdgeOptions options, EdgeCallbacks callbacks) : d_(std::make_unique<Private>())
{
    d_->options = std::move(options);
    d_->cb = std::move(callbacks);
    Private* d = d_.get();
    d->reconnectTimer.setSingleShot(true);
    d->idleTimer.setSingleShot(true);
    QObject::connect(d->socket, &QTcpSocket::connected, &d->context, [d] {
        // No Nagle: pings and acks must not wait for the agent's delayed ACK.
        d->socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (d->state == EdgeState::Connecting)
            d->setState(EdgeState::Authenticating, "connected, authenticating");
        // In a version-1 frame, so that an older agent can read it and say which version it speaks.
        d->sendHandshake(toFrame(Hello{kMinSessionVersion, kMaxVersion, d->options.clientName}, kMinVersion));
    });
    QObject::connect(d->socket, &QTcpSocket::readyRead, &d->context, [d] { d->onReadyRead(); });
    QObject::connect(d->socket, &QTcpSocket::errorOccurred, &d->context, [d](QAbstractSocket::SocketError) {
        if (!d->quietSocket)
            d->lost(QString("connection to the agent failed: %1").arg(d->socket->errorString()));
    });
    QObject::connect(d->socket, &QTcpSocket::disconnected, &d->context, [d] {
        if (!d->quietSocket)
            d->lost("the agent closed the connection");
    });
    QObject::connect(&d->reconnectTimer, &QTimer::timeout, &d->context, [d] { d->openSocket(); });
    QObject::connect(&d->idleTimer, &QTimer::timeout, &d->context, [d] {
        // Still uploading (a large model on a slow link): the agent answers our pings
        // only after the bytes before them, so silence is expected.
        if (d->socket->state() == QAbstractSocket::ConnectedState && d->socket->bytesToWrite() > 0) {
            d->idleTimer.start(d->options.idleTimeoutMs);
            return;
        }
        d->lost(QString("nothing received from the agent for %1 ms").arg(d->options.idleTimeoutMs));
    });
    QObject::connect(&d->pingTimer, &QTimer::timeout, &d->context, [d] {
        if (d->connected())
            d->send(Ping{steadyNowUs()});
    });
}

EdgeSession::~EdgeSession()
{
    d_->drainTail();
    // Left only when destroyed from inside a tail batch (a frame's callback): recorded as failed.
    d_->abandonTail("the session was closed while this frame was in the shared tail");
    d_->detachTail();
    d_->alive.reset();
    d_->dropSocket();
    d_->finishCsv();
}

void EdgeSession::setCallbacks(EdgeCallbacks callbacks)
{
    d_->cb = std::move(callbacks);
}

void EdgeSession::connectToAgent(const QString& host, quint16 port, const QByteArray& token)
{
    d_->dropSocket();
    d_->reconnectTimer.stop();
    d_->host = host;
    d_->port = port;
    d_->token = token;
    d_->authenticatedOnce = false;
    d_->backoffMs = 0;
    d_->streamWanted = false;
    d_->nextImage = static_cast<long long>(d_->settings.value("first_image").toDouble(0));
    d_->setState(EdgeState::Connecting, QString("connecting to %1:%2").arg(host).arg(port));
    d_->openSocket();
}

void EdgeSession::disconnectFromAgent()
{
    if (d_->state == EdgeState::Disconnected)
        return;
    d_->drainTail();
    d_->detachTail();
    d_->dropSocket();
    d_->reconnectTimer.stop();
    d_->streamWanted = false;
    d_->deferredEnd.reset();
    d_->closeCsvSoon(); // rows of frames still in the shared tail are recorded first
    d_->setState(EdgeState::Disconnected, "disconnected");
}

EdgeState EdgeSession::state() const
{
    return d_->state;
}

void EdgeSession::configure(const QJsonObject& settings)
{
    const std::string before = d_->mode();
    for (auto it = settings.begin(); it != settings.end(); ++it)
        d_->settings[it.key()] = it.value();
    // The agent's source starts there: a stream resumed after a reconnect must count from it.
    if (settings.contains("first_image"))
        d_->nextImage = static_cast<long long>(settings.value("first_image").toDouble(0));
    if (!d_->connected())
        return;
    d_->sendConfigure(settings);
    if (d_->model && d_->mode() != before && Private::categoryOf(d_->mode()) != d_->deployedCategory) {
        try {
            d_->sendDeployment(); // the device needs another part of the model for the new mode
        } catch (const std::exception& e) {
            d_->reportError(QString("cannot deploy for mode '%1': %2").arg(QString::fromStdString(d_->mode()), e.what()));
        }
    }
}

QJsonObject EdgeSession::settings() const
{
    return d_->settings;
}

bool EdgeSession::deployModel(const QString& path, QString* error)
{
    try {
        auto model = std::make_shared<EdgeModel>(path);
        model->requireMode(d_->mode());
        d_->model = std::move(model);
        if (d_->connected())
            d_->sendDeployment();
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = QString("cannot deploy %1: %2").arg(path, e.what());
        return false;
    }
}

void EdgeSession::start(uint32_t frames)
{
    if (d_->state != EdgeState::Ready)
        return;
    try {
        d_->prepareStream();
    } catch (const std::exception& e) {
        d_->reportError(QString("cannot start: %1").arg(e.what()));
        return;
    }
    d_->streamWanted = true;
    d_->deferredEnd.reset();
    d_->switchTo.reset();
    d_->awaitingSwitchDeploy = false;
    d_->streamFrames = frames;
    d_->received = 0;
    d_->correct = d_->labelled = 0;
    // Clock samples while both sides are idle (the edge answers a pong at once): the
    // least delayed round trips, so the offset is good from the first frame on.
    for (int i = 0; i < kSyncPings; ++i)
        d_->send(Ping{steadyNowUs()});
    d_->sendStart(frames);
    d_->setState(EdgeState::Streaming, "streaming");
}

bool EdgeSession::switchModel(const QString& path, QString* error)
{
    const auto refuse = [error](const QString& why) {
        if (error)
            *error = why;
        return false;
    };
    if (d_->state != EdgeState::Streaming || !d_->streamWanted || d_->deferredEnd)
        return refuse("no stream is running");
    if (switchingModel())
        return refuse("a model switch is already under way");
    if (d_->streamFrames != 0 && d_->received >= d_->streamFrames)
        return refuse("every frame of the stream has arrived");
    try {
        auto& next = d_->switchModels[path];
        if (!next)
            next = std::make_shared<EdgeModel>(path);
        next->requireMode(d_->mode());
        d_->switchTo = next;
    } catch (const std::exception& e) {
        d_->switchModels.erase(path);
        return refuse(QString("cannot switch to %1: %2").arg(path, e.what()));
    }
    d_->send(Stop{}); // the agent answers with StreamEnd after the frames it has sent
    return true;
}

bool EdgeSession::switchingModel() const
{
    return d_->switchTo != nullptr || d_->awaitingSwitchDeploy;
}

void EdgeSession::setFixedRanges(std::vector<codec::QuantRange> ranges)
{
    d_->fixedRanges = std::move(ranges);
}

void EdgeSession::setContextPriors(codec::ContextPriors priors)
{
    d_->contextPriors = std::move(priors);
}

void EdgeSession::stop()
{
    if (d_->state == EdgeState::Streaming)
        d_->send(Stop{});
}

bool EdgeSession::setCsv(const QString& path, const QStringList& contextLines, QString* error)
{
    d_->finishCsv();
    d_->closeCsvWhenDrained = false;
    if (path.isEmpty())
        return true;
    try {
        d_->csv = std::make_unique<FrameCsvWriter>(path, contextLines);
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = e.what();
        return false;
    }
}

int64_t EdgeSession::clockOffsetUs() const
{
    return d_->clock.offsetUs();
}

bool EdgeSession::clockSynced() const
{
    return d_->clock.hasEstimate();
}

int EdgeSession::reconnects() const
{
    return d_->reconnects;
}

uint64_t EdgeSession::framesReceived() const
{
    return d_->received;
}

int EdgeSession::framesInTail() const
{
    return d_->pendingTail();
}

DeviceProfileInfo EdgeSession::deviceProfile() const
{
    return d_->profileInfo;
}

} // namespace aecnn::edge
