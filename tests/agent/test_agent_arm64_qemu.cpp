// The arm64 agent (packaging/cross-arm64.sh) on emulated ARM: qemu-aarch64-static runs
// build-arm64's aecnn-agent with the arm64 sysroot, the x86 `aecnn edge` streams from it
// over loopback, and every frame's prediction must be the offline one for the same image:
// aecnn mode (head on ARM, context-coded 6-bit features, tail here) and full mode (JPEG made
// on ARM, whole model here). Skips with the reason when there is no arm64 build or no qemu.
// Where it is looked for: AECNN_ARM64_BUILD_DIR (environment, else the CMake cache variable
// of the same name, default <source>/build-arm64).

#include <set>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "../edge/edge_fixture.h"
#include "test_budget.h"

using namespace aecnn;
using namespace aecnn::testing;

namespace {

constexpr int kFrames = 16; // every image of synthetic:80's test split

struct CliRun {
    int exitCode = -1;
    QJsonObject json;
    QString output;
};

CliRun runCli(QStringList args, int timeoutMs)
{
    args << "--json" << "--threads" << "1";
    QProcess process;
    process.start(AECNN_CLI_PATH, args);
    CliRun run;
    if (!process.waitForFinished(aecnn::test::budgetMs(timeoutMs))) {
        process.kill();
        process.waitForFinished(5000);
        run.output = "timeout: aecnn " + args.join(' ');
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    const QByteArray out = process.readAllStandardOutput();
    run.output = QString::fromUtf8(out + process.readAllStandardError());
    run.json = QJsonDocument::fromJson(out).object();
    return run;
}

std::vector<int> predictionsOf(const QJsonObject& edgeJson)
{
    std::vector<int> p;
    for (const auto& v : edgeJson.value("predictions").toArray())
        p.push_back(v.toInt());
    return p;
}

QString listed(const std::vector<int>& values)
{
    QStringList s;
    for (int v : values)
        s << QString::number(v);
    return s.join(' ');
}

int distinctClasses(const std::vector<int>& predictions)
{
    return static_cast<int>(std::set<int>(predictions.begin(), predictions.end()).size());
}

// Random tiny models often predict one class for every image, which would make "the same
// predictions" say little: of kSeeds seeds, the model whose offline predictions spread over
// the most classes is used.
constexpr uint64_t kSeeds = 32;

// How the agent ran, for the reported times: under qemu they are emulation, not a Pi's.
const char* agentKind()
{
    return qEnvironmentVariableIsEmpty("AECNN_ARM64_TEST_NATIVE_AGENT") ? "emulated ARM (qemu-user here, not a Pi)"
                                                                         : "native x86 (control run)";
}

double stageMean(const QJsonObject& edgeJson, const char* stage)
{
    return edgeJson.value("stages").toObject().value(stage).toObject().value("mean").toDouble();
}

// The emulated agent, stopped in the destructor whatever happened.
class EmulatedAgent {
public:
    ~EmulatedAgent()
    {
        if (process_.state() != QProcess::NotRunning) {
            process_.terminate();
            if (!process_.waitForFinished(5000)) {
                process_.kill();
                process_.waitForFinished(5000);
            }
        }
    }

    // Returns the port it listens on, or 0 with the reason in *error.
    quint16 start(const QString& qemu, const QString& sysroot, const QString& agent, const QString& tokenFile,
                  QString* error)
    {
        process_.setProcessChannelMode(QProcess::MergedChannels);
        QStringList command{"-L", sysroot, agent};
        // Control run: AECNN_ARM64_TEST_NATIVE_AGENT=<x86 aecnn-agent> runs that one instead,
        // without qemu, so a difference can be told apart from one of the reference.
        const QString native = qEnvironmentVariable("AECNN_ARM64_TEST_NATIVE_AGENT");
        const QString program = native.isEmpty() ? qemu : native;
        if (!native.isEmpty())
            command.clear();
        process_.start(program, command + QStringList{"--listen", "127.0.0.1", "--port", "0", "--token-file",
                                                      tokenFile, "--dataset", kEdgeDataset, "--threads", "1"});
        QElapsedTimer timer;
        timer.start();
        const QRegularExpression listening("listening on 127\\.0\\.0\\.1:(\\d+)");
        // LibTorch's libraries load slowly under emulation.
        while (timer.elapsed() < aecnn::test::budgetMs(180000) && process_.state() != QProcess::NotRunning) {
            process_.waitForReadyRead(200);
            log_ += process_.readAll();
            const auto m = listening.match(QString::fromUtf8(log_));
            if (m.hasMatch()) {
                startupMs_ = timer.elapsed();
                return static_cast<quint16>(m.captured(1).toUInt());
            }
        }
        log_ += process_.readAll();
        *error = "the emulated agent did not start listening: " + QString::fromUtf8(log_);
        return 0;
    }

    qint64 startupMs() const { return startupMs_; }

private:
    QProcess process_;
    QByteArray log_;
    qint64 startupMs_ = 0;
};

} // namespace

class TestAgentArm64Qemu : public QObject {
    Q_OBJECT

private:
    QString buildDir_, agent_, sysroot_, qemu_;
    QTemporaryDir dir_;
    QString tokenFile_;
    quint16 port_ = 0;
    EmulatedAgent emulated_;

private Q_SLOTS:
    void initTestCase()
    {
        buildDir_ = qEnvironmentVariable("AECNN_ARM64_BUILD_DIR", AECNN_ARM64_BUILD_DIR);
        agent_ = buildDir_ + "/aecnn-agent";
        sysroot_ = buildDir_ + "/sysroot";
        if (!QFileInfo(agent_).isExecutable())
            QSKIP(qPrintable("no arm64 agent at " + agent_ +
                             ": build it with packaging/cross-arm64.sh (or set AECNN_ARM64_BUILD_DIR)"));
        if (!QFileInfo(sysroot_ + "/usr/lib/aarch64-linux-gnu").isDir())
            QSKIP(qPrintable("no arm64 sysroot at " + sysroot_ + ": packaging/cross-arm64.sh makes it"));
        qemu_ = QStandardPaths::findExecutable("qemu-aarch64-static");
        if (qemu_.isEmpty())
            QSKIP("qemu-aarch64-static is not installed (Debian package qemu-user-static; "
                  "packaging/cross-arm64.sh installs it)");
        QVERIFY(dir_.isValid());
        tokenFile_ = dir_.filePath("token");
        QFile file(tokenFile_);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(kEdgeToken + "\n");
        file.close();
        QString error;
        port_ = emulated_.start(qemu_, sysroot_, agent_, tokenFile_, &error);
        QVERIFY2(port_ != 0, qPrintable(error));
        const QString native = qEnvironmentVariable("AECNN_ARM64_TEST_NATIVE_AGENT");
        qInfo("%s: listening after %lld ms%s", qPrintable(native.isEmpty() ? "arm64 agent under " + qemu_ : native),
              static_cast<long long>(emulated_.startupMs()), native.isEmpty() ? " (emulated)" : " (control run, native)");
    }

    // Head on ARM: every frame's prediction is the offline head -> codec -> tail of the same
    // image, and the number correct is `aecnn eval --codec` of the same model.
    void aecnnModeMatchesOfflineEval()
    {
        TransportSettings transport;
        transport.coder = "context";
        transport.bits = 6;
        // The tiny AECNN models' random feature recovery makes them predict one class; the
        // CA_Pruned head (same head, same kept channels, same mode on the agent, no FR) is
        // used when no AECNN one spreads its predictions.
        AecnnClassifier model;
        std::vector<int> expected;
        const char* variantName = "";
        for (const auto& [variant, name] : {std::pair{SplitVariant::Aecnn, "aecnn"}, {SplitVariant::CaPruned, "ca_pruned"}})
            for (uint64_t seed = 41; seed < 41 + kSeeds; ++seed) {
                auto candidate = tinySplitModel(variant, 2, seed);
                auto predicted = offlineSplitPredictions(candidate, transport, edgeTestImages());
                if (distinctClasses(predicted) > distinctClasses(expected)) {
                    model = candidate;
                    expected = predicted;
                    variantName = name;
                }
            }
        QVERIFY2(distinctClasses(expected) >= 2, "every tiny split model predicts a single class");
        qInfo("split model: %s, V = 2, split 1", variantName);
        const QString path = dir_.filePath("split.aecnn");
        saveAecnnClassifier(path, model);

        const auto edge = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(port_), "--token-file", tokenFile_,
                                  "--model", path, "--mode", "aecnn", "--codec", "context", "--bits", "6", "--frames",
                                  QString::number(kFrames), "--timeout-s", "400"},
                                 420000);
        QVERIFY2(edge.exitCode == 0, qPrintable(edge.output));
        const auto eval = runCli({"eval", "--model", path, "--dataset", kEdgeDataset, "--codec", "context", "--bits", "6"},
                                 120000);
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.output));
        const auto predicted = predictionsOf(edge.json);
        QCOMPARE(static_cast<int>(predicted.size()), kFrames);
        QVERIFY2(predicted == expected, qPrintable("arm64: " + listed(predicted) + "\noffline: " + listed(expected)));
        QCOMPARE(edge.json.value("correct").toInt(), eval.json.value("correct").toInt());
        QCOMPARE(eval.json.value("n").toInt(), kFrames);
        qInfo("aecnn mode predictions (arm64 = offline, %d classes): %s", distinctClasses(predicted),
              qPrintable(listed(predicted)));
        qInfo("aecnn mode: %d/%d frames predicted as offline, %d correct (aecnn eval: %d/%d); %s agent per frame: "
              "head t_iot %.1f ms, encode t_enc %.1f ms",
              kFrames, kFrames, edge.json.value("correct").toInt(), eval.json.value("correct").toInt(),
              eval.json.value("n").toInt(), agentKind(), stageMean(edge.json, "t_iot_ms"),
              stageMean(edge.json, "t_enc_ms"));
    }

    // Full offloading: the ARM agent JPEG-encodes (quality 90) each image, the whole model
    // runs here; predictions are the offline JPEG round trip's. `aecnn eval` (no JPEG) is
    // reported next to it.
    void fullModeMatchesOfflineEval()
    {
        Classifier model;
        std::vector<int> expected;
        for (uint64_t seed = 5; seed < 5 + kSeeds; ++seed) {
            auto candidate = tinyWholeModel(seed);
            auto predicted = offlineWholePredictions(candidate, edgeTestImages(), 90);
            if (distinctClasses(predicted) > distinctClasses(expected)) {
                model = candidate;
                expected = predicted;
            }
        }
        QVERIFY2(distinctClasses(expected) >= 2, "every tiny model predicts a single class");
        const QString path = dir_.filePath("whole.aecnn");
        saveClassifier(path, model);

        const auto edge = runCli({"edge", "--connect", QString("127.0.0.1:%1").arg(port_), "--token-file", tokenFile_,
                                  "--model", path, "--mode", "full", "--frames", QString::number(kFrames),
                                  "--timeout-s", "400"},
                                 420000);
        QVERIFY2(edge.exitCode == 0, qPrintable(edge.output));
        const auto eval = runCli({"eval", "--model", path, "--dataset", kEdgeDataset}, 120000);
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.output));
        const auto predicted = predictionsOf(edge.json);
        QCOMPARE(static_cast<int>(predicted.size()), kFrames);
        QVERIFY2(predicted == expected, qPrintable("arm64: " + listed(predicted) + "\noffline: " + listed(expected)));
        qInfo("full mode predictions (arm64 = offline, %d classes): %s", distinctClasses(predicted),
              qPrintable(listed(predicted)));
        qInfo("full mode: %d/%d frames predicted as offline (JPEG q90 round trip), %d correct "
              "(aecnn eval without JPEG: %d/%d); %s agent per frame: t_iot %.1f ms, t_enc %.1f ms",
              kFrames, kFrames, edge.json.value("correct").toInt(), eval.json.value("correct").toInt(),
              eval.json.value("n").toInt(), agentKind(), stageMean(edge.json, "t_iot_ms"),
              stageMean(edge.json, "t_enc_ms"));
    }
};

QTEST_GUILESS_MAIN(TestAgentArm64Qemu)
#include "test_agent_arm64_qemu.moc"
