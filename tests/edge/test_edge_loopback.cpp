#include <cmath>

#include <QTemporaryDir>
#include <QtTest>

#include <QCryptographicHash>
#include <QTcpServer>
#include <QTcpSocket>

#include "aecnn/codec/session_layout.h"
#include "aecnn/latency/measured_profile.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/compact_frame.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"
#include "aecnn/split/split_head.h"
#include "aecnn/error.h"
#include "agent_server.h"
#include "edge_agent_options.h"
#include "deployed_model.h"
#include "edge_fixture.h"
#include "modes.h"

using namespace aecnn;
using namespace aecnn::testing;

namespace {

std::vector<int> labelsOf(const ImageSet& images)
{
    std::vector<int> labels;
    for (int64_t i = 0; i < images.size(); ++i)
        labels.push_back(static_cast<int>(images.labels[i].item<int64_t>()));
    return labels;
}

// An "agent" that authenticates like aecnn-agent, accepts any settings and model, and
// answers Start with the session frames `framesFor` makes (to send what a real agent never would).
class ScriptedAgent {
public:
    explicit ScriptedAgent(std::function<std::vector<protocol::Frame>()> framesFor) : framesFor_(std::move(framesFor))
    {
        server_.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server_, &QTcpServer::newConnection, &server_, [this] {
            socket_ = server_.nextPendingConnection();
            QObject::connect(socket_, &QTcpSocket::readyRead, socket_, [this] { onRead(); });
        });
    }
    quint16 port() const { return server_.serverPort(); }

private:
    void sendPlain(const protocol::Frame& frame, bool handshake)
    {
        if (handshake)
            transcript_.add(frame);
        socket_->write(protocol::encodeFrame(record_ ? record_->seal(frame) : frame));
    }
    void onRead()
    {
        using namespace aecnn::protocol;
        reader_.append(socket_->readAll());
        for (;;) {
            const auto r = reader_.next();
            if (r.status != DecodeResult::Status::Complete)
                return;
            const Frame frame = record_ ? record_->open(r.frame) : r.frame;
            switch (frame.type) {
            case MessageType::Hello:
                transcript_.add(frame);
                sendPlain(toFrame(HelloAck{kMaxVersion}), true);
                serverNonce_ = makeNonce();
                sendPlain(toFrame(Challenge{serverNonce_, true, false}), true);
                break;
            case MessageType::AuthProof: {
                transcript_.add(frame);
                const auto proof = decodeMessage<AuthProof>(frame);
                sendPlain(toFrame(AuthResult{true, serverProof(kEdgeToken, serverNonce_, proof.clientNonce), "ok"}),
                          false);
                record_ = std::make_unique<RecordLayer>(
                    Role::Agent,
                    deriveSessionKeys(kEdgeToken, serverNonce_, proof.clientNonce, transcript_.hash(), proof.encrypt));
                break;
            }
            case MessageType::Configure: sendPlain(toFrame(ConfigureAck{true, "ok", {}}), false); break;
            case MessageType::DeployEnd: sendPlain(toFrame(DeployResult{true, "ok"}), false); break;
            case MessageType::Ping:
                sendPlain(toFrame(Pong{decodeMessage<Ping>(frame).edgeTimeUs, 0}), false);
                break;
            case MessageType::Start:
                for (const auto& f : framesFor_())
                    sendPlain(f, false);
                break;
            default: break;
            }
        }
    }

    std::function<std::vector<protocol::Frame>()> framesFor_;
    QTcpServer server_;
    QTcpSocket* socket_ = nullptr;
    protocol::FrameReader reader_;
    protocol::HandshakeTranscript transcript_;
    std::unique_ptr<protocol::RecordLayer> record_;
    QByteArray serverNonce_;
};

QByteArray base64Layout(const codec::SessionLayout& layout)
{
    const auto bytes = codec::serializeLayout(layout);
    return QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())).toBase64();
}

// One live frame of a compact stream (compact_frame.h) costs exactly the bytes computed here by hand.
void checkCompactFraming(const edge::EdgeFrameResult& f, bool timing)
{
    const auto varintBytes = [](uint64_t v) {
        int64_t n = 1;
        for (; v >= 0x80; v >>= 7)
            ++n;
        return n;
    };
    const int64_t framing = f.bytes - f.payloadBytes - f.securityBytes;
    // Compact, by hand: type byte | varint length of the sealed record (gap, label, [times],
    // codec frame, 24 B of sequence number and tag) | gap 0 | zigzag label | [t_iot | t_enc | send time].
    const int64_t labelBytes = varintBytes(uint64_t(f.label) * 2);
    int64_t fields = 1 + labelBytes;
    int64_t sendTimeBytes = 0;
    if (timing) {
        QVERIFY(f.iotMs > 0 && f.encMs > 0 && f.decMs > 0);
        // The send time (differences between frames) is back: t_com, measured and Eq. 4 times exist.
        QVERIFY(std::isfinite(f.comMs) && std::isfinite(f.measuredMs) && std::isfinite(f.predictedMs));
        // Not a speed check: a send time rebuilt wrongly (a difference taken as the time itself) is
        // off by the agent's clock, hours here, far outside this loose bound.
        QVERIFY2(std::abs(f.comMs) < 600000.0, qPrintable(QString::number(f.comMs)));
        fields += varintBytes(uint64_t(std::llround(f.iotMs * 1000))) +
                  varintBytes(uint64_t(std::llround(f.encMs * 1000)));
        // The send time's difference to the previous frame's: not known here exactly, 1..10 bytes.
        sendTimeBytes = framing - 1 - varintBytes(uint64_t(fields + 1 + f.payloadBytes + f.securityBytes)) - fields;
        QVERIFY2(sendTimeBytes >= 1 && sendTimeBytes <= 10, qPrintable(QString::number(sendTimeBytes)));
        fields += sendTimeBytes;
    } else {
        QVERIFY(std::isnan(f.iotMs) && std::isnan(f.encMs) && std::isnan(f.comMs) && std::isnan(f.measuredMs) &&
                std::isnan(f.predictedMs));
        QVERIFY(f.decMs > 0 && f.esMs > 0); // the edge's own stages are still measured
    }
    const int64_t sealedLength = fields + f.payloadBytes + f.securityBytes;
    QCOMPARE(framing, 1 + varintBytes(uint64_t(sealedLength)) + fields);
    if (!timing) // type, length, gap, label: 4 bytes, 5 from 128 bytes sealed
        QCOMPARE(framing, int64_t(sealedLength < 128 ? 4 : 5));
}

} // namespace

// Agent and edge over loopback for each mode: the edge's predictions are exactly
// the offline predictions of the same model on the same images through the same codec.
class TestEdgeLoopback : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(dir_.isValid());
        images_ = edgeTestImages();
        QCOMPARE(images_.size(), int64_t(16));
    }

    void splitModes_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("variant");
        QTest::addColumn<QString>("coder");
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("perChannel");
        QTest::addColumn<QString>("range");
        QTest::newRow("aecnn zstd-entropy 8 bits")
            << "aecnn" << int(SplitVariant::Aecnn) << "zstd-entropy" << 8 << true << "minmax";
        QTest::newRow("aecnn context 4 bits per tensor")
            << "aecnn" << int(SplitVariant::Aecnn) << "context" << 4 << false << "minmax";
        QTest::newRow("aecnn context 3 bits, mse range")
            << "aecnn" << int(SplitVariant::Aecnn) << "context" << 3 << true << "mse";
        QTest::newRow("bottlenetpp zstd 6 bits")
            << "bottlenetpp" << int(SplitVariant::BottleNetPP) << "zstd" << 6 << true << "minmax";
    }

    void splitModes()
    {
        QFETCH(QString, mode);
        QFETCH(int, variant);
        QFETCH(QString, coder);
        QFETCH(int, bits);
        QFETCH(bool, perChannel);
        QFETCH(QString, range);
        auto model = tinySplitModel(static_cast<SplitVariant>(variant), 2, 11);
        const QString path = dir_.filePath(mode + ".aecnn");
        saveAecnnClassifier(path, model);
        TransportSettings transport;
        transport.coder = coder.toStdString();
        transport.bits = bits;
        transport.perChannel = perChannel;
        transport.range = range.toStdString();
        const auto expected = offlineSplitPredictions(model, transport, images_);

        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        // window 1: each frame waits for the FrameAck of the previous one (a missing ack would stall the run).
        const QJsonObject settings{{"mode", mode},           {"codec", coder}, {"bits", bits},
                                   {"per_channel", perChannel}, {"range", range},  {"window", 1}};
        const auto run = runEdgeSession(session, server.port(), settings, path, 16);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QVERIFY(run.ended);
        QCOMPARE(int(run.frames.size()), 16);
        QCOMPARE(predictionsOf(run), expected);
        int correct = 0;
        const auto labels = labelsOf(images_);
        for (size_t i = 0; i < run.frames.size(); ++i) {
            const auto& f = run.frames[i];
            QCOMPARE(f.sequence, quint64(i));
            QCOMPARE(f.label, labels[i]);
            QCOMPARE(f.kind, std::string("features"));
            QVERIFY(f.iotMs > 0 && f.encMs > 0 && f.decMs > 0 && f.esMs > 0);
            QVERIFY(f.bytes > f.payloadBytes);
            // Views: the transmitted tensor arrives whole (C' = 4 of 8 channels at 14x14).
            QCOMPARE(f.featureChannels * f.featureHeight * f.featureWidth, uint32_t(4 * 14 * 14));
            QCOMPARE(f.features.size(), size_t(4 * 14 * 14));
            QCOMPARE(f.symbols.size(), size_t(4 * 14 * 14));
            // ...and X_l as the edge rebuilt it (FR / BottleNet++ decoder): all 8 channels.
            QCOMPARE(f.rebuiltChannels, uint32_t(8));
            QCOMPARE(f.rebuilt.size(), size_t(8 * 14 * 14));
            correct += f.predicted == f.label;
        }
        QCOMPARE(run.frames.back().correctSoFar, int64_t(correct));
        // The offline evaluation `aecnn eval --codec` runs gives the same accuracy.
        const SplitTransport transportPath(transmittedLayout(*model.net, 28, 28), transport);
        const auto offline = evaluateThroughTransport(*model.net, transportPath, images_);
        QCOMPARE(offline.correct, int64_t(correct));
    }

    // The agent's device profile reaches the edge after authentication (protocol version 3)
    // and the edge predicts with it: per frame, Eq. 4 = the profile's t_iot (the V = 2 head)
    // + its t_enc (context coder at 4 bits) + this frame's t_dec + t_es (unshaped: no transfer).
    void deviceProfileReachesTheEdge()
    {
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 11);
        const QString path = dir_.filePath("profiled.aecnn");
        saveAecnnClassifier(path, model);
        latency::MeasuredDeviceProfile profile;
        profile.name = "test-device";
        profile.arch = "test-arch";
        profile.threads = 1;
        profile.inputHeight = profile.inputWidth = 28;
        profile.inputChannels = 1;
        profile.heads = {{1, 1, 8, 14, 14, 2.0}, {1, 2, 4, 14, 14, 1.25}};
        profile.encoders = {{1, 2, "context", 4, 0.5, 2.0}, {1, 2, "zstd", 8, 0.75, 3.0}};
        auto options = agentOptions();
        options.deviceProfile = latency::toJson(profile);
        agent::AgentServer server(options);
        QVERIFY(server.listen());
        edge::EdgeSession session;
        const QJsonObject settings{{"mode", "aecnn"}, {"codec", "context"}, {"bits", 4}, {"window", 1}};
        const auto run = runEdgeSession(session, server.port(), settings, path, 4);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        const auto info = session.deviceProfile();
        QVERIFY(info.fromDevice);
        QCOMPARE(info.name, QString("test-device"));
        QCOMPARE(info.inputHeight, 28);
        QCOMPARE(latency::measuredProfileFromJson(info.measured).encoders.size(), size_t(2));
        QCOMPARE(int(run.frames.size()), 4);
        for (const auto& f : run.frames) {
            QCOMPARE(f.deviceProfile, std::string("test-device"));
            QCOMPARE(f.profileMs, 1.25 + 0.5 + f.decMs + f.esMs);
        }

        // Without a profile the agent says why, and the edge names its fallback: the Pi 4
        // table at split 1, V = 2 (t_iot of split 1, t_enc of Table I's V = 2 row).
        auto bare = agentOptions();
        bare.deviceProfileNote = "no profile on this test device";
        agent::AgentServer plain(bare);
        QVERIFY(plain.listen());
        edge::EdgeSession fallback;
        const auto second = runEdgeSession(fallback, plain.port(), settings, path, 2);
        QVERIFY2(second.error.isEmpty(), qPrintable(second.error));
        const auto none = fallback.deviceProfile();
        QVERIFY(!none.fromDevice);
        QCOMPARE(none.name, QString("pi4"));
        QVERIFY2(none.note.contains("no profile on this test device") && none.note.contains("Pi 4"),
                 qPrintable(none.note));
        const auto pi4 = latency::raspberryPi4Profile();
        const double pi4Device = pi4.split(1).iotMs + pi4.split(1).ratios.front().encMs; // V = 2 is the first row
        QCOMPARE(pi4.split(1).ratios.front().ratio, 2);
        for (const auto& f : second.frames) {
            QCOMPARE(f.deviceProfile, std::string("pi4"));
            QCOMPARE(f.profileMs, pi4Device + f.decMs + f.esMs);
        }
    }

    void sessionFramingMatchesOffline_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<QString>("range");
        QTest::addColumn<bool>("calibrated");
        QTest::addColumn<QString>("header");
        QTest::addColumn<bool>("timing");
        QTest::addColumn<bool>("priors");
        QTest::newRow("context 4 bits, ranges in each frame") << 4 << "minmax" << false << "full" << true << false;
        QTest::newRow("context 3 bits, calibrated mse ranges") << 3 << "mse" << true << "full" << true << false;
        QTest::newRow("compact header, device times") << 4 << "minmax" << false << "compact" << true << false;
        QTest::newRow("compact header, no device times") << 3 << "mse" << true << "compact" << false << false;
        QTest::newRow("context priors, calibrated ranges") << 3 << "mse" << true << "compact" << false << true;
        QTest::newRow("context priors, ranges in each frame") << 4 << "minmax" << false << "full" << true << true;
    }

    // Framing "session": the live predictions and every frame's codec bytes equal the offline
    // path (`aecnn eval --codec ... --framing session [--calibrate N]`), and each frame costs
    // the protocol only a few bytes besides the codec frame; with frame_header "compact" exactly
    // the bytes compact_frame.h specifies. With context priors (counted on the edge, sent in the
    // layout) the device's frames are byte for byte the offline ones: it coded with the same priors.
    void sessionFramingMatchesOffline()
    {
        QFETCH(int, bits);
        QFETCH(QString, range);
        QFETCH(bool, calibrated);
        QFETCH(QString, header);
        QFETCH(bool, timing);
        QFETCH(bool, priors);
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 17);
        const QString path = dir_.filePath("session.aecnn");
        saveAecnnClassifier(path, model);
        TransportSettings transport;
        transport.coder = "context";
        transport.bits = bits;
        transport.range = range.toStdString();
        transport.framing = "session";
        const auto layout = transmittedLayout(*model.net, 28, 28);
        if (calibrated)
            transport.fixedRanges = calibrateTransportRanges(*model.net, layout, transport, images_);
        if (priors)
            transport.contextPriors = calibrateContextPriors(*model.net, layout, transport, images_);
        const SplitTransport offline(layout, transport);
        QCOMPARE(offline.sessionLayout().rangesFixed(), calibrated);
        QCOMPARE(offline.sessionLayout().contextPriors.empty(), !priors);
        std::vector<int64_t> frameBytes;
        {
            torch::NoGradGuard noGrad;
            for (int64_t i = 0; i < images_.size(); ++i)
                frameBytes.push_back(
                    int64_t(offline.encode(model.net->encode(images_.normalizedBatch(torch::tensor({i})))).size()));
        }
        const auto expected = offlineSplitPredictions(model, transport, images_);

        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        session.setFixedRanges(transport.fixedRanges);
        session.setContextPriors(transport.contextPriors);
        QJsonObject settings{{"mode", "aecnn"}, {"codec", "context"}, {"bits", bits},
                             {"range", range},  {"framing", "session"}, {"window", 1}};
        if (header == "compact") {
            settings["frame_header"] = "compact";
            settings["frame_timing"] = timing;
        }
        const auto run = runEdgeSession(session, server.port(), settings, path, 16);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QVERIFY(run.ended);
        QCOMPARE(predictionsOf(run), expected);
        int64_t correct = 0, total = 0;
        for (size_t i = 0; i < run.frames.size(); ++i) {
            const auto& f = run.frames[i];
            QCOMPARE(f.payloadBytes, frameBytes[i]);
            QCOMPARE(f.securityBytes, int64_t(protocol::kRecordOverheadBytes));
            const int64_t framing = f.bytes - f.payloadBytes - f.securityBytes;
            QCOMPARE(f.deviceTimed, timing);
            if (header == "full") {
                // 16 bytes of protocol header, then the SessionFrame fields: sequence, label, t_iot, t_enc,
                // send time (varints, at most 1 + 1 + 3 + 3 + 10 here).
                QVERIFY2(framing >= int64_t(protocol::kHeaderBytes) + 5 &&
                             framing <= int64_t(protocol::kHeaderBytes) + 18,
                         qPrintable(QString::number(framing)));
            } else {
                checkCompactFraming(f, timing);
            }
            QCOMPARE(f.symbols.size(), size_t(4 * 14 * 14));
            correct += f.predicted == f.label;
            total += f.payloadBytes;
        }
        const auto evaluation = evaluateThroughTransport(*model.net, offline, images_);
        QCOMPARE(evaluation.correct, correct);
        QCOMPARE(int64_t(evaluation.totalFrameBytes), total);
    }

    // The device refuses to stream with a session layout that differs from its own.
    void mismatchedSessionLayoutIsRefusedByTheDevice()
    {
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 19);
        const QByteArray head = edge::serializeSplitHead(model);
        agent::ModelReceiver receiver(1 << 26);
        receiver.begin("head", quint64(head.size()), QCryptographicHash::hash(head, QCryptographicHash::Sha256));
        receiver.append(head);
        const auto deployed = receiver.finish();
        agent::StreamSettings settings;
        settings.mode = "aecnn";
        settings.transport.coder = "context";
        settings.transport.bits = 4;
        settings.transport.framing = "session";
        const auto errorOf = [&] {
            try {
                agent::makeMode(settings, deployed);
            } catch (const std::exception& e) {
                return QString(e.what());
            }
            return QString();
        };
        QVERIFY2(errorOf().contains("needs the edge's session layout"), qPrintable(errorOf()));
        const SplitTransport edgeSide(transmittedLayout(*model.net, 28, 28), settings.transport);
        settings.sessionLayout = base64Layout(edgeSide.sessionLayout()).toStdString();
        QVERIFY2(errorOf().isEmpty(), qPrintable(errorOf()));
        QVERIFY(agent::makeMode(settings, deployed)->sessionFramed());
        auto other = edgeSide.sessionLayout();
        other.bits = 5;
        settings.sessionLayout = base64Layout(other).toStdString();
        QVERIFY2(errorOf().contains("session layout") && errorOf().contains("differs from this device's"),
                 qPrintable(errorOf()));
    }

    // The edge refuses a session frame that does not decode against the layout it configured
    // (another layout's tag, a truncated frame) or a stream that was not session-framed: the
    // connection is closed with the reason.
    void sessionFrameOfAnotherLayoutClosesTheConnection_data()
    {
        QTest::addColumn<QString>("framing");
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("header"); // the edge's frame_header setting
        QTest::addColumn<QString>("closing");
        const QString unusable = "cannot use what the agent sent";
        QTest::newRow("another layout's tag") << "session" << "tag" << "made for another layout" << "full" << unusable;
        QTest::newRow("truncated") << "session" << "truncate" << "truncated" << "full" << unusable;
        QTest::newRow("not configured") << "frame" << "none" << "not configured with framing 'session'" << "full"
                                        << unusable;
        // Compact frames (type 23): on a stream that did not negotiate them, out of sequence, malformed.
        QTest::newRow("compact, not negotiated")
            << "session" << "compact" << "did not negotiate compact frame headers" << "full"
            << "the agent sent a malformed frame";
        QTest::newRow("compact, sequence gap")
            << "session" << "compact-gap" << "compact frame out of sequence: expected frame 0" << "compact" << unusable;
        QTest::newRow("compact, truncated field")
            << "session" << "compact-cut" << "label is incomplete" << "compact" << unusable;
        QTest::newRow("compact, another layout's tag")
            << "session" << "compact-tag" << "made for another layout" << "compact" << unusable;
    }

    void sessionFrameOfAnotherLayoutClosesTheConnection()
    {
        QFETCH(QString, framing);
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        QFETCH(QString, header);
        QFETCH(QString, closing);
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 23);
        const QString path = dir_.filePath("scripted.aecnn");
        saveAecnnClassifier(path, model);
        TransportSettings transport;
        transport.coder = "context";
        transport.bits = 4;
        transport.framing = "session";
        const SplitTransport device(transmittedLayout(*model.net, 28, 28), transport);
        torch::NoGradGuard noGrad;
        auto good = device.encode(model.net->encode(images_.normalizedBatch(torch::tensor({int64_t(0)}))));
        ScriptedAgent agent([&] {
            auto bytes = good;
            if (damage == "tag")
                bytes[0] ^= 1;
            else if (damage == "truncate")
                bytes.resize(3); // inside the per-frame ranges
            if (damage == "compact-tag")
                bytes[0] ^= 1;
            protocol::SessionFrame m{0, 1, 100, 10, 0, QByteArray(reinterpret_cast<const char*>(bytes.data()),
                                                                  qsizetype(bytes.size()))};
            if (damage.startsWith("compact")) {
                protocol::CompactFrameWriter writer(true);
                if (damage == "compact-gap")
                    m.sequence = 1; // frame 0 never sent
                protocol::Frame frame = writer.toFrame(m);
                if (damage == "compact-cut")
                    frame.payload.truncate(1); // the gap, then nothing
                return std::vector<protocol::Frame>{frame};
            }
            return std::vector<protocol::Frame>{protocol::toFrame(m)};
        });
        edge::EdgeSession session;
        QJsonObject settings{{"mode", "aecnn"}, {"codec", "context"}, {"bits", 4}, {"framing", framing}};
        if (header == "compact")
            settings["frame_header"] = "compact";
        const auto run = runEdgeSession(session, agent.port(), settings, path, 4, 10000);
        QVERIFY(run.frames.empty());
        QVERIFY2(run.error.contains(closing) && run.error.contains(expected), qPrintable(run.error));
    }

    void splitModelDictionaryTravelsWithTheHead()
    {
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 13);
        TransportSettings transport; // zstd-entropy, 8 bits
        const SplitTransport plain(transmittedLayout(*model.net, 28, 28), transport);
        model.codecDictionary = trainTransportDictionary(*model.net, plain, images_, 2048);
        QVERIFY(model.codecDictionary.id() != 0);
        const QString path = dir_.filePath("with-dictionary.aecnn");
        saveAecnnClassifier(path, model);
        const auto head = edge::parseSplitHead(edge::serializeSplitHead(model), "head");
        QCOMPARE(head.codecDictionary.bytes, model.codecDictionary.bytes);
        transport.dictionary = model.codecDictionary;
        const auto expected = offlineSplitPredictions(model, transport, images_);

        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        const auto run = runEdgeSession(session, server.port(), {{"mode", "aecnn"}, {"window", 1}}, path, 16);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QCOMPARE(predictionsOf(run), expected);
        // The device coded with the dictionary: frame 0 has exactly the size of a dictionary frame.
        torch::NoGradGuard noGrad;
        const auto first = model.net->encode(images_.normalizedBatch(torch::tensor({int64_t(0)})));
        const auto withDictionary = SplitTransport(transmittedLayout(*model.net, 28, 28), transport).encode(first);
        QVERIFY(withDictionary.size() != plain.encode(first).size());
        QCOMPARE(run.frames.front().payloadBytes, int64_t(withDictionary.size()));
    }

    void wholeModelModes_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("local") << "local";
        QTest::newRow("full") << "full";
    }

    void wholeModelModes()
    {
        QFETCH(QString, mode);
        auto model = tinyWholeModel(5);
        const QString path = dir_.filePath(mode + ".ckpt");
        saveClassifier(path, model);
        const int quality = 90; // the agent's default JPEG quality
        const auto expected = offlineWholePredictions(model, images_, mode == "full" ? quality : 0);

        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        const auto run = runEdgeSession(session, server.port(), {{"mode", mode}, {"jpeg_quality", quality}}, path, 16);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QCOMPARE(predictionsOf(run), expected);
        for (const auto& f : run.frames) {
            QCOMPARE(f.kind, std::string(mode == "full" ? "jpeg" : "result"));
            if (mode == "local")
                QCOMPARE(f.payloadBytes, int64_t(4));
        }
    }

    // Full offloading from the agent's profile (version 2): Eq. 4 = capture + resize + JPEG encode
    // at the stream's resolution and quality (the profile's) + this frame's JPEG decode and whole
    // model on the edge (unshaped: no transfer term); a quality it did not measure: no prediction.
    void fullOffloadingPredictsFromTheDeviceProfile()
    {
        auto model = tinyWholeModel(5);
        const QString path = dir_.filePath("full-profiled.ckpt");
        saveClassifier(path, model);
        latency::MeasuredDeviceProfile profile;
        profile.name = "jpeg-device";
        profile.arch = "test-arch";
        profile.threads = 1;
        profile.inputHeight = profile.inputWidth = 28;
        profile.inputChannels = 1;
        profile.captureMs = 0.25;
        profile.heads = {{1, 1, 8, 14, 14, 2.0}};
        profile.jpeg = {{"native", 28, 28, 90, 0.0, 0.5, 600.0}, {"64x64", 64, 64, 90, 0.125, 1.5, 1500.0}};
        auto options = agentOptions();
        options.deviceProfile = latency::toJson(profile);
        agent::AgentServer server(options);
        QVERIFY(server.listen());
        for (const QString& resolution : {QString("native"), QString("64x64")}) {
            edge::EdgeSession session;
            const auto run = runEdgeSession(
                session, server.port(), {{"mode", "full"}, {"jpeg_quality", 90}, {"resolution", resolution}}, path, 3);
            QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
            QCOMPARE(int(run.frames.size()), 3);
            const double device = resolution == "native" ? 0.25 + 0.0 + 0.5 : 0.25 + 0.125 + 1.5;
            for (const auto& f : run.frames) {
                QVERIFY(f.decMs > 0 && f.esMs > 0);
                QCOMPARE(f.profileMs, device + f.decMs + f.esMs);
            }
        }
        edge::EdgeSession other;
        const auto run = runEdgeSession(other, server.port(), {{"mode", "full"}, {"jpeg_quality", 75}}, path, 2);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        for (const auto& f : run.frames)
            QCOMPARE(f.profileMs, -1.0);
    }

    void headCheckpointHoldsOnlyTheDevicePart()
    {
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 3);
        const auto bytes = edge::serializeSplitHead(model);
        const auto checkpoint = parseCheckpoint(bytes, "head");
        for (const auto& [name, tensor] : checkpoint.tensors)
            QVERIFY2(name.rfind("head.", 0) == 0, name.c_str());
        auto head = edge::parseSplitHead(bytes, "head");
        torch::NoGradGuard noGrad;
        const auto x = images_.normalizedBatch(torch::arange(4));
        QVERIFY(torch::equal(head.encode(x), model.net->encode(x)));
        const auto layout = edge::transmittedLayout(head);
        const auto reference = transmittedLayout(*model.net, 28, 28);
        QCOMPARE(layout.channels, reference.channels);
        QCOMPARE(layout.height, reference.height);
        QCOMPARE(layout.kept, reference.kept);
        // A truncated or tampered head is refused with a clear error.
        QVERIFY_THROWS_EXCEPTION(Error, edge::parseSplitHead(bytes.left(bytes.size() - 40), "head"));
        QVERIFY_THROWS_EXCEPTION(Error, edge::parseSplitHead(QByteArray("not a checkpoint"), "head"));
    }

    void wrongModelForModeIsRefusedOnTheEdge()
    {
        auto model = tinyWholeModel(5);
        const QString path = dir_.filePath("whole.ckpt");
        saveClassifier(path, model);
        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        const auto run = runEdgeSession(session, server.port(), {{"mode", "aecnn"}}, path, 4, 10000);
        QVERIFY(run.error.contains("needs a split model"));
        QVERIFY(run.frames.empty());
    }

    void badCodecSettingIsRefusedByTheAgent()
    {
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 3);
        const QString path = dir_.filePath("bad-codec.aecnn");
        saveAecnnClassifier(path, model);
        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        const auto run = runEdgeSession(session, server.port(), {{"mode", "aecnn"}, {"codec", "lzma"}}, path, 4, 10000);
        QVERIFY2(run.error.startsWith("configure:") && run.error.contains("zstd-entropy"), qPrintable(run.error));
    }

    void missingCameraEndsTheStreamWithAClearReason()
    {
        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        const auto run = runEdgeSession(session, server.port(), {{"mode", "full"}, {"dataset", "camera:9"}}, {}, 4, 15000);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QVERIFY(run.ended);
        QVERIFY(run.frames.empty());
        QVERIFY2(run.endReason.contains("camera 9 cannot be opened") && run.endReason.contains("/dev/video9"),
                 qPrintable(run.endReason));
    }

private:
    QTemporaryDir dir_;
    ImageSet images_;
};

QTEST_GUILESS_MAIN(TestEdgeLoopback)
#include "test_edge_loopback.moc"
