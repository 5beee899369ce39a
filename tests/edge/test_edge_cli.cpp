#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/edge/frame_csv.h"
#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/measured_profile.h"
#include "aecnn/split/split_model_files.h"

#include "agent_server.h"
#include "edge_fixture.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::testing;

namespace {

struct CliRun {
    int exitCode = -1;
    QJsonObject json;
    QString output;
};

// `count` in-process agents on free loopback ports (`token` empty: tokenless), their
// HOST:PORT in `endpoints`; false when one cannot listen.
bool startAgentServers(int count, const QByteArray& token, std::vector<std::unique_ptr<agent::AgentServer>>* servers,
                       QStringList* endpoints)
{
    for (int i = 0; i < count; ++i) {
        agent::AgentOptions options;
        options.port = 0;
        options.token = token;
        options.dataset = kEdgeDataset;
        servers->push_back(std::make_unique<agent::AgentServer>(options));
        if (!servers->back()->listen())
            return false;
        *endpoints << QString("127.0.0.1:%1").arg(servers->back()->port());
    }
    return true;
}

// Runs `aecnn ARGS --json --threads 1` while this thread's event loop keeps serving
// the in-process agent.
CliRun runCli(QStringList args)
{
    args << "--json" << "--threads" << "1";
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(AECNN_CLI_PATH, args);
    CliRun run;
    if (!finished.wait(aecnn::test::budgetMs(90000))) {
        process.kill();
        run.output = "timeout";
        return run;
    }
    run.exitCode = process.exitCode();
    const QByteArray out = process.readAllStandardOutput();
    run.output = QString::fromUtf8(out + process.readAllStandardError());
    run.json = QJsonDocument::fromJson(out).object();
    return run;
}

} // namespace

// `aecnn edge` against an agent: its accuracy over N frames is `aecnn eval --codec` of
// the same model on the same images; the CSV has a row per frame.
class TestEdgeCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void edgeAccuracyEqualsOfflineEval()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto model = tinySplitModel(SplitVariant::Aecnn, 2, 41);
        const QString path = dir.filePath("split.aecnn");
        saveAecnnClassifier(path, model);
        const QString tokenFile = dir.filePath("token");
        {
            QFile file(tokenFile);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(kEdgeToken + "\n");
        }
        agent::AgentOptions options;
        options.port = 0;
        options.token = kEdgeToken;
        options.dataset = kEdgeDataset;
        agent::AgentServer server(options);
        QVERIFY(server.listen());

        const QString csv = dir.filePath("frames.csv");
        const auto edge = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(server.port()), "--token-file",
                                  tokenFile, "--model", path, "--split", "1", "--ratio", "2", "--mode", "aecnn",
                                  "--codec", "context", "--bits", "6", "--frames", "16", "--csv", csv});
        QVERIFY2(edge.exitCode == 0, qPrintable(edge.output));
        const auto eval = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--codec", "context", "--bits", "6"});
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.output));
        QCOMPARE(edge.json.value("n").toInt(), 16);
        QCOMPARE(edge.json.value("correct").toInt(), eval.json.value("correct").toInt());
        QCOMPARE(edge.json.value("accuracy").toDouble(), eval.json.value("accuracy").toDouble());
        QVERIFY(edge.json.value("stages").toObject().value("t_es_ms").toObject().value("mean").toDouble() > 0);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        int rows = 0;
        for (const auto& line : file.readAll().split('\n'))
            rows += !line.isEmpty() && !line.startsWith('#') && !line.startsWith("sequence");
        QCOMPARE(rows, 16);
        // Provenance of the profile prediction: this agent has no profile, so the Pi 4 table.
        const auto profile = edge.json.value("device_profile").toObject();
        QCOMPARE(profile.value("name").toString(), QString("pi4"));
        QVERIFY(!profile.value("from_device").toBool());
        QVERIFY2(profile.value("note").toString().contains("no device profile"), qPrintable(profile.value("note").toString()));
        file.seek(0);
        auto lines = file.readAll().split('\n');
        while (!lines.isEmpty() && lines.front().startsWith('#'))
            lines.removeFirst(); // provenance lines
        const int column = lines.value(0).split(',').indexOf("device_profile");
        QVERIFY(column > 0);
        QCOMPARE(lines.value(1).split(',').value(column), QByteArray("pi4"));

        // The quantization range travels to the agent: the same predictions as offline with it.
        const auto fitted = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(server.port()), "--token-file",
                                    tokenFile, "--model", path, "--split", "1", "--ratio", "2", "--mode", "aecnn",
                                    "--codec", "context", "--bits", "3", "--range", "mse", "--frames", "16"});
        QVERIFY2(fitted.exitCode == 0, qPrintable(fitted.output));
        const auto fittedEval = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--codec", "context",
                                        "--bits", "3", "--range", "mse"});
        QVERIFY2(fittedEval.exitCode == 0, qPrintable(fittedEval.output));
        QCOMPARE(fitted.json.value("correct").toInt(), fittedEval.json.value("correct").toInt());

        // Compact frames without device times (--frame-header compact --frame-timing off) and calibrated
        // ranges: the same predictions and codec bytes as `eval --calibrate` (which must load the training
        // images it calibrates on), 4-5 bytes of framing per frame, and no device stage times.
        const auto compact = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(server.port()), "--token-file",
                                     tokenFile, "--model", path, "--mode", "aecnn", "--codec", "context", "--bits", "3",
                                     "--range", "mse", "--framing", "session", "--calibrate", "8",
                                     "--calibration-dataset", kEdgeDataset, "--frame-header", "compact",
                                     "--frame-timing", "off", "--frames", "16"});
        QVERIFY2(compact.exitCode == 0, qPrintable(compact.output));
        const auto compactEval = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--codec", "context",
                                         "--bits", "3", "--range", "mse", "--framing", "session", "--calibrate", "8"});
        QVERIFY2(compactEval.exitCode == 0, qPrintable(compactEval.output));
        QCOMPARE(compactEval.json.value("calibration_images").toInt(), 8);
        const auto offline = compactEval.json.value("results").toArray().at(0).toObject();
        QVERIFY(offline.value("fixed_ranges").toBool());
        QVERIFY(compact.json.value("fixed_ranges").toBool());
        QCOMPARE(compact.json.value("correct").toInt(), offline.value("correct").toInt());
        QCOMPARE(compact.json.value("payload_bytes_per_frame").toDouble(), offline.value("mean_frame_bytes").toDouble());
        // --batch-size 1 runs the head one frame at a time, as the agent does: the same result here.
        const auto frameByFrame = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--codec", "context",
                                          "--bits", "3", "--range", "mse", "--framing", "session", "--calibrate", "8",
                                          "--batch-size", "1"});
        QVERIFY2(frameByFrame.exitCode == 0, qPrintable(frameByFrame.output));
        QCOMPARE(frameByFrame.json.value("forward_batch").toObject().value("batch_size").toInt(), 1);
        QCOMPARE(frameByFrame.json.value("correct").toInt(), compact.json.value("correct").toInt());
        QCOMPARE(frameByFrame.json.value("mean_frame_bytes").toDouble(),
                 compact.json.value("payload_bytes_per_frame").toDouble());
        const auto noBatch = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--batch-size", "0"});
        QVERIFY(noBatch.exitCode != 0);
        QVERIFY2(noBatch.output.contains("--batch-size must be an integer in 1..4096"), qPrintable(noBatch.output));
        const double framing = compact.json.value("framing_bytes_per_frame").toDouble();
        QVERIFY2(framing >= 4 && framing <= 5, qPrintable(QString::number(framing)));
        const auto compactStages = compact.json.value("stages").toObject();
        QCOMPARE(compactStages.value("t_iot_ms").toObject().value("count").toInt(), 0);
        QCOMPARE(compactStages.value("t_com_ms").toObject().value("count").toInt(), 0);
        QCOMPARE(compactStages.value("t_es_ms").toObject().value("count").toInt(), 16);
        QCOMPARE(compact.json.value("settings").toObject().value("frame_header").toString(), QString("compact"));
        QCOMPARE(compact.json.value("context_priors").toInt(), 0);

        // --context-priors: counted on the edge's calibration images, sent in the session layout;
        // the device codes with them, so live and offline agree on predictions and bytes.
        const auto primed = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(server.port()), "--token-file",
                                    tokenFile, "--model", path, "--mode", "aecnn", "--codec", "context", "--bits", "3",
                                    "--range", "mse", "--framing", "session", "--calibrate", "8",
                                    "--calibration-dataset", kEdgeDataset, "--context-priors", "--frame-header",
                                    "compact", "--frame-timing", "off", "--frames", "16"});
        QVERIFY2(primed.exitCode == 0, qPrintable(primed.output));
        const auto primedEval = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--codec", "context",
                                        "--bits", "3", "--range", "mse", "--framing", "session", "--calibrate", "8",
                                        "--context-priors"});
        QVERIFY2(primedEval.exitCode == 0, qPrintable(primedEval.output));
        const auto primedOffline = primedEval.json.value("results").toArray().at(0).toObject();
        QVERIFY(primed.json.value("context_priors").toInt() > 0);
        QCOMPARE(primed.json.value("context_priors").toInt(), primedOffline.value("context_priors").toInt());
        QCOMPARE(primed.json.value("correct").toInt(), offline.value("correct").toInt()); // the same symbols
        QCOMPARE(primed.json.value("payload_bytes_per_frame").toDouble(),
                 primedOffline.value("mean_frame_bytes").toDouble());
        // Without calibration images there is nothing to count them on.
        const auto noCalibration = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(server.port()),
                                           "--token-file", tokenFile, "--model", path, "--mode", "aecnn", "--codec",
                                           "context", "--framing", "session", "--context-priors", "--frames", "4"});
        QVERIFY(noCalibration.exitCode != 0);
        QVERIFY2(noCalibration.output.contains("--context-priors needs --calibrate"), qPrintable(noCalibration.output));

        // An agent with a profile: `aecnn edge` names it and predicts with it.
        latency::MeasuredDeviceProfile measured;
        measured.name = "cli-test-device";
        measured.arch = "test";
        measured.inputHeight = measured.inputWidth = 28;
        measured.inputChannels = 1;
        measured.heads = {{1, 1, 8, 14, 14, 2.0}, {1, 2, 4, 14, 14, 1.0}};
        measured.encoders = {{1, 2, "context", 6, 0.25, 2.0}};
        options.deviceProfile = latency::toJson(measured);
        agent::AgentServer profiled(options);
        QVERIFY(profiled.listen());
        const auto own = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(profiled.port()), "--token-file",
                                 tokenFile, "--model", path, "--mode", "aecnn", "--codec", "context", "--bits", "6",
                                 "--frames", "4"});
        QVERIFY2(own.exitCode == 0, qPrintable(own.output));
        QCOMPARE(own.json.value("device_profile").toObject().value("name").toString(), QString("cli-test-device"));
        QVERIFY(own.json.value("device_profile").toObject().value("from_device").toBool());
        // Eq. 4 from the profile: 1 + 0.25 ms on the device (unshaped link) + this edge's t_dec + t_es.
        const auto stages = own.json.value("stages").toObject();
        const double edgeSide = stages.value("t_dec_ms").toObject().value("mean").toDouble() +
                                stages.value("t_es_ms").toObject().value("mean").toDouble();
        QCOMPARE(own.json.value("profile_predicted_ms").toObject().value("mean").toDouble(), 1.25 + edgeSide);
    }

    // Many devices, one edge from the command line: per-agent settings and models, one CSV
    // per agent, each agent's accuracy equal to offline eval; an unreachable agent fails
    // alone and the others' results stand.
    void manyAgentsOneEdge()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QStringList paths;
        for (int ratio : {2, 4}) {
            auto model = tinySplitModel(SplitVariant::Aecnn, ratio, 50 + ratio);
            paths << dir.filePath(QString("split-v%1.aecnn").arg(ratio));
            saveAecnnClassifier(paths.back(), model);
        }
        const QString tokenFile = dir.filePath("token");
        {
            QFile file(tokenFile);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(kEdgeToken + "\n");
        }
        std::vector<std::unique_ptr<agent::AgentServer>> servers;
        QStringList endpoints;
        QVERIFY(startAgentServers(2, kEdgeToken, &servers, &endpoints));
        const QString settings = dir.filePath("agents.json");
        {
            QFile file(settings);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QString(R"([{"rate_mbps": 1, "model": "%1"}, {"rate_mbps": 4, "window": 0, "model": "%2"}])")
                           .arg(paths[0], paths[1])
                           .toUtf8());
        }
        const QString csv = dir.filePath("frames.csv");
        const auto edge = runCli({"edge", "--connect", endpoints.join(','), "--token-file", tokenFile, "--agent-settings",
                                  settings, "--frames", "16", "--csv", csv});
        QVERIFY2(edge.exitCode == 0, qPrintable(edge.output));
        const auto agents = edge.json.value("agents").toArray();
        QCOMPARE(agents.size(), 2);
        QCOMPARE(edge.json.value("agents_failed").toInt(), 0);
        QCOMPARE(edge.json.value("frames").toInt(), 32);
        QVERIFY(edge.json.value("frames_per_second").toDouble() > 0);
        QVERIFY(edge.json.value("batching").toObject().value("enabled").toBool());
        for (int i = 0; i < 2; ++i) {
            const auto a = agents[i].toObject();
            QCOMPARE(a.value("frames").toInt(), 16);
            QCOMPARE(a.value("ratio").toInt(), i == 0 ? 2 : 4);
            QVERIFY(a.value("completion_ms").toObject().value("p95").toDouble() > 0);
            const auto eval = runCli({"eval", "--model", paths[i], "--dataset", kEdgeDataset, "--codec", "zstd-entropy"});
            QVERIFY2(eval.exitCode == 0, qPrintable(eval.output));
            QCOMPARE(a.value("correct").toInt(), eval.json.value("correct").toInt());
            const QString agentCsv = dir.filePath(QString("frames-agent%1.csv").arg(i + 1));
            QCOMPARE(a.value("csv").toString(), agentCsv);
            QFile file(agentCsv);
            QVERIFY(file.open(QIODevice::ReadOnly));
            int rows = 0;
            for (const auto& line : file.readAll().split('\n'))
                rows += !line.isEmpty() && !line.startsWith('#') && !line.startsWith("sequence");
            QCOMPARE(rows, 16);
        }

        // Nothing listens on the second endpoint: that agent fails, the first finishes.
        const auto partial = runCli({"edge", "--connect", endpoints[0] + ",127.0.0.1:9", "--token-file", tokenFile,
                                     "--model", paths[0], "--frames", "8", "--no-batching"});
        QVERIFY2(partial.exitCode == 0, qPrintable(partial.output));
        QCOMPARE(partial.json.value("agents_failed").toInt(), 1);
        const auto both = partial.json.value("agents").toArray();
        QCOMPARE(both[0].toObject().value("frames").toInt(), 8);
        QVERIFY(!both[1].toObject().value("error").toString().isEmpty());

        const auto mismatch = runCli({"edge", "--connect", endpoints.join(','), "--agent-settings", settings + "x"});
        QCOMPARE(mismatch.exitCode, 2);
        QVERIFY2(mismatch.output.contains("--agent-settings"), qPrintable(mismatch.output));
    }

    // `aecnn edge --connect A,B --deadline-ms MS --adaptive`: each agent's V switched live. A
    // slow agent (0.02 Mbps) started at V=2 ends at V=4, a fast one (8 Mbps) started at V=4
    // ends at V=2 (a profile of the tiny models' split: V=2 fits 800 ms from about 0.035 Mbps
    // on, V=4 from 0.016); every frame's prediction is the offline one of the V its CSV row names.
    void adaptiveRatioSwitchesLive()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const auto images = edgeTestImages();
        std::map<int, std::vector<int>> expected;
        std::map<int, QString> paths;
        for (int ratio : {2, 4}) {
            auto model = tinySplitModel(SplitVariant::Aecnn, ratio, 60 + ratio);
            paths[ratio] = dir.filePath(splitModelFileName(1, ratio, SplitVariant::Aecnn)); // found next to each other
            saveAecnnClassifier(paths[ratio], model);
            expected[ratio] = offlineSplitPredictions(model, TransportSettings{}, images);
        }
        const latency::DeviceProfile profile = tinyAdaptiveProfile("test_edge_cli");
        const QString profilePath = dir.filePath("tiny-profile.json");
        latency::writeDeviceProfile(profilePath, profile);
        std::vector<std::unique_ptr<agent::AgentServer>> servers;
        QStringList endpoints;
        QVERIFY(startAgentServers(2, {}, &servers, &endpoints));
        const QString settings = dir.filePath("agents.json");
        {
            QFile file(settings);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QString(R"([{"rate_mbps": 0.02, "model": "%1"}, {"rate_mbps": 8, "model": "%2"}])")
                           .arg(paths[2], paths[4])
                           .toUtf8());
        }
        const QString csv = dir.filePath("adaptive.csv");
        const auto edge = runCli({"edge", "--connect", endpoints.join(','), "--agent-settings", settings, "--frames",
                                  "8", "--deadline-ms", "800", "--profile", profilePath, "--adaptive", "--csv", csv});
        QVERIFY2(edge.exitCode == 0, qPrintable(edge.output));
        const auto agents = edge.json.value("agents").toArray();
        QCOMPARE(agents.size(), 2);
        const int ends[] = {4, 2};
        for (int i = 0; i < 2; ++i) {
            const auto a = agents[i].toObject();
            QVERIFY2(a.value("error").toString().isEmpty(), qPrintable(a.value("error").toString()));
            QCOMPARE(a.value("frames").toInt(), 8);
            QVERIFY(a.value("adaptive_live").toBool());
            QCOMPARE(a.value("final_ratio").toInt(), ends[i]);
            const auto switches = a.value("ratio_switches").toArray();
            QVERIFY2(!switches.isEmpty(), qPrintable(edge.output));
            QCOMPARE(switches[0].toObject().value("from").toInt(), 6 - ends[i]);
            QCOMPARE(switches[0].toObject().value("to").toInt(), ends[i]);
            QCOMPARE(switches[0].toObject().value("why").toString(), QString("rate"));
            QVERIFY(switches[0].toObject().value("first_frame").toInt() > switches[0].toObject().value("after_frame").toInt());
            // Each row: the V the frame was sent with (last column), the prediction of that V's model.
            const auto predictions = a.value("predictions").toArray();
            QFile file(dir.filePath(QString("adaptive-agent%1.csv").arg(i + 1)));
            QVERIFY(file.open(QIODevice::ReadOnly));
            const auto header = edge::FrameCsvWriter::header().split(',');
            int rows = 0;
            for (const auto& line : file.readAll().split('\n')) {
                if (line.isEmpty() || line.startsWith('#') || line.startsWith("sequence"))
                    continue;
                const auto cells = QString::fromUtf8(line).split(',');
                QCOMPARE(cells.size(), header.size());
                const int k = cells[0].toInt(), ratio = cells.back().toInt();
                QVERIFY(ratio == 2 || ratio == 4);
                QCOMPARE(cells[3].toInt(), expected[ratio][size_t(k % images.size())]);
                QCOMPARE(predictions[k].toInt(), cells[3].toInt());
                ++rows;
            }
            QCOMPARE(rows, 8);
        }
        const auto noDeadline = runCli({"edge", "--connect", endpoints.join(','), "--adaptive"});
        QCOMPARE(noDeadline.exitCode, 2);
        QVERIFY2(noDeadline.output.contains("--adaptive needs --deadline-ms"), qPrintable(noDeadline.output));
    }

    void usageErrorsNameTheProblem()
    {
        auto run = runCli({"edge", "--connect", "nohost", "--mode", "aecnn"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("HOST:PORT"), qPrintable(run.output));
        run = runCli({"edge", "--mode", "smoke-signals"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("aecnn, bottlenetpp, full or local"), qPrintable(run.output));
        run = runCli({"edge", "--connect", "127.0.0.1:9", "--mode", "full", "--range", "mse"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("--range applies to --mode aecnn or bottlenetpp"), qPrintable(run.output));
        run = runCli({"edge", "--connect", "127.0.0.1:9", "--mode", "full", "--encrypt", "maybe"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("--encrypt must be on, off or auto"), qPrintable(run.output));
        run = runCli({"edge", "--connect", "127.0.0.1:9", "--mode", "full", "--encrypt", "on"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("--encrypt on needs --token-file"), qPrintable(run.output));
        run = runCli({"edge", "--connect", "127.0.0.1:9", "--mode", "aecnn", "--frame-header", "compact"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("--frame-header compact needs --framing session"), qPrintable(run.output));
        run = runCli({"edge", "--connect", "127.0.0.1:9", "--mode", "aecnn", "--framing", "session", "--frame-timing",
                      "off"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("--frame-timing off needs --frame-header compact"), qPrintable(run.output));
        run = runCli({"edge", "--connect", "127.0.0.1:9", "--mode", "aecnn", "--frame-header", "tiny"});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.output.contains("--frame-header must be full or compact"), qPrintable(run.output));
    }
};

QTEST_GUILESS_MAIN(TestEdgeCli)
#include "test_edge_cli.moc"
