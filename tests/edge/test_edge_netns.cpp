#include <unistd.h>

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "edge_fixture.h"
#include "edge_test_io.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::testing;

namespace {

// An agent in its own network namespace behind a veth pair; the agent's uplink
// (its veth end) is shaped by tc netem. Everything is removed in the destructor,
// whatever happened in between.
class AgentNamespace {
public:
    AgentNamespace()
        : ns_(QString("aecnn-test-%1").arg(getpid())), edgeEnd_(QString("aev%1e").arg(getpid() % 100000)),
          agentEnd_(QString("aev%1a").arg(getpid() % 100000))
    {
        run("ip", {"netns", "del", ns_}); // leftovers of an earlier crash
    }

    ~AgentNamespace()
    {
        if (agent_.state() != QProcess::NotRunning) {
            agent_.kill();
            agent_.waitForFinished(aecnn::test::budgetMs(5000));
        }
        run("ip", {"netns", "del", ns_}); // takes the veth pair with it
        run("ip", {"link", "del", edgeEnd_});
    }

    // Empty on success, else what failed.
    QString setUp(const QString& shaping)
    {
        const QList<QStringList> steps{
            {"netns", "add", ns_},
            {"link", "add", edgeEnd_, "type", "veth", "peer", "name", agentEnd_},
            {"link", "set", agentEnd_, "netns", ns_},
            {"addr", "add", "10.213.7.1/24", "dev", edgeEnd_},
            {"link", "set", edgeEnd_, "up"},
            {"netns", "exec", ns_, "ip", "addr", "add", "10.213.7.2/24", "dev", agentEnd_},
            {"netns", "exec", ns_, "ip", "link", "set", agentEnd_, "up"},
            {"netns", "exec", ns_, "ip", "link", "set", "lo", "up"},
            QStringList{"netns", "exec", ns_, "tc", "qdisc", "add", "dev", agentEnd_, "root"} + shaping.split(' '),
        };
        for (const auto& step : steps) {
            QString output;
            if (run("ip", step, &output) != 0)
                return "ip " + step.join(' ') + ": " + output;
        }
        return {};
    }

    // Starts aecnn-agent inside the namespace; returns its port or 0 (see error).
    quint16 startAgent(const QString& tokenFile, QString* error)
    {
        agent_.setProcessChannelMode(QProcess::MergedChannels);
        agent_.start("ip", {"netns", "exec", ns_, AECNN_AGENT_PATH, "--listen", "10.213.7.2", "--port", "7979",
                            "--token-file", tokenFile, "--dataset", kEdgeDataset, "--threads", "1"});
        QByteArray log;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000 && agent_.state() != QProcess::NotRunning) {
            agent_.waitForReadyRead(200);
            log += agent_.readAll();
            if (log.contains("listening on"))
                return 7979;
        }
        *error = "the agent did not start listening: " + QString::fromUtf8(log);
        return 0;
    }

private:
    QString ns_, edgeEnd_, agentEnd_;
    QProcess agent_;
};

} // namespace

class TestEdgeNetns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void agentInItsOwnNamespaceBehindShapedVeth()
    {
        if (geteuid() != 0)
            QSKIP("needs root (network namespaces, veth, tc): run as root to include this test");
        if (QStandardPaths::findExecutable("ip").isEmpty() || QStandardPaths::findExecutable("tc").isEmpty())
            QSKIP("needs the 'ip' and 'tc' commands (Debian package iproute2)");
        torch::set_num_threads(1);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        AgentNamespace ns;
        // 2 Mbit/s with a 1600-byte bucket on the agent's uplink (tbf: netem is often not built).
        const QString failure = ns.setUp("tbf rate 2mbit burst 1600 latency 400ms");
        if (!failure.isEmpty())
            QSKIP(qPrintable("cannot build the network namespace here (a container without CAP_NET_ADMIN?): " +
                             failure));
        const QString tokenFile = dir.filePath("token");
        {
            QFile file(tokenFile);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(kEdgeToken);
        }
        QString error;
        const quint16 port = ns.startAgent(tokenFile, &error);
        QVERIFY2(port != 0, qPrintable(error));

        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 31);
        const QString path = dir.filePath("split.aecnn");
        saveAecnnClassifier(path, model);
        // Uncompressed float32 frames (4 x 14 x 14 x 4 bytes ~ 3.2 KB), twice tbf's bucket.
        TransportSettings transport;
        transport.coder = "store";
        transport.representation = "float32";
        const auto expected = offlineSplitPredictions(model, transport, edgeTestImages());

        edge::EdgeSession session;
        const QJsonObject settings{{"mode", "aecnn"}, {"window", 1}, {"codec", "store"}, {"repr", "float32"}};
        const auto result = runEdgeSessionAt(session, "10.213.7.2", port, settings, path, 16, 40000);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QCOMPARE(predictionsOf(result), expected);
        QVERIFY(session.clockSynced());
        std::vector<double> com;
        for (const auto& f : result.frames)
            com.push_back(f.comMs);
        std::sort(com.begin(), com.end());
        // The link is shaped: with window 1, frame i + 1 leaves the device only after the
        // edge has finished frame i, and what exceeds tbf's 1600-byte bucket must wait for
        // tokens at 2 Mbit/s. So on the edge's own clock the frames after the first cannot
        // arrive faster than the sum of those waits. Load on this machine can only make
        // them slower: a lower bound on elapsed time is not broken by a busy CI, unlike
        // per-frame t_com, which depends on the clock-offset estimate (reported, not asserted).
        double floorSumMs = 0.0;
        for (size_t i = 1; i < result.frames.size(); ++i)
            floorSumMs += std::max(0.0, (result.frames[i].bytes - 1600) * 8.0 / 2e6 * 1e3);
        const double elapsedMs = result.frames.back().receivedMs - result.frames.front().receivedMs;
        QVERIFY2(floorSumMs > 15 * 5.0, qPrintable(QString("frames of %1 bytes").arg(result.frames.front().bytes)));
        QVERIFY2(elapsedMs >= floorSumMs,
                 qPrintable(QString("frames 2..16 arrived within %1 ms, faster than 2 Mbit/s allows (%2 ms)")
                                .arg(elapsedMs)
                                .arg(floorSumMs)));
        qInfo("netns: %zu frames, 2..16 in %.0f ms (at least %.0f ms at 2 Mbit/s), median t_com %.2f ms, "
              "clock offset %.3f ms",
              result.frames.size(), elapsedMs, floorSumMs, com[com.size() / 2], session.clockOffsetUs() / 1000.0);
    }
};

QTEST_GUILESS_MAIN(TestEdgeNetns)
#include "test_edge_netns.moc"
