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
#include "aecnn/model/training.h"
#include "agent_server.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::protocol;

namespace {

const QByteArray kToken = "loopback-test-token-0123456789";
const char* kDataset = "synthetic:40"; // 8 test images, 28x28x1

// The edge side, written against the protocol functions only.
class EdgeClient {
public:
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
        socket.write(encodeMessage(message));
    }

    // The next frame, or empty on timeout / close.
    std::optional<Frame> next(int wantedMs = 20000)
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
        send(Hello{kMinVersion, kMaxVersion, "test-edge"});
        expect<HelloAck>();
        const auto challenge = expect<Challenge>();
        AuthProof proof;
        proof.clientNonce = clientNonce && !clientNonce->isEmpty() ? *clientNonce : makeNonce();
        proof.mac = mac && !mac->isEmpty() ? *mac : clientProof(token, challenge.serverNonce, proof.clientNonce);
        send(proof);
        if (serverNonce)
            *serverNonce = challenge.serverNonce;
        if (clientNonce)
            *clientNonce = proof.clientNonce;
        if (mac)
            *mac = proof.mac;
        return expect<AuthResult>();
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
        const auto offline = evaluateClassifier(net, [&](const torch::Tensor& x) { return net.forward(x); }, reference);
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
