#include <unistd.h>

#include <memory>
#include <set>

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/edge/frame_csv.h"
#include "aecnn/edge/multi_edge.h"
#include "edge_fixture.h"
#include "edge_test_io.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::testing;

namespace {

// An aecnn-agent process with a token on loopback (or inside a network namespace);
// stopped in the destructor.
class AgentProcess {
public:
    explicit AgentProcess(QStringList prefix = {}) : prefix_(std::move(prefix)) {}
    ~AgentProcess() { kill(); }

    // Starts it on `port` (0 = any); returns the port it listens on, or 0 with *error.
    quint16 start(const QString& address, quint16 port, const QString& tokenFile, QString* error)
    {
        process_ = std::make_unique<QProcess>();
        process_->setProcessChannelMode(QProcess::MergedChannels);
        QStringList args{"--listen", address, "--port", QString::number(port), "--token-file", tokenFile, "--dataset",
                         kEdgeDataset, "--threads", "1"};
        if (prefix_.isEmpty())
            process_->start(AECNN_AGENT_PATH, args);
        else
            process_->start(prefix_.front(), prefix_.mid(1) + QStringList{AECNN_AGENT_PATH} + args);
        const QRegularExpression listening("listening on [^ ]+:(\\d+)");
        QByteArray log;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < aecnn::test::budgetMs(60000) && process_->state() != QProcess::NotRunning) {
            process_->waitForReadyRead(100);
            log += process_->readAll();
            const auto match = listening.match(QString::fromUtf8(log));
            if (match.hasMatch()) {
                QProcess* p = process_.get();
                QObject::connect(p, &QProcess::readyRead, p, [p] { p->readAll(); });
                return static_cast<quint16>(match.captured(1).toUInt());
            }
        }
        *error = "the agent did not start listening: " + QString::fromUtf8(log);
        return 0;
    }

    // SIGKILL: the process dies mid-stream, as a crashed or unplugged device would.
    void kill()
    {
        if (!process_ || process_->state() == QProcess::NotRunning)
            return;
        process_->kill();
        process_->waitForFinished(aecnn::test::budgetMs(5000));
    }

private:
    QStringList prefix_;
    std::unique_ptr<QProcess> process_;
};

} // namespace

// Many devices, one edge: four agent processes with their own rates, windows and V,
// one session each, the tail batched across them.
class TestEdgeMulti : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        QVERIFY(dir_.isValid());
        tokenFile_ = dir_.filePath("token");
        QFile token(tokenFile_);
        QVERIFY(token.open(QIODevice::WriteOnly));
        token.write(kEdgeToken);
        token.close();
        images_ = edgeTestImages();
        // Two split models: V=2 (three agents share its tail, so their frames batch
        // together) and V=4 (an agent with its own V).
        for (int ratio : {2, 4}) {
            auto model = tinySplitModel(SplitVariant::Aecnn, ratio, 40 + ratio);
            const QString path = dir_.filePath(QString("split-v%1.aecnn").arg(ratio));
            saveAecnnClassifier(path, model);
            paths_[ratio] = path;
            expected_[ratio] = offlineSplitPredictions(model, TransportSettings{}, images_);
        }
        for (auto& agent : agents_) {
            QString error;
            const quint16 port = agent.start("127.0.0.1", 0, tokenFile_, &error);
            QVERIFY2(port != 0, qPrintable(error));
            ports_.push_back(port);
        }
    }

    void fourAgentsEveryFrameOnce_data()
    {
        QTest::addColumn<bool>("batching");
        QTest::addColumn<bool>("killOne");
        QTest::newRow("batched") << true << false;
        QTest::newRow("unbatched") << false << false;
        QTest::newRow("batched, agent 2 killed mid-stream") << true << true;
    }

    void fourAgentsEveryFrameOnce()
    {
        QFETCH(bool, batching);
        QFETCH(bool, killOne);
        constexpr uint32_t kFrames = 20;
        const QString tag = QString(QTest::currentDataTag()).replace(QRegularExpression("[^a-z0-9]+"), "_");
        edge::MultiEdgeRequest request;
        request.batching.batching = batching;
        request.batching.maxBatch = 4;
        request.batching.maxDelayMs = 3;
        request.session.reconnectInitialMs = 100;
        request.timeoutMs = aecnn::test::budgetMs(40000);
        // Different shaped rates (the agent's own uplink shaper), windows and V.
        const double rates[] = {0.5, 1.0, 2.0, 4.0};
        const int windows[] = {1, 0, 1, 2};
        const int ratios[] = {2, 2, 4, 2};
        const int firstImages[] = {0, 3, 7, 11};
        for (size_t i = 0; i < 4; ++i) {
            edge::AgentRunSpec spec;
            spec.name = QString("agent%1").arg(i + 1);
            spec.port = ports_[i];
            spec.token = kEdgeToken;
            spec.settings = {{"mode", "aecnn"}, {"rate_mbps", rates[i]}, {"window", windows[i]},
                             {"first_image", firstImages[i]}};
            spec.modelPath = paths_[ratios[i]];
            spec.frames = kFrames;
            spec.csvPath = dir_.filePath(QString("%1-%2.csv").arg(tag, spec.name));
            request.agents.push_back(spec);
        }
        bool killed = false;
        int rowsAtKill = -1;
        if (killOne) {
            request.onFrame = [&](size_t agent, const edge::EdgeFrameResult& f) {
                if (agent != 1 || killed || f.sequence != 6)
                    return;
                killed = true;
                QTimer::singleShot(0, [&] {
                    agents_[1].kill(); // SIGKILL mid-stream
                    rowsAtKill = csvRows(request.agents[1].csvPath + ".partial").size();
                    QTimer::singleShot(300, [&] {
                        QString error;
                        QCOMPARE(agents_[1].start("127.0.0.1", ports_[1], tokenFile_, &error), ports_[1]);
                    });
                });
            };
        }
        const auto result = edge::runMultiEdge(request);
        QCOMPARE(result.agents.size(), size_t(4));
        int64_t features = 0;
        for (size_t i = 0; i < 4; ++i) {
            const auto& a = result.agents[i];
            QVERIFY2(a.error.isEmpty(), qPrintable(a.name + ": " + a.error));
            // Every frame finished exactly once, in order, with the offline prediction.
            QCOMPARE(a.frames.size(), size_t(kFrames));
            for (size_t k = 0; k < a.frames.size(); ++k) {
                const auto& f = a.frames[k];
                QCOMPARE(f.sequence, quint64(k));
                const int64_t image = (firstImages[i] + static_cast<int64_t>(k)) % images_.size();
                QCOMPARE(f.label, static_cast<int>(images_.labels[image].item<int64_t>()));
                QCOMPARE(f.predicted, expected_[ratios[i]][size_t(image)]);
                QVERIFY(f.batchSize >= 1 && f.batchSize <= (batching ? 4 : 1));
                QVERIFY(f.queueMs >= 0);
                ++features;
            }
            // The CSV holds the same frames, once each.
            const auto rows = csvRows(request.agents[i].csvPath);
            QCOMPARE(rows.size(), int(kFrames));
            std::set<int> sequences;
            for (const auto& row : rows) {
                QCOMPARE(row.size(), edge::FrameCsvWriter::header().split(',').size());
                sequences.insert(row[0].toInt());
            }
            QCOMPARE(sequences.size(), size_t(kFrames));
            QVERIFY(!QFile::exists(request.agents[i].csvPath + ".partial"));
            QCOMPARE(a.reconnects, killOne && i == 1 ? 1 : 0); // only the killed agent's session was affected
        }
        QCOMPARE(result.tail.frames, features);
        if (!batching)
            QCOMPARE(result.tail.largestBatch, 1);
        if (killOne) {
            QVERIFY(killed);
            QVERIFY(rowsAtKill >= 7); // its rows were on disk while it was gone
        }
    }

    // A tail batch that fails (injected through the shared executor) while other frames of
    // the same sessions wait in the queue: the frames of the failed batches are recorded as
    // failed with the reason, every other frame is finished, the streams go on to the end.
    void tailFailureKeepsEveryRow()
    {
        constexpr uint32_t kFrames = 16;
        edge::MultiEdgeRequest request;
        request.batching.maxBatch = 4;
        request.batching.maxDelayMs = 3;
        request.tail = std::make_shared<edge::TailExecutor>(request.batching);
        int64_t injected = 0;
        request.tail->setBatchFault([&](int64_t batch, int size) {
            if (batch != 2 && batch != 3)
                return QString();
            injected += size;
            return QString("injected tail fault in batch %1").arg(batch);
        });
        request.timeoutMs = aecnn::test::budgetMs(40000);
        for (size_t i = 0; i < 2; ++i) {
            edge::AgentRunSpec spec;
            spec.name = QString("agent%1").arg(i + 1);
            spec.port = ports_[i];
            spec.token = kEdgeToken;
            spec.settings = {{"mode", "aecnn"}, {"window", 0}, {"first_image", 0}}; // unpaced: frames queue up
            spec.modelPath = paths_[2];
            spec.frames = kFrames;
            spec.csvPath = dir_.filePath(QString("tail-fault-%1.csv").arg(spec.name));
            request.agents.push_back(spec);
        }
        const auto result = edge::runMultiEdge(request);
        QVERIFY(injected >= 2);
        int64_t failed = 0;
        for (size_t i = 0; i < 2; ++i) {
            const auto& a = result.agents[i];
            // Every frame received is one result and one row: finished or failed, never both, never neither.
            QCOMPARE(a.received, quint64(kFrames));
            QCOMPARE(a.frames.size() + a.failed.size(), size_t(kFrames));
            if (!a.failed.empty())
                QVERIFY2(a.error.contains("failed"), qPrintable(a.error));
            for (const auto& f : a.frames) {
                QVERIFY(f.failure.empty());
                QCOMPARE(f.predicted, expected_[2][f.sequence % size_t(images_.size())]);
            }
            for (const auto& f : a.failed)
                QVERIFY2(QString::fromStdString(f.failure).contains("injected tail fault"), f.failure.c_str());
            failed += static_cast<int64_t>(a.failed.size());
            const auto rows = csvRows(request.agents[i].csvPath);
            QCOMPARE(rows.size(), int(kFrames));
            const int failureColumn = edge::FrameCsvWriter::header().split(',').indexOf("failure");
            QCOMPARE(failureColumn, edge::FrameCsvWriter::header().split(',').size() - 2); // appended, then `ratio`
            std::set<int> sequences;
            int failedRows = 0;
            for (const auto& row : rows) {
                sequences.insert(row[0].toInt());
                if (!row[failureColumn].isEmpty()) {
                    ++failedRows;
                    QCOMPARE(row[3].toInt(), -1); // no prediction
                }
            }
            QCOMPARE(sequences.size(), size_t(kFrames));
            QCOMPARE(failedRows, int(a.failed.size()));
        }
        QCOMPARE(failed, injected); // exactly the frames of the failed batches
    }

    // A session destroyed while frames of it wait in the shared tail, from inside a batch
    // (as a frame callback could; here the executor's test hook), so that they cannot be run
    // first: each of them is recorded as failed, none is silently dropped.
    void sessionDestroyedWithFramesInTail()
    {
        auto tail = std::make_shared<edge::TailExecutor>(edge::TailBatchOptions{true, 8, 5});
        edge::EdgeOptions options;
        options.tail = tail;
        auto victim = std::make_unique<edge::EdgeSession>(options);
        const QString victimCsv = dir_.filePath("destroyed-victim.csv");
        QString error;
        QVERIFY2(victim->setCsv(victimCsv, {}, &error), qPrintable(error));
        int victimFinished = 0, victimFailed = 0;
        QEventLoop loop; // outlives the victim: its callbacks use it
        {
            // The victim streams continuously with two frames in flight, so it has frames queued most of the time.
            bool configured = false, deployed = false;
            edge::EdgeCallbacks cb;
            cb.stateChanged = [&](edge::EdgeState state, const QString&) {
                if (state == edge::EdgeState::Ready && !configured && !deployed) {
                    victim->configure({{"mode", "aecnn"}, {"window", 2}, {"first_image", 0}});
                    QString deployError;
                    if (!victim->deployModel(paths_[2], &deployError))
                        loop.quit();
                }
            };
            auto maybeStart = [&] {
                if (configured && deployed) {
                    victim->start(0);
                    loop.quit();
                }
            };
            cb.configured = [&](bool ok, const QString&, const QJsonObject&) {
                configured = ok;
                maybeStart();
            };
            cb.deployed = [&](bool ok, const QString&) {
                deployed = ok;
                maybeStart();
            };
            cb.frame = [&](const edge::EdgeFrameResult&) { ++victimFinished; };
            cb.frameFailed = [&](const edge::EdgeFrameResult&) { ++victimFailed; };
            cb.error = [&](const QString&) { loop.quit(); };
            victim->setCallbacks(cb);
            QTimer::singleShot(aecnn::test::budgetMs(20000), &loop, &QEventLoop::quit);
            victim->connectToAgent("127.0.0.1", ports_[3], kEdgeToken);
            loop.exec();
            QCOMPARE(victim->state(), edge::EdgeState::Streaming);
        }
        edge::EdgeSession other(options);
        uint64_t victimReceived = 0;
        int inTailAtDestruction = 0;
        // Called by the executor before each batch (its frames taken from the queue, not finished yet).
        tail->setBatchFault([&](int64_t, int) {
            if (victim && victim->framesInTail() > 0 && victim->framesReceived() >= 3) {
                victimReceived = victim->framesReceived();
                inTailAtDestruction = victim->framesInTail();
                victim.reset();
            }
            return QString();
        });
        const auto run =
            runEdgeSession(other, ports_[2], {{"mode", "aecnn"}, {"window", 1}, {"first_image", 0}}, paths_[2], 24, 30000);
        QVERIFY2(run.error.isEmpty(), qPrintable(run.error));
        QVERIFY2(!victim, "the victim never had frames in the shared tail during a batch");
        QVERIFY(inTailAtDestruction > 0);
        // The other session is unaffected: every frame finished with the offline prediction.
        QCOMPARE(run.frames.size(), size_t(24));
        for (const auto& f : run.frames)
            QCOMPARE(f.predicted, expected_[2][f.sequence % size_t(images_.size())]);
        // The victim: one result and one row per frame received; those in the tail failed with the reason.
        QCOMPARE(uint64_t(victimFinished + victimFailed), victimReceived);
        QCOMPARE(victimFailed, inTailAtDestruction);
        const auto rows = csvRows(victimCsv);
        QCOMPARE(uint64_t(rows.size()), victimReceived);
        std::set<int> sequences;
        int failedRows = 0;
        for (const auto& row : rows) {
            sequences.insert(row[0].toInt());
            failedRows += row[row.size() - 2].contains("closed while this frame was in the shared tail") ? 1 : 0;
        }
        QCOMPARE(uint64_t(sequences.size()), victimReceived);
        QVERIFY2(failedRows == inTailAtDestruction, rows.isEmpty() ? "no rows" : rows.back().join(',').constData());
        QCOMPARE(tail->queued(), int64_t(0)); // its queued frames were removed, not run for nobody
    }

    // Adaptive V, live, per agent: two agents at very different shaped rates (window 2: a
    // frame is in flight when a switch is asked for), each starting at the V that suits the
    // other. After the first frames the slow one is switched to the more compressed V and
    // the fast one to the more accurate V (why: rate), between frames: every frame is
    // finished exactly once, from the next image, with the offline prediction of the model
    // of the V it was sent with, and its V changes exactly at the recorded switches
    // (JSON/CSV: EdgeFrameResult::ratio, column `ratio`).
    void adaptiveRatioFollowsEachAgentsRate()
    {
        constexpr uint32_t kFrames = 10;
        edge::MultiEdgeRequest request;
        request.batching.maxBatch = 4;
        request.batching.maxDelayMs = 2;
        request.timeoutMs = aecnn::test::budgetMs(40000);
        // Mbps, deadline 800 ms: V=2 misses it at the first (V=4 fits), V=2 fits at the second even
        // when the edge's own delays make its measured rate 200 times lower (a 500-byte frame in 110 ms).
        const double rates[] = {0.02, 8.0};
        const int startRatios[] = {2, 4};
        const int firstImages[] = {1, 5};
        for (size_t i = 0; i < 2; ++i)
            request.agents.push_back(
                adaptiveAgent(i, rates[i], startRatios[i], firstImages[i], kFrames, "rate", 800.0, /*window=*/2));
        const auto result = edge::runMultiEdge(request);
        for (size_t i = 0; i < 2; ++i) {
            checkAdaptiveRun(result.agents[i], request.agents[i], startRatios[i], firstImages[i], kFrames);
            if (QTest::currentTestFailed())
                return;
            const auto& a = result.agents[i];
            QString measured; // what the selection saw, for a failure's message
            for (const auto& f : a.frames)
                measured += QString(" %1 B/%2 ms q %3").arg(f.bytes).arg(f.comMs, 0, 'f', 1).arg(f.queueMs, 0, 'f', 1);
            QVERIFY2(!a.switches.empty(), qPrintable(a.name + " was never switched; frames:" + measured));
            QCOMPARE(a.switches.front().fromRatio, startRatios[i]);
            QCOMPARE(a.switches.front().toRatio, startRatios[1 - i]);
            QCOMPARE(a.switches.front().why, QString("rate"));
        }
        const int slowEnd = result.agents[0].frames.back().ratio, fastEnd = result.agents[1].frames.back().ratio;
        QVERIFY2(slowEnd > fastEnd,
                 qPrintable(QString("slow agent ends at V=%1, fast at V=%2").arg(slowEnd).arg(fastEnd)));
    }

    // Adaptive V from queueing at the shared edge, not the rate: agent 1 (adaptive, a fast
    // link) shares its V=2 tail queue with agent 2 (not adaptive, a very slow link: 0.7 s a
    // frame); with a 300 ms batch delay each frame of agent 1 waits for agent 2's (or the
    // delay) before the tail runs, longer than the 200 ms deadline, so it is switched to V=4
    // although its rate fits V=2 (why: queue). With a 1 ms batch delay (the control) it
    // keeps V=2. The wait is the batcher's timer, not CPU time: the same on a busy machine.
    void adaptiveRatioFollowsEdgeQueue_data()
    {
        QTest::addColumn<int>("batchDelayMs");
        QTest::newRow("batch delay 300 ms: queueing switches") << 300;
        QTest::newRow("batch delay 1 ms: no switch") << 1;
    }

    void adaptiveRatioFollowsEdgeQueue()
    {
        QFETCH(int, batchDelayMs);
        constexpr uint32_t kFrames = 8;
        edge::MultiEdgeRequest request;
        request.batching.maxBatch = 8;
        request.batching.maxDelayMs = batchDelayMs;
        request.timeoutMs = aecnn::test::budgetMs(40000);
        request.agents.push_back(adaptiveAgent(0, 8.0, 2, 0, kFrames, QString("queue%1").arg(batchDelayMs), 200.0));
        auto slow = adaptiveAgent(1, 0.01, 2, 0, 3, QString("queue%1").arg(batchDelayMs), 200.0);
        slow.adaptive.reset();
        request.agents.push_back(slow);
        const auto result = edge::runMultiEdge(request);
        const auto& a = result.agents[0];
        checkAdaptiveRun(a, request.agents[0], 2, 0, kFrames);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(result.agents[1].error.isEmpty(), qPrintable(result.agents[1].error));
        if (batchDelayMs == 1) {
            const QString switched = a.switches.empty() ? QString()
                                                        : QString("switched to V=%1 (%2)")
                                                              .arg(a.switches.front().toRatio)
                                                              .arg(a.switches.front().why);
            QVERIFY2(a.switches.empty(), qPrintable(switched));
            return;
        }
        QString measured; // what the selection saw, for a failure's message
        for (const auto& f : a.frames)
            measured += QString(" %1 B/%2 ms q %3").arg(f.bytes).arg(f.comMs, 0, 'f', 1).arg(f.queueMs, 0, 'f', 1);
        QVERIFY2(!a.switches.empty(), qPrintable("agent 1 was never switched; frames:" + measured));
        const auto& first = a.switches.front();
        QCOMPARE(first.fromRatio, 2);
        QCOMPARE(first.toRatio, 4);
        QCOMPARE(first.why, QString("queue"));
        QVERIFY2(first.queueMs > 200.0, qPrintable(QString::number(first.queueMs))); // measured wait > the deadline
    }

    // The agent dies while its switch to another V is under way (stopped, the frame it was
    // sending lost with it): the session reconnects to the restarted agent and resumes the
    // stream with the new V at the next image; every frame once, each predicted by the model
    // of the V it was sent with.
    void adaptiveSwitchSurvivesAgentLoss()
    {
        constexpr uint32_t kFrames = 6;
        edge::MultiEdgeRequest request;
        request.session.reconnectInitialMs = 100;
        request.timeoutMs = aecnn::test::budgetMs(40000);
        request.agents.push_back(adaptiveAgent(0, 0.02, 2, 2, kFrames, "loss", 800.0));
        bool killed = false;
        request.onFrame = [&](size_t, const edge::EdgeFrameResult& f) {
            if (killed || f.sequence != 0)
                return;
            killed = true;
            // After this frame's callback, which asks for the switch: the agent is then sending
            // frame 1 (0.4 s at 0.02 Mbps), so the switch is still waiting for its end.
            QTimer::singleShot(0, [&] {
                agents_[0].kill();
                QTimer::singleShot(300, [&] {
                    QString error;
                    QCOMPARE(agents_[0].start("127.0.0.1", ports_[0], tokenFile_, &error), ports_[0]);
                });
            });
        };
        const auto result = edge::runMultiEdge(request);
        QVERIFY(killed);
        const auto& a = result.agents[0];
        checkAdaptiveRun(a, request.agents[0], 2, 2, kFrames);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(a.reconnects, 1);
        QCOMPARE(a.switches.size(), size_t(1));
        QCOMPARE(a.switches[0].toRatio, 4);
        QCOMPARE(a.switches[0].firstFrame, int64_t(1)); // frame 1 was lost with the agent: re-sent with V=4
    }

    // The same with each agent in its own network namespace behind a veth pair whose
    // uplink tc shapes (different rates): the kernel's shaper instead of the agent's.
    void fourAgentsBehindShapedVeths()
    {
        if (geteuid() != 0)
            QSKIP("needs root (network namespaces, veth, tc): run as root to include this test");
        if (QStandardPaths::findExecutable("ip").isEmpty() || QStandardPaths::findExecutable("tc").isEmpty())
            QSKIP("needs the 'ip' and 'tc' commands (Debian package iproute2)");
        struct Namespace {
            QString ns, edgeEnd, agentEnd, edgeAddress, agentAddress;
            ~Namespace()
            {
                run("ip", {"netns", "del", ns});
                run("ip", {"link", "del", edgeEnd});
            }
        };
        const QStringList rates{"1mbit", "2mbit", "4mbit", "8mbit"};
        std::vector<std::unique_ptr<Namespace>> spaces;
        std::vector<std::unique_ptr<AgentProcess>> agents;
        edge::MultiEdgeRequest request;
        request.batching.maxBatch = 4;
        request.timeoutMs = aecnn::test::budgetMs(40000);
        constexpr uint32_t kFrames = 12;
        for (int i = 0; i < 4; ++i) {
            auto space = std::make_unique<Namespace>();
            const int id = (getpid() % 10000) * 4 + i;
            space->ns = QString("aecnn-multi-%1-%2").arg(getpid()).arg(i);
            space->edgeEnd = QString("aem%1e").arg(id);
            space->agentEnd = QString("aem%1a").arg(id);
            space->edgeAddress = QString("10.214.%1.1").arg(i + 1);
            space->agentAddress = QString("10.214.%1.2").arg(i + 1);
            run("ip", {"netns", "del", space->ns});
            const QString& ns = space->ns;
            const QList<QStringList> steps{
                {"netns", "add", ns},
                {"link", "add", space->edgeEnd, "type", "veth", "peer", "name", space->agentEnd},
                {"link", "set", space->agentEnd, "netns", ns},
                {"addr", "add", space->edgeAddress + "/24", "dev", space->edgeEnd},
                {"link", "set", space->edgeEnd, "up"},
                {"netns", "exec", ns, "ip", "addr", "add", space->agentAddress + "/24", "dev", space->agentEnd},
                {"netns", "exec", ns, "ip", "link", "set", space->agentEnd, "up"},
                {"netns", "exec", ns, "ip", "link", "set", "lo", "up"},
                {"netns", "exec", ns, "tc", "qdisc", "add", "dev", space->agentEnd, "root", "tbf", "rate", rates[i],
                 "burst", "1600", "latency", "400ms"},
            };
            spaces.push_back(std::move(space));
            for (const auto& step : steps) {
                QString output;
                if (run("ip", step, &output) != 0)
                    QSKIP(qPrintable("cannot build the network namespaces here (a container without "
                                     "CAP_NET_ADMIN?): ip " + step.join(' ') + ": " + output));
            }
            agents.push_back(std::make_unique<AgentProcess>(QStringList{"ip", "netns", "exec", ns}));
            QString error;
            const quint16 port = agents.back()->start(spaces.back()->agentAddress, 7979, tokenFile_, &error);
            QVERIFY2(port != 0, qPrintable(error));
            edge::AgentRunSpec spec;
            spec.name = QString("agent%1").arg(i + 1);
            spec.host = spaces.back()->agentAddress;
            spec.port = port;
            spec.token = kEdgeToken;
            spec.settings = {{"mode", "aecnn"}, {"window", 1}};
            spec.modelPath = paths_[i == 2 ? 4 : 2];
            spec.frames = kFrames;
            request.agents.push_back(spec);
        }
        const auto result = edge::runMultiEdge(request);
        for (size_t i = 0; i < 4; ++i) {
            const auto& a = result.agents[i];
            QVERIFY2(a.error.isEmpty(), qPrintable(a.name + ": " + a.error));
            QCOMPARE(a.frames.size(), size_t(kFrames));
            for (size_t k = 0; k < a.frames.size(); ++k) {
                QCOMPARE(a.frames[k].sequence, quint64(k));
                QCOMPARE(a.frames[k].predicted, expected_[i == 2 ? 4 : 2][k % size_t(images_.size())]);
            }
        }
        agents.clear(); // before the namespaces go
    }

private:

    edge::AgentRunSpec adaptiveAgent(size_t i, double rateMbps, int ratio, int firstImage, uint32_t frames,
                                     const QString& tag, double deadlineMs, int window = 1)
    {
        edge::AgentRunSpec spec;
        spec.name = QString("agent%1").arg(i + 1);
        spec.port = ports_[i];
        spec.token = kEdgeToken;
        spec.settings = {{"mode", "aecnn"}, {"rate_mbps", rateMbps}, {"window", window}, {"first_image", firstImage}};
        spec.modelPath = paths_[ratio];
        spec.frames = frames;
        spec.csvPath = dir_.filePath(QString("adaptive-%1-%2.csv").arg(tag, spec.name));
        edge::AdaptiveRatioSpec adaptive;
        adaptive.profile = tinyAdaptiveProfile("test_edge_multi");
        adaptive.split = 1;
        adaptive.deadlineMs = deadlineMs;
        adaptive.models = {{2, paths_[2]}, {4, paths_[4]}};
        spec.adaptive = adaptive;
        return spec;
    }

    // Every frame finished once, in order, from the next image, with the offline prediction
    // of the model of the V it was sent with; the V changes exactly at the recorded switches
    // (first_frame), and the CSV holds the same frames with the same V.
    void checkAdaptiveRun(const edge::AgentRunResult& a, const edge::AgentRunSpec& spec, int startRatio, int firstImage,
                          uint32_t frames)
    {
        QVERIFY2(a.error.isEmpty(), qPrintable(a.name + ": " + a.error));
        QVERIFY2(a.adaptiveError.isEmpty(), qPrintable(a.name + ": " + a.adaptiveError));
        QVERIFY(a.failed.empty());
        QCOMPARE(a.frames.size(), size_t(frames));
        int ratio = startRatio;
        size_t next = 0;
        for (size_t k = 0; k < a.frames.size(); ++k) {
            const auto& f = a.frames[k];
            QCOMPARE(f.sequence, quint64(k));
            if (next < a.switches.size() && a.switches[next].firstFrame == static_cast<int64_t>(k)) {
                QCOMPARE(a.switches[next].fromRatio, ratio);
                QVERIFY(a.switches[next].afterFrame < k);
                ratio = a.switches[next++].toRatio;
            }
            QCOMPARE(f.ratio, ratio);
            const int64_t image = (firstImage + static_cast<int64_t>(k)) % images_.size();
            QCOMPARE(f.label, static_cast<int>(images_.labels[image].item<int64_t>()));
            QCOMPARE(f.predicted, expected_[ratio][size_t(image)]);
        }
        // A switch asked for after the last frame was sent has no first frame; nothing else.
        QVERIFY2(next == a.switches.size() || (next + 1 == a.switches.size() && a.switches.back().firstFrame < 0),
                 qPrintable(QString("%1 of %2 switches seen in the frames").arg(next).arg(a.switches.size())));
        QVERIFY(a.adaptive && a.adaptive->live);
        const auto rows = csvRows(spec.csvPath);
        QCOMPARE(rows.size(), int(frames));
        const int ratioColumn = edge::FrameCsvWriter::header().split(',').indexOf("ratio");
        QCOMPARE(ratioColumn, edge::FrameCsvWriter::header().split(',').size() - 1); // appended at the end
        for (const auto& row : rows)
            QCOMPARE(row[ratioColumn].toInt(), a.frames[size_t(row[0].toInt())].ratio);
    }

    QTemporaryDir dir_;
    QString tokenFile_;
    ImageSet images_;
    std::map<int, QString> paths_;
    std::map<int, std::vector<int>> expected_;
    AgentProcess agents_[4];
    std::vector<quint16> ports_;
};

QTEST_GUILESS_MAIN(TestEdgeMulti)
#include "test_edge_multi.moc"
