#include <memory>

#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/edge/frame_csv.h"
#include "agent_server.h"
#include "edge_agent_options.h"
#include "edge_fixture.h"
#include "edge_test_io.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::testing;

// The agent goes away mid-stream: the edge survives, reconnects with backoff,
// resumes at the next image, and the CSV holds every frame once.
class TestEdgeReconnect : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(dir_.isValid());
        model_ = tinySplitModel(SplitVariant::Aecnn, 2, 21);
        modelPath_ = dir_.filePath("split.aecnn");
        saveAecnnClassifier(modelPath_, model_);
        images_ = edgeTestImages();
        expected_ = offlineSplitPredictions(model_, TransportSettings{}, images_);
    }

    void agentKilledMidStreamThenBack()
    {
        auto server = std::make_unique<agent::AgentServer>(agentOptions(0));
        QVERIFY(server->listen());
        const quint16 port = server->port();
        const QString csv = dir_.filePath("killed.csv");
        edge::EdgeOptions options;
        options.reconnectInitialMs = 100;
        edge::EdgeSession session(options);
        QString error;
        QVERIFY2(session.setCsv(csv, {"reconnect test"}, &error), qPrintable(error));
        constexpr uint32_t kFrames = 40;
        bool killed = false;
        int rowsAtKill = -1;
        const auto run = runEdgeSession(
            session, port, {{"mode", "aecnn"}, {"rate_mbps", 0.2}}, modelPath_, kFrames, 25000,
            [&](const edge::EdgeFrameResult& f) {
                if (killed || f.sequence != 9)
                    return;
                killed = true;
                QTimer::singleShot(0, [&] {
                    server.reset(); // every connection closes, as when the process dies
                    rowsAtKill = csvRows(csv + ".partial").size();
                    QTimer::singleShot(400, [&] {
                        server = std::make_unique<agent::AgentServer>(agentOptions(port));
                        QVERIFY(server->listen());
                    });
                });
            });
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QVERIFY(killed);
        QCOMPARE(session.reconnects(), 1);
        QVERIFY(rowsAtKill >= 10); // rows were on disk while the agent was gone
        QCOMPARE(run.frames.size(), size_t(kFrames));
        for (size_t i = 0; i < run.frames.size(); ++i) {
            const auto& f = run.frames[i];
            QCOMPARE(f.sequence, quint64(i));
            const int64_t image = static_cast<int64_t>(i) % images_.size();
            QCOMPARE(f.label, static_cast<int>(images_.labels[image].item<int64_t>()));
            QCOMPARE(f.predicted, expected_[size_t(image)]); // resumed at the right image
        }
        const auto rows = csvRows(csv);
        QCOMPARE(rows.size(), int(kFrames));
        for (int i = 0; i < rows.size(); ++i)
            QCOMPARE(rows[i][0].toInt(), i);
        QVERIFY(!QFile::exists(csv + ".partial"));
    }

    void agentGoneForGoodKeepsTheRecordedRows()
    {
        auto server = std::make_unique<agent::AgentServer>(agentOptions(0));
        QVERIFY(server->listen());
        const QString csv = dir_.filePath("gone.csv");
        edge::EdgeOptions options;
        options.reconnectInitialMs = 50;
        options.reconnectMaxMs = 200;
        edge::EdgeSession session(options);
        QString error;
        QVERIFY(session.setCsv(csv, {}, &error));
        int received = 0;
        bool reconnecting = false, started = false;
        edge::EdgeCallbacks cb;
        cb.stateChanged = [&](edge::EdgeState state, const QString&) {
            if (state == edge::EdgeState::Ready && !started) {
                started = true;
                session.configure({{"mode", "aecnn"}, {"rate_mbps", 0.2}});
                QString deployError;
                QVERIFY2(session.deployModel(modelPath_, &deployError), qPrintable(deployError));
            }
            if (state == edge::EdgeState::Reconnecting)
                reconnecting = true;
        };
        cb.deployed = [&](bool ok, const QString&) {
            if (ok && session.state() == edge::EdgeState::Ready)
                session.start(0); // continuous
        };
        cb.frame = [&](const edge::EdgeFrameResult&) {
            if (++received == 5)
                QTimer::singleShot(0, [&] { server.reset(); });
        };
        session.setCallbacks(cb);
        session.connectToAgent("127.0.0.1", server->port(), kEdgeToken);
        QTRY_VERIFY_WITH_TIMEOUT(reconnecting, aecnn::test::budgetMs(20000));
        QTest::qWait(600); // several failed attempts with backoff; the session keeps trying
        QCOMPARE(session.state(), edge::EdgeState::Reconnecting);
        session.disconnectFromAgent();
        QCOMPARE(session.state(), edge::EdgeState::Disconnected);
        const auto rows = csvRows(csv);
        QCOMPARE(rows.size(), received);
        QVERIFY(received >= 5);
    }

    void silentAgentTimesOut()
    {
        QTcpServer silent; // accepts and never answers
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        edge::EdgeOptions options;
        options.idleTimeoutMs = 300;
        edge::EdgeSession session(options);
        QString message;
        edge::EdgeCallbacks cb;
        cb.error = [&](const QString& m) { message = m; };
        session.setCallbacks(cb);
        session.connectToAgent("127.0.0.1", silent.serverPort(), kEdgeToken);
        QTRY_VERIFY_WITH_TIMEOUT(!message.isEmpty(), aecnn::test::budgetMs(5000));
        QVERIFY2(message.contains("nothing received"), qPrintable(message));
        QCOMPARE(session.state(), edge::EdgeState::Disconnected); // never authenticated: no retry
    }

    void malformedAgentIsDroppedWithAClearMessage()
    {
        QTcpServer garbage; // answers the hello with something that is not a frame
        QVERIFY(garbage.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&garbage, &QTcpServer::newConnection, &garbage, [&garbage] {
            auto* socket = garbage.nextPendingConnection();
            socket->write("HTTP/1.0 200 OK\r\n\r\n");
        });
        edge::EdgeSession session;
        QString message;
        edge::EdgeCallbacks cb;
        cb.error = [&](const QString& m) { message = m; };
        session.setCallbacks(cb);
        session.connectToAgent("127.0.0.1", garbage.serverPort(), kEdgeToken);
        QTRY_VERIFY_WITH_TIMEOUT(!message.isEmpty(), aecnn::test::budgetMs(5000));
        QVERIFY2(message.contains("malformed frame") && message.contains("magic"), qPrintable(message));
        QCOMPARE(session.state(), edge::EdgeState::Disconnected);
    }

private:
    QTemporaryDir dir_;
    AecnnClassifier model_;
    QString modelPath_;
    ImageSet images_;
    std::vector<int> expected_;
};

QTEST_GUILESS_MAIN(TestEdgeReconnect)
#include "test_edge_reconnect.moc"
