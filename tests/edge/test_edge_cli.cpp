#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

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

        // The quantization range travels to the agent: the same predictions as offline with it.
        const auto fitted = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(server.port()), "--token-file",
                                    tokenFile, "--model", path, "--split", "1", "--ratio", "2", "--mode", "aecnn",
                                    "--codec", "context", "--bits", "3", "--range", "mse", "--frames", "16"});
        QVERIFY2(fitted.exitCode == 0, qPrintable(fitted.output));
        const auto fittedEval = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--codec", "context",
                                        "--bits", "3", "--range", "mse"});
        QVERIFY2(fittedEval.exitCode == 0, qPrintable(fittedEval.output));
        QCOMPARE(fitted.json.value("correct").toInt(), fittedEval.json.value("correct").toInt());
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
    }
};

QTEST_GUILESS_MAIN(TestEdgeCli)
#include "test_edge_cli.moc"
