#include <memory>
#include <functional>
#include <map>
#include <optional>

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtEndian>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "aecnn/model/classifier.h"
#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/error.h"
#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"
#include "aecnn/model/training.h"
#include "agent_server.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::protocol;

namespace {

const QByteArray kToken = "loopback-test-token-0123456789";
const char* kDataset = "synthetic:40"; // 8 test images, 28x28x1

// The edge side, written against the protocol functions only: handshake with the
// transcript, then sealed records (version 2) when authenticated with a token.
class EdgeClient {
public:
    bool wantEncryption = false; // the AuthProof's encrypt flag (or the agent's requirement)

    bool connectTo(quint16 port)
    {
        QSignalSpy connected(&socket, &QTcpSocket::connected);
        socket.connectToHost(QHostAddress::LocalHost, port);
        return connected.wait(aecnn::test::budgetMs(5000));
    }

    void sendRaw(const QByteArray& bytes) { socket.write(bytes); }

    template <typename T>
    void send(const T& message)
    {
        socket.write(encodeFrame(sealed(toFrame(message))));
    }
    Frame sealed(const Frame& frame) { return record ? record->seal(frame) : frame; }

    void sendHandshake(const Frame& frame)
    {
        transcript.add(frame);
        socket.write(encodeFrame(frame));
    }

    // The next frame, opened when the session is sealed; empty on timeout / close.
    std::optional<Frame> next(int wantedMs = 20000)
    {
        auto frame = nextRaw(wantedMs);
        if (frame && record)
            return record->open(*frame);
        return frame;
    }

    template <typename T>
    T expectHandshake()
    {
        const auto frame = nextRaw();
        if (!frame)
            throw Error("expected " + toString(T::kType) + ", the connection ended");
        if (frame->type == MessageType::Error)
            throw Error("expected " + toString(T::kType) + ", got Error: " +
                        decodeMessage<ErrorMessage>(*frame).message.toStdString());
        transcript.add(*frame);
        return decodeMessage<T>(*frame);
    }

    // The next frame as it arrives; empty on timeout / close.
    std::optional<Frame> nextRaw(int wantedMs = 20000)
    {
        const int timeoutMs = aecnn::test::budgetMs(wantedMs);
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            const auto r = reader.next();
            if (r.status == DecodeResult::Status::Complete)
                return r.frame;
            if (r.status == DecodeResult::Status::Failed)
                return std::nullopt;
            if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
                return std::nullopt;
            QSignalSpy ready(&socket, &QTcpSocket::readyRead);
            if (socket.bytesAvailable() == 0 && !ready.wait(std::max<int>(1, timeoutMs - int(timer.elapsed()))))
                return std::nullopt;
            reader.append(socket.readAll());
        }
    }

    template <typename T>
    T expect()
    {
        const auto frame = next();
        if (!frame)
            throw Error("expected " + toString(T::kType) + ", the connection ended");
        if (frame->type == MessageType::Error)
            throw Error("expected " + toString(T::kType) + ", got Error: " +
                        decodeMessage<ErrorMessage>(*frame).message.toStdString());
        return decodeMessage<T>(*frame);
    }

    // Hello, Challenge, proof; returns the agent's verdict.
    AuthResult handshake(const QByteArray& token, QByteArray* serverNonce = nullptr, QByteArray* clientNonce = nullptr,
                         QByteArray* mac = nullptr)
    {
        record.reset();
        transcript.clear();
        sendHandshake(toFrame(Hello{kMinSessionVersion, kMaxVersion, "test-edge"}, kMinVersion));
        const uint16_t version = expectHandshake<HelloAck>().version;
        const auto challenge = expectHandshake<Challenge>();
        AuthProof proof;
        proof.clientNonce = clientNonce && !clientNonce->isEmpty() ? *clientNonce : makeNonce();
        proof.mac = mac && !mac->isEmpty() ? *mac : clientProof(token, challenge.serverNonce, proof.clientNonce);
        proof.encrypt = wantEncryption || challenge.encryptionRequired;
        sendHandshake(toFrame(proof));
        if (serverNonce)
            *serverNonce = challenge.serverNonce;
        if (clientNonce)
            *clientNonce = proof.clientNonce;
        if (mac)
            *mac = proof.mac;
        const auto result = expect<AuthResult>();
        if (result.ok && !token.isEmpty())
            record = std::make_unique<RecordLayer>(
                Role::Edge, deriveSessionKeys(token, challenge.serverNonce, proof.clientNonce, transcript.hash(),
                                              proof.encrypt));
        // Version 3: the agent's device profile (or why it has none) comes first.
        if (result.ok && version >= kDeviceProfileVersion)
            deviceProfile = expect<DeviceProfileMessage>();
        return result;
    }

    bool waitClosed(int timeoutMs = 5000)
    {
        if (socket.state() == QAbstractSocket::UnconnectedState)
            return true;
        QSignalSpy closed(&socket, &QTcpSocket::disconnected);
        return closed.wait(aecnn::test::budgetMs(timeoutMs)) || socket.state() == QAbstractSocket::UnconnectedState;
    }

    QTcpSocket socket;
    FrameReader reader;
    HandshakeTranscript transcript;
    std::unique_ptr<RecordLayer> record;
    std::optional<DeviceProfileMessage> deviceProfile;
};

// As an on-path attacker forges a message after authentication: in the clear behind
// the next sequence number, with a made-up tag and a valid CRC.
QByteArray forged(const Frame& plain, uint64_t sequence)
{
    QByteArray payload(kRecordSequenceBytes, '\0');
    qToBigEndian<quint64>(sequence, payload.data());
    payload += plain.payload + QByteArray(kRecordTagBytes, '\x5a');
    return encodeFrame(Frame{kMaxVersion, plain.type, payload});
}

// A sealed frame changed in flight, its CRC recomputed.
QByteArray altered(Frame frame, const std::function<void(Frame&)>& edit)
{
    edit(frame);
    return encodeFrame(frame);
}

class FakeClock : public Clock {
public:
    int64_t nowNs() const override { return now; }
    int64_t now = 1'000'000'000;
};

agent::AgentOptions testOptions(QByteArray token = kToken)
{
    agent::AgentOptions options;
    options.port = 0;
    options.token = std::move(token);
    options.dataset = kDataset;
    options.maxModelBytes = 64 << 20;
    return options;
}

Classifier tinyClassifier()
{
    torch::manual_seed(7);
    Classifier c;
    c.net = ResNet(ResNetConfig::resnet50(4, 1, 1.0 / 16, StemKind::Small));
    c.usage = {{"circle", "square", "triangle", "cross"}, {{0.15f}, {0.25f}}, 28, 28, {}};
    return c;
}

ImageSet testSplit()
{
    return datasets::loadDataset(kDataset, datasets::DatasetRequest{}).test;
}

void deploy(EdgeClient& edge, const QByteArray& bytes, QByteArray sha = {}, int chunk = 100000)
{
    if (sha.isEmpty())
        sha = QCryptographicHash::hash(bytes, QCryptographicHash::Sha256);
    edge.send(DeployBegin{"tiny", quint64(bytes.size()), sha});
    for (qsizetype at = 0; at < bytes.size(); at += chunk)
        edge.send(DeployChunk{bytes.mid(at, chunk)});
    edge.send(DeployEnd{});
}

} // namespace

class TestAgentLoopback : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void fullOffloadingStreamsJpeg()
    {
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        EdgeClient edge;
        QVERIFY(edge.connectTo(server.port()));
        QByteArray serverNonce, clientNonce;
        const auto auth = edge.handshake(kToken, &serverNonce, &clientNonce);
        QVERIFY(auth.ok);
        // Mutual: the agent proves it knows the token too.
        QCOMPARE(auth.serverMac, serverProof(kToken, serverNonce, clientNonce));

        edge.send(Configure{{{"mode", "full"}, {"jpeg_quality", 95}}});
        const auto ack = edge.expect<ConfigureAck>();
        QVERIFY2(ack.ok, qPrintable(ack.message));
        QCOMPARE(ack.effective["mode"].toString(), QString("full"));

        const auto reference = testSplit();
        const int n = 10; // more than the 8 test images: the source cycles
        edge.send(Start{n});
        for (int i = 0; i < n; ++i) {
            const auto frame = edge.expect<FrameData>();
            QCOMPARE(frame.sequence, quint64(i));
            QCOMPARE(frame.kind, QString("jpeg"));
            QCOMPARE(frame.label, int(reference.labels[i % reference.size()].item<int64_t>()));
            QCOMPARE(frame.predicted, -1);
            const std::vector<uchar> bytes(frame.payload.begin(), frame.payload.end());
            const cv::Mat image = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
            QCOMPARE(image.cols, 28);
            QCOMPARE(image.rows, 28);
            // JPEG is lossy; at quality 95 the mean error stays small.
            cv::Mat original(28, 28, CV_8UC1, reference.images[i % reference.size()][0].contiguous().data_ptr<uint8_t>());
            QVERIFY(cv::norm(image, original, cv::NORM_L1) / (28 * 28) < 6.0);
        }
        const auto end = edge.expect<StreamEnd>();
        QCOMPARE(end.frames, quint64(n));
        QCOMPARE(end.reason, QString("done"));

        // Ping/pong keeps working after a stream.
        edge.send(Ping{123});
        QCOMPARE(edge.expect<Pong>().edgeTimeUs, qint64(123));
    }

    void fullOffloadingAtChosenResolution()
    {
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        EdgeClient edge;
        QVERIFY(edge.connectTo(server.port()));
        QVERIFY(edge.handshake(kToken).ok);
        edge.send(Configure{{{"mode", "full"}, {"resolution", "64x48"}, {"rate_mbps", 50.0}}});
        QVERIFY(edge.expect<ConfigureAck>().ok);
        edge.send(Start{2});
        for (int i = 0; i < 2; ++i) {
            const auto frame = edge.expect<FrameData>();
            const std::vector<uchar> bytes(frame.payload.begin(), frame.payload.end());
            const cv::Mat image = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
            QCOMPARE(image.cols, 64);
            QCOMPARE(image.rows, 48);
        }
        QCOMPARE(edge.expect<StreamEnd>().frames, quint64(2));
    }

    void localComputingMatchesOfflineEvaluation()
    {
        QTemporaryDir dir;
        auto model = tinyClassifier();
        const QString path = dir.filePath("tiny.aecnn");
        saveClassifier(path, model);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();

        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        EdgeClient edge;
        QVERIFY(edge.connectTo(server.port()));
        QVERIFY(edge.handshake(kToken).ok);
        deploy(edge, bytes);
        const auto deployed = edge.expect<DeployResult>();
        QVERIFY2(deployed.ok, qPrintable(deployed.message));
        edge.send(Configure{{{"mode", "local"}}});
        QVERIFY(edge.expect<ConfigureAck>().ok);

        const auto reference = testSplit();
        edge.send(Start{quint32(reference.size())});
        auto& net = *model.net;
        net.eval();
        torch::NoGradGuard noGrad;
        int64_t correct = 0;
        for (int64_t i = 0; i < reference.size(); ++i) {
            const auto frame = edge.expect<FrameData>();
            QCOMPARE(frame.kind, QString("result"));
            const auto logits = net.forward(reference.normalizedBatch(torch::tensor({i})));
            QCOMPARE(frame.predicted, int(logits.argmax(1).item<int64_t>()));
            QCOMPARE(qFromBigEndian<qint32>(frame.payload.constData()), frame.predicted);
            QVERIFY(frame.iotMs > 0);
            correct += frame.predicted == frame.label;
        }
        QCOMPARE(edge.expect<StreamEnd>().frames, quint64(reference.size()));
        const auto offline = evaluateClassifier(net, [&](const torch::Tensor& x) { return net.forward(x); }, reference, 256);
        QCOMPARE(correct, offline.correct);
    }

    void deploymentIsVerified()
    {
        auto options = testOptions();
        options.maxModelBytes = 1000;
        agent::AgentServer server(options);
        QVERIFY(server.listen());
        EdgeClient edge;
        QVERIFY(edge.connectTo(server.port()));
        QVERIFY(edge.handshake(kToken).ok);

        const QByteArray junk(500, 'j');
        deploy(edge, junk, QByteArray(32, '\0')); // wrong checksum
        auto result = edge.expect<DeployResult>();
        QVERIFY(!result.ok);
        QVERIFY(result.message.contains("SHA-256"));

        deploy(edge, junk); // right checksum, but not a model
        result = edge.expect<DeployResult>();
        QVERIFY(!result.ok);

        deploy(edge, QByteArray(2000, 'x')); // over the cap: refused at DeployBegin
        result = edge.expect<DeployResult>();
        QVERIFY(!result.ok);
        QVERIFY(result.message.contains("cap"));

        // No model: local computing cannot start, but the connection lives on.
        edge.send(Configure{{{"mode", "local"}}});
        QVERIFY(edge.expect<ConfigureAck>().ok);
        edge.send(Start{1});
        const auto end = edge.expect<StreamEnd>();
        QVERIFY(end.reason.contains("deploy"));
        edge.send(Ping{1});
        QCOMPARE(edge.expect<Pong>().edgeTimeUs, qint64(1));
    }

    void badSettingsAreReported()
    {
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        EdgeClient edge;
        QVERIFY(edge.connectTo(server.port()));
        QVERIFY(edge.handshake(kToken).ok);
        edge.send(Configure{{{"mode", "teleport"}}});
        auto ack = edge.expect<ConfigureAck>();
        QVERIFY(!ack.ok);
        QVERIFY(ack.message.contains("available: aecnn, bottlenetpp, full, local"));
        edge.send(Configure{{{"colour", "red"}}});
        ack = edge.expect<ConfigureAck>();
        QVERIFY(!ack.ok);
        QVERIFY(ack.message.contains("unknown setting 'colour'"));
        edge.send(Configure{{{"rate_mbps", -3}}});
        QVERIFY(!edge.expect<ConfigureAck>().ok);
    }

    void wrongTokenIsRefused()
    {
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        EdgeClient edge;
        QVERIFY(edge.connectTo(server.port()));
        const auto auth = edge.handshake("not-the-token-not-the-token");
        QVERIFY(!auth.ok);
        QVERIFY(auth.message.contains("refused"));
        QVERIFY(edge.waitClosed());
    }

    void replayedProofIsRefused()
    {
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        QByteArray clientNonce, mac;
        {
            EdgeClient first;
            QVERIFY(first.connectTo(server.port()));
            QVERIFY(first.handshake(kToken, nullptr, &clientNonce, &mac).ok);
        }
        // An eavesdropper replays the recorded nonce and MAC on a new connection.
        EdgeClient attacker;
        QVERIFY(attacker.connectTo(server.port()));
        const auto auth = attacker.handshake({}, nullptr, &clientNonce, &mac);
        QVERIFY(!auth.ok);
        QVERIFY(attacker.waitClosed());
    }

    // An on-path attacker between an authenticated edge and the agent, mid-stream: one
    // frame in flight (window 1, not acknowledged), so any effect of the attack would
    // show as a reply (ConfigureAck, DeployResult, StreamEnd, Pong, Heartbeat, the next
    // FrameData). Each attack closes the connection with the reason and nothing comes.
    void attacksAfterAuthenticationHaveNoEffect_data()
    {
        QTest::addColumn<bool>("encrypted");
        QTest::addColumn<QString>("attack");
        QTest::addColumn<QString>("reason");
        const QStringList forgeries = {"Configure", "DeployBegin", "DeployChunk", "DeployEnd", "Start",
                                       "Stop",      "Ping",        "FrameAck",    "Heartbeat", "Error"};
        for (bool encrypted : {false, true}) {
            const QString mode = encrypted ? "aead" : "mac";
            for (const auto& type : forgeries)
                QTest::newRow(qPrintable(mode + ", forged " + type))
                    << encrypted << "forged " + type << "failed its authentication tag";
            QTest::newRow(qPrintable(mode + ", unsealed Stop")) << encrypted << "unsealed Stop"
                                                                << "shorter than a sequence number and tag";
            QTest::newRow(qPrintable(mode + ", replayed Configure")) << encrypted << "replayed Configure"
                                                                     << "was replayed";
            QTest::newRow(qPrintable(mode + ", reordered")) << encrypted << "reordered" << "out of order";
            QTest::newRow(qPrintable(mode + ", dropped")) << encrypted << "dropped" << "a record was dropped";
            QTest::newRow(qPrintable(mode + ", bit flipped")) << encrypted << "bit flipped"
                                                              << "failed its authentication tag";
            QTest::newRow(qPrintable(mode + ", truncated")) << encrypted << "truncated"
                                                            << "failed its authentication tag";
            QTest::newRow(qPrintable(mode + ", Ping relabelled Stop")) << encrypted << "relabelled"
                                                                       << "failed its authentication tag";
        }
    }

    void attacksAfterAuthenticationHaveNoEffect()
    {
        QFETCH(bool, encrypted);
        QFETCH(QString, attack);
        QFETCH(QString, reason);
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        QSignalSpy failed(&server, &agent::AgentServer::connectionFailed);
        EdgeClient edge;
        edge.wantEncryption = encrypted;
        QVERIFY(edge.connectTo(server.port()));
        QVERIFY(edge.handshake(kToken).ok);
        QCOMPARE(edge.record->encrypted(), encrypted);
        const QByteArray configure =
            encodeFrame(edge.sealed(toFrame(Configure{{{"mode", "full"}, {"window", 1}}})));
        edge.sendRaw(configure);
        QVERIFY(edge.expect<ConfigureAck>().ok);
        edge.send(Start{0});
        QCOMPARE(edge.expect<FrameData>().sequence, quint64(0));

        const uint64_t next = edge.record->sealedCount();
        const std::map<QString, Frame> messages = {
            {"Configure", toFrame(Configure{{{"mode", "local"}}})},
            {"DeployBegin", toFrame(DeployBegin{"evil", 10, QByteArray(32, 'e')})},
            {"DeployChunk", toFrame(DeployChunk{QByteArray(10, 'e')})},
            {"DeployEnd", toFrame(DeployEnd{})},
            {"Start", toFrame(Start{3})},
            {"Stop", toFrame(Stop{})},
            {"Ping", toFrame(Ping{99})},
            {"FrameAck", toFrame(FrameAck{0})},
            {"Heartbeat", toFrame(Heartbeat{})},
            {"Error", toFrame(ErrorMessage{"forged"})},
        };
        if (attack.startsWith("forged ")) {
            edge.sendRaw(forged(messages.at(attack.mid(7)), next));
        } else if (attack == "unsealed Stop") {
            edge.sendRaw(encodeMessage(Stop{}));
        } else if (attack == "replayed Configure") {
            edge.sendRaw(configure);
        } else if (attack == "reordered" || attack == "dropped") {
            const Frame first = edge.sealed(toFrame(Ping{1}));
            const Frame second = edge.sealed(toFrame(Ping{2}));
            edge.sendRaw(encodeFrame(second));
            if (attack == "reordered")
                edge.sendRaw(encodeFrame(first));
        } else if (attack == "bit flipped") {
            edge.sendRaw(altered(edge.sealed(toFrame(Ping{3})), [](Frame& f) { f.payload[9] ^= 0x04; }));
        } else if (attack == "truncated") {
            edge.sendRaw(altered(edge.sealed(toFrame(Configure{{{"mode", "local"}}})), [](Frame& f) { f.payload.chop(3); }));
        } else if (attack == "relabelled") {
            edge.sendRaw(altered(edge.sealed(toFrame(Ping{4})), [](Frame& f) { f.type = MessageType::Stop; }));
        }

        QVERIFY(failed.count() > 0 || failed.wait(aecnn::test::budgetMs(5000)));
        const QString why = failed.last().at(1).toString();
        QVERIFY2(why.contains("session security") && why.contains(reason), qPrintable(why));
        // The agent closes at once; whatever it sent before closing is still readable here.
        QVERIFY(edge.waitClosed());
        QStringList replies;
        while (const auto frame = edge.nextRaw(2000))
            replies << QString::fromStdString(toString(frame->type));
        QVERIFY2(replies.isEmpty(), qPrintable("the agent acted on the attack: " + replies.join(", ")));
    }

    void encryptedRecordsHideTheMessages()
    {
        auto options = testOptions();
        options.encryption = EncryptionPolicy::On;
        agent::AgentServer server(options);
        QVERIFY(server.listen());
        EdgeClient edge; // does not ask, but the agent requires it
        QVERIFY(edge.connectTo(server.port()));
        QVERIFY(edge.handshake(kToken).ok);
        QVERIFY(edge.record->encrypted());
        edge.send(Configure{{{"mode", "full"}}});
        const auto raw = edge.nextRaw();
        QVERIFY(raw && raw->type == MessageType::ConfigureAck);
        QVERIFY(!raw->payload.contains("configured")); // in the clear it would be
        QVERIFY(decodeMessage<ConfigureAck>(edge.record->open(*raw)).ok);

        // An edge that will not encrypt is refused by this agent.
        EdgeClient plain;
        QVERIFY(plain.connectTo(server.port()));
        plain.sendHandshake(toFrame(Hello{kMinSessionVersion, kMaxVersion, "plain"}, kMinVersion));
        plain.expectHandshake<HelloAck>();
        const auto challenge = plain.expectHandshake<Challenge>();
        QVERIFY(challenge.encryptionRequired);
        const QByteArray nonce = makeNonce();
        plain.sendHandshake(toFrame(AuthProof{nonce, clientProof(kToken, challenge.serverNonce, nonce), false}));
        const auto result = plain.expect<AuthResult>();
        QVERIFY(!result.ok);
        QVERIFY2(result.message.contains("requires encrypted sessions"), qPrintable(result.message));
    }

    // A version-1 edge (no session security) is told which versions meet and what to upgrade.
    void olderEdgeIsToldToUpgrade()
    {
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        EdgeClient old;
        QVERIFY(old.connectTo(server.port()));
        old.sendRaw(encodeFrame(toFrame(Hello{1, 1, "old-edge"}, 1)));
        const auto frame = old.nextRaw();
        QVERIFY(frame);
        QCOMPARE(frame->version, quint16(1)); // readable by the old edge
        QVERIFY(frame->type == MessageType::Error);
        const QString message = decodeMessage<ErrorMessage>(*frame).message;
        QVERIFY2(message.contains("the edge speaks version 1") && message.contains("this agent versions 2..3") &&
                     message.contains("upgrade the edge"),
                 qPrintable(message));
        QVERIFY(old.waitClosed());
    }

    void failedAuthenticationIsRateLimitedPerAddress()
    {
        FakeClock clock;
        agent::AgentServer server(testOptions(), clock);
        QVERIFY(server.listen());
        for (int i = 0; i < 3; ++i) {
            EdgeClient guesser;
            QVERIFY(guesser.connectTo(server.port()));
            QVERIFY(!guesser.handshake("wrong-token-wrong-token-" + QByteArray::number(i)).ok);
        }
        // The fourth try from this address is refused before any challenge, right token or not.
        EdgeClient refused;
        QVERIFY(refused.connectTo(server.port()));
        try {
            refused.handshake(kToken);
            QFAIL("the throttled address got a challenge");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("too many failed authentications from 127.0.0.1") &&
                         QString(e.what()).contains("try again in 1 s"),
                     e.what());
        }
        QVERIFY(refused.waitClosed());
        clock.now += 1'000'000'000; // the backoff has passed
        EdgeClient later;
        QVERIFY(later.connectTo(server.port()));
        QVERIFY(later.handshake(kToken).ok);
        later.send(Ping{5});
        QCOMPARE(later.expect<Pong>().edgeTimeUs, qint64(5));
    }

    void malformedInputClosesOnlyThatConnection_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("authenticateFirst");
        QByteArray badCrc = encodeMessage(Ping{5});
        badCrc[int(kHeaderBytes)] = char(badCrc[int(kHeaderBytes)] ^ 0x40);
        QByteArray unknownType = encodeMessage(Heartbeat{});
        unknownType[7] = char(200);
        QByteArray oversize = encodeMessage(Heartbeat{});
        oversize[8] = char(0x7f);
        QTest::newRow("garbage") << QByteArray("GET / HTTP/1.0\r\n\r\n") << false;
        QTest::newRow("bad crc") << badCrc << true;
        QTest::newRow("unknown type") << unknownType << true;
        QTest::newRow("oversize length") << oversize << true;
        QTest::newRow("undecodable hello") << encodeFrame(Frame{1, MessageType::Hello, "xx"}) << false;
        QTest::newRow("start before auth") << encodeMessage(Start{1}) << false;
        QTest::newRow("agent-only message") << encodeMessage(FrameData{}) << true;
        QTest::newRow("no common version") << encodeMessage(Hello{7, 9, "future"}) << false;
    }

    void malformedInputClosesOnlyThatConnection()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, authenticateFirst);
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        EdgeClient good;
        QVERIFY(good.connectTo(server.port()));
        QVERIFY(good.handshake(kToken).ok);

        EdgeClient bad;
        QVERIFY(bad.connectTo(server.port()));
        if (authenticateFirst)
            QVERIFY(bad.handshake(kToken).ok);
        QSignalSpy closedOnServer(&server, &agent::AgentServer::connectionClosed);
        bad.sendRaw(bytes);
        QVERIFY(bad.waitClosed());
        QVERIFY(closedOnServer.count() > 0 || closedOnServer.wait(aecnn::test::budgetMs(5000)));

        // The other connection is unaffected.
        good.send(Ping{77});
        QCOMPARE(good.expect<Pong>().edgeTimeUs, qint64(77));
        QCOMPARE(server.connectionCount(), 1);
    }

    void truncatedFrameThenCloseIsHandled()
    {
        agent::AgentServer server(testOptions());
        QVERIFY(server.listen());
        QSignalSpy closed(&server, &agent::AgentServer::connectionClosed);
        {
            EdgeClient edge;
            QVERIFY(edge.connectTo(server.port()));
            edge.sendRaw(encodeMessage(Hello{}).left(10));
            QVERIFY(edge.socket.waitForBytesWritten(2000));
            edge.socket.disconnectFromHost();
        }
        QVERIFY(closed.wait(aecnn::test::budgetMs(5000)));
        QCOMPARE(server.connectionCount(), 0);
    }

    void tokenlessOnlyOnLoopback()
    {
        auto options = testOptions({});
        agent::AgentServer server(options);
        QVERIFY(server.listen());
        EdgeClient edge;
        QVERIFY(edge.connectTo(server.port()));
        edge.send(Hello{});
        edge.expect<HelloAck>();
        QVERIFY(!edge.expect<Challenge>().tokenRequired);
        edge.send(AuthProof{makeNonce(), {}});
        QVERIFY(edge.expect<AuthResult>().ok);

        options.address = QHostAddress::AnyIPv4;
        QVERIFY_THROWS_EXCEPTION(Error, agent::AgentServer{options});
    }
};

QTEST_GUILESS_MAIN(TestAgentLoopback)
#include "test_agent_loopback.moc"
