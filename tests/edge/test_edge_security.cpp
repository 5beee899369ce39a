#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/edge/frame_csv.h"
#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "agent_server.h"
#include "edge_agent_options.h"
#include "attack_proxy.h"
#include "edge_fixture.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::testing;
using namespace aecnn::protocol;
using Attack = AttackProxy::Attack;
using Kind = AttackProxy::Kind;
using Direction = AttackProxy::Direction;

Q_DECLARE_METATYPE(aecnn::testing::AttackProxy::Attack)

namespace {

Attack inject(Direction d, MessageType trigger, int count, Frame message)
{
    return {Kind::Inject, d, trigger, count, std::move(message)};
}

Attack tamper(Kind kind, Direction d, MessageType trigger, int count)
{
    return {kind, d, trigger, count, {}};
}

// A fake agent that speaks the handshake as told and records what the edge sends.
class ScriptedAgent {
public:
    // version1: answers like a protocol-1 agent; else proves with a wrong MAC.
    explicit ScriptedAgent(bool version1) : version1_(version1)
    {
        server_.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&server_, &QTcpServer::newConnection, &context_, [this] {
            socket_ = server_.nextPendingConnection();
            QObject::connect(socket_, &QTcpSocket::readyRead, &context_, [this] { onRead(); });
        });
    }
    quint16 port() const { return server_.serverPort(); }
    QList<MessageType> afterProof; // what the edge sent after its AuthProof
    bool closedByEdge() const { return socket_ && socket_->state() == QAbstractSocket::UnconnectedState; }

private:
    void onRead()
    {
        reader_.append(socket_->readAll());
        for (auto r = reader_.next(); r.status == DecodeResult::Status::Complete; r = reader_.next()) {
            if (proved_) {
                afterProof << r.frame.type;
                continue;
            }
            if (r.frame.type == MessageType::Hello) {
                const auto hello = decodeMessage<Hello>(r.frame);
                if (version1_) { // what a version-1 agent says, in a version-1 frame
                    socket_->write(encodeMessage(
                        ErrorMessage{QString("no common protocol version: the edge speaks %1..%2, this agent 1..1")
                                         .arg(hello.minVersion)
                                         .arg(hello.maxVersion)},
                        1));
                    socket_->disconnectFromHost();
                    return;
                }
                socket_->write(encodeMessage(HelloAck{kMaxVersion}));
                nonce_ = makeNonce();
                socket_->write(encodeMessage(Challenge{nonce_, true, false}));
            } else if (r.frame.type == MessageType::AuthProof) {
                proved_ = true;
                // "ok", but the agent does not know the token: its MAC is wrong.
                socket_->write(encodeMessage(AuthResult{true, QByteArray(32, 'x'), "welcome"}));
            }
        }
    }

    bool version1_;
    QObject context_;
    QTcpServer server_;
    QTcpSocket* socket_ = nullptr;
    FrameReader reader_;
    QByteArray nonce_;
    bool proved_ = false;
};

} // namespace

// The whole edge <-> agent path with an on-path attacker between them (attack_proxy.h):
// every attack after authentication closes that connection with the reason, takes no
// effect, and the edge's reconnect resumes the stream at the right image.
class TestEdgeSecurity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(dir_.isValid());
        model_ = tinySplitModel(SplitVariant::Aecnn, 2, 31);
        modelPath_ = dir_.filePath("split.aecnn");
        saveAecnnClassifier(modelPath_, model_);
        images_ = edgeTestImages();
        expected_ = offlineSplitPredictions(model_, TransportSettings{}, images_);
    }

    void attackedLinkIsClosedAndTheStreamResumes_data()
    {
        QTest::addColumn<Attack>("attack");
        QTest::addColumn<QString>("reason");
        const auto toAgent = Direction::ToAgent, toEdge = Direction::ToEdge;
        const QString tag = "failed its authentication tag";
        // Forged frames of every type the edge sends, right after the edge's Start.
        const std::vector<std::pair<const char*, Frame>> edgeMessages = {
            {"Configure", toFrame(Configure{{{"mode", "local"}}})},
            {"DeployBegin", toFrame(DeployBegin{"evil", 4, QByteArray(32, 'e')})},
            {"DeployChunk", toFrame(DeployChunk{"evil"})},
            {"DeployEnd", toFrame(DeployEnd{})},
            {"Start", toFrame(Start{2})},
            {"Stop", toFrame(Stop{})},
            {"Ping", toFrame(Ping{1})},
            {"FrameAck", toFrame(FrameAck{0})},
            {"Heartbeat", toFrame(Heartbeat{})},
            {"Error", toFrame(ErrorMessage{"forged"})},
        };
        for (const auto& [name, message] : edgeMessages)
            QTest::newRow(qPrintable(QString("to agent: forged %1").arg(name)))
                << inject(toAgent, MessageType::Start, 1, message) << tag;
        // Forged frames of every type the agent sends, after the third frame.
        FrameData fake;
        fake.sequence = 3;
        fake.kind = "features";
        fake.payload = "garbage";
        const std::vector<std::pair<const char*, Frame>> agentMessages = {
            {"ConfigureAck", toFrame(ConfigureAck{true, "configured", {{"mode", "local"}}})},
            {"DeployResult", toFrame(DeployResult{false, "forged"})},
            {"FrameData", toFrame(fake)},
            {"StreamEnd", toFrame(StreamEnd{3, "forged end"})},
            {"Pong", toFrame(Pong{1, 1})},
            {"Heartbeat", toFrame(Heartbeat{})},
            {"Error", toFrame(ErrorMessage{"forged"})},
        };
        for (const auto& [name, message] : agentMessages)
            QTest::newRow(qPrintable(QString("to edge: forged %1").arg(name)))
                << inject(toEdge, MessageType::FrameData, 3, message) << tag;

        QTest::newRow("to agent: Start replayed") << tamper(Kind::Replay, toAgent, MessageType::Start, 1)
                                                  << "was replayed";
        QTest::newRow("to agent: Pings reordered") << tamper(Kind::Reorder, toAgent, MessageType::Ping, 1)
                                                   << "out of order";
        QTest::newRow("to agent: Ping dropped") << tamper(Kind::Drop, toAgent, MessageType::Ping, 2)
                                                << "a record was dropped";
        QTest::newRow("to agent: bit flipped in Start") << tamper(Kind::FlipBit, toAgent, MessageType::Start, 1)
                                                        << tag;
        QTest::newRow("to agent: Configure truncated") << tamper(Kind::Truncate, toAgent, MessageType::Configure, 1)
                                                       << tag;
        QTest::newRow("to edge: FrameData replayed") << tamper(Kind::Replay, toEdge, MessageType::FrameData, 3)
                                                     << "was replayed";
        QTest::newRow("to edge: FrameData reordered") << tamper(Kind::Reorder, toEdge, MessageType::FrameData, 3)
                                                      << "out of order";
        QTest::newRow("to edge: FrameData dropped") << tamper(Kind::Drop, toEdge, MessageType::FrameData, 3)
                                                    << "a record was dropped";
        QTest::newRow("to edge: bit flipped in FrameData") << tamper(Kind::FlipBit, toEdge, MessageType::FrameData, 3)
                                                           << tag;
        QTest::newRow("to edge: FrameData truncated") << tamper(Kind::Truncate, toEdge, MessageType::FrameData, 3)
                                                      << tag;
    }

    void attackedLinkIsClosedAndTheStreamResumes()
    {
        QFETCH(Attack, attack);
        QFETCH(QString, reason);
        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        QSignalSpy agentClosed(&server, &agent::AgentServer::connectionFailed);
        AttackProxy proxy(server.port(), attack);
        edge::EdgeOptions options;
        options.reconnectInitialMs = 50;
        edge::EdgeSession session(options);
        constexpr uint32_t kFrames = 10;
        const auto run = runEdgeSession(session, proxy.port(), {{"mode", "aecnn"}, {"window", 1}}, modelPath_,
                                        kFrames, 30000);
        QVERIFY(proxy.attacked());
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QCOMPARE(run.endReason, QString("done"));
        QCOMPARE(session.reconnects(), 1); // the attacked connection was closed, the next one finished
        QCOMPARE(proxy.connections(), 2);
        QCOMPARE(run.frames.size(), size_t(kFrames)); // not stopped, not ended early, nothing extra
        for (size_t i = 0; i < run.frames.size(); ++i) {
            const auto& f = run.frames[i];
            QCOMPARE(f.sequence, quint64(i));
            const int64_t image = static_cast<int64_t>(i) % images_.size();
            QCOMPARE(f.label, static_cast<int>(images_.labels[image].item<int64_t>()));
            QCOMPARE(f.predicted, expected_[size_t(image)]); // no forged frame, resumed at the right image
            QCOMPARE(f.kind, std::string("features"));     // no forged Configure took effect
            QCOMPARE(f.securityBytes, int64_t(kRecordOverheadBytes));
        }
        if (attack.direction == Direction::ToAgent) {
            QVERIFY(agentClosed.count() >= 1);
            const QString why = agentClosed.first().at(1).toString();
            QVERIFY2(why.contains("session security") && why.contains(reason), qPrintable(why));
        } else {
            QVERIFY(agentClosed.isEmpty()); // the edge closed it
            const auto reconnecting = run.states.filter("reconnecting: ");
            QCOMPARE(reconnecting.size(), 1);
            QVERIFY2(reconnecting[0].contains("session security") && reconnecting[0].contains(reason),
                     qPrintable(reconnecting[0]));
        }
    }

    // A recording of a whole authenticated session, replayed to the agent on a new
    // connection: the old proof answers no fresh challenge, nothing after it is used.
    void replayedSessionIsRefused()
    {
        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        AttackProxy recorder(server.port(), {});
        edge::EdgeSession session;
        const auto run = runEdgeSession(session, recorder.port(), {{"mode", "aecnn"}}, modelPath_, 3, 30000);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        session.disconnectFromAgent();
        const QByteArray recorded = recorder.firstEdgeBytes();
        QVERIFY(recorded.size() > 1000); // the handshake, the model, Start, the acks

        QSignalSpy failed(&server, &agent::AgentServer::connectionFailed);
        QTcpSocket replay;
        replay.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(replay.waitForConnected(aecnn::test::budgetMs(5000)));
        replay.write(recorded);
        QVERIFY(failed.wait(aecnn::test::budgetMs(5000)));
        QVERIFY2(failed.first().at(1).toString().contains("authentication refused"),
                 qPrintable(failed.first().at(1).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(replay.state() == QAbstractSocket::UnconnectedState, aecnn::test::budgetMs(5000));
        FrameReader reader;
        reader.append(replay.readAll());
        bool refused = false;
        for (auto r = reader.next(); r.status == DecodeResult::Status::Complete; r = reader.next()) {
            // The handshake and its refusal, nothing that a used Configure, model or Start would bring.
            QVERIFY2(r.frame.type == MessageType::HelloAck || r.frame.type == MessageType::Challenge ||
                         r.frame.type == MessageType::AuthResult || r.frame.type == MessageType::Error,
                     toString(r.frame.type).c_str());
            if (r.frame.type == MessageType::AuthResult)
                refused = !decodeMessage<AuthResult>(r.frame).ok;
        }
        QVERIFY(refused);
    }

    // An "agent" that says ok but cannot prove it knows the token: the edge sends it nothing.
    void agentThatCannotProveTheTokenGetsNothing()
    {
        ScriptedAgent impostor(false);
        edge::EdgeSession session;
        QString message;
        edge::EdgeCallbacks cb;
        cb.error = [&](const QString& m) { message = m; };
        session.setCallbacks(cb);
        session.configure({{"mode", "aecnn"}}); // remembered; would be sent once connected
        QString error;
        QVERIFY2(session.deployModel(modelPath_, &error), qPrintable(error));
        session.connectToAgent("127.0.0.1", impostor.port(), kEdgeToken);
        QTRY_VERIFY_WITH_TIMEOUT(!message.isEmpty(), aecnn::test::budgetMs(5000));
        QVERIFY2(message.contains("could not prove it knows the token"), qPrintable(message));
        QCOMPARE(session.state(), edge::EdgeState::Disconnected);
        QTRY_VERIFY_WITH_TIMEOUT(impostor.closedByEdge(), aecnn::test::budgetMs(5000));
        QVERIFY(impostor.afterProof.isEmpty()); // no Configure, no model, no Ping
    }

    void olderAgentIsNamedForUpgrade()
    {
        ScriptedAgent old(true);
        edge::EdgeSession session;
        QString message;
        edge::EdgeCallbacks cb;
        cb.error = [&](const QString& m) { message = m; };
        session.setCallbacks(cb);
        session.connectToAgent("127.0.0.1", old.port(), kEdgeToken);
        QTRY_VERIFY_WITH_TIMEOUT(!message.isEmpty(), aecnn::test::budgetMs(5000));
        QVERIFY2(message.contains("the agent speaks protocol version 1, this edge versions 2..3") &&
                     message.contains("upgrade aecnn-agent"),
                 qPrintable(message));
        QCOMPARE(session.state(), edge::EdgeState::Disconnected);
    }

    // Security bytes are reported apart from payload and framing, in the results and the CSV.
    void securityBytesAreReportedApart()
    {
        agent::AgentServer server(agentOptions());
        QVERIFY(server.listen());
        edge::EdgeSession session;
        const QString csv = dir_.filePath("security.csv");
        QString error;
        QVERIFY2(session.setCsv(csv, {}, &error), qPrintable(error));
        const auto run = runEdgeSession(session, server.port(), {{"mode", "aecnn"}}, modelPath_, 4, 30000);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QCOMPARE(run.frames.size(), size_t(4));
        for (const auto& f : run.frames) {
            QCOMPARE(f.securityBytes, int64_t(kRecordOverheadBytes));
            // framing (16) + the FrameData fields around the payload + security
            QVERIFY(f.bytes > int64_t(kHeaderBytes) + f.payloadBytes + f.securityBytes);
        }
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = file.readAll().trimmed().split('\n');
        const auto header = lines[0].split(',');
        // The older columns keep their places; newer ones (queue_ms, batch_size) come after.
        const int security = header.indexOf("security_bytes");
        QCOMPARE(security, 18);
        QCOMPARE(header.indexOf("payload_bytes"), 7);
        QCOMPARE(lines.size(), 5);
        for (int i = 1; i < lines.size(); ++i)
            QCOMPARE(lines[i].split(',').at(security).toInt(), kRecordOverheadBytes);
    }

private:
    QTemporaryDir dir_;
    AecnnClassifier model_;
    QString modelPath_;
    ImageSet images_;
    std::vector<int> expected_;
};

QTEST_GUILESS_MAIN(TestEdgeSecurity)
#include "test_edge_security.moc"
