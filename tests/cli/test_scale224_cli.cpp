#include <QtTest>

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include "cli_runner.h"

// The paper's scale end to end at reduced width and tiny budgets: a ResNet-50 with
// torchvision's ImageNet stem on 224 x 224 RGB (synthetic shapes), its split points,
// Algorithm 1, eval --codec, reproduce table1 / fig4 / fig5, the live edge + agent, and
// the memory and device checks of training.
namespace {

const QString kData = QStringLiteral("synthetic:40"); // 32 training, 8 test images
const QStringList kThreads{"--threads", "1", "--json"};

CliResult runWithEnv(const QStringList& args, const QString& name, const QString& value)
{
    QProcess process;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(name, value);
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(AECNN_CLI_PATH), args);
    CliResult result;
    if (!process.waitForFinished(aecnn::test::budgetMs(60000))) {
        process.kill();
        process.waitForFinished();
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    result.json = QJsonDocument::fromJson(result.out).object();
    result.jsonValid = !result.json.isEmpty();
    return result;
}

QString why(const CliResult& r)
{
    return QString::fromUtf8(r.out.left(2000) + "\n" + r.err.left(2000));
}

} // namespace

class TestScale224Cli : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString model_;
    QString models_;
    QJsonObject offlineEval_; // eval --codec of split1-v2-aecnn on the 8 test images
    QJsonObject trainJson_, aecnnTrainJson_, reproduceJson_; // --json of runs with the default --device auto

    QString path(const QString& name) const { return dir_.filePath(name); }
    QStringList trainArgs(const QString& out) const
    {
        return QStringList{"train", "--dataset", kData, "--input", "224x224", "--channels", "3", "--stem", "imagenet",
                           "--stem-channels", "8", "--stage-planes", "4,4,4,8", "--epochs", "1", "--max-steps", "2",
                           "--test-limit", "8", "--out", out} +
               kThreads;
    }
    QStringList algorithm1Budget() const
    {
        return {"--dataset", kData, "--splits", "1", "--ratios", "2", "--epochs-ca", "0.1", "--epochs-finetune", "0.1",
                "--epochs-fr", "0.1", "--batch-size", "8", "--no-bottlenet", "--eval-limit", "8",
                "--importance-batches", "1", "--importance-batch-size", "8"};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = path("base224.ckpt");
        const auto r = runCli(trainArgs(model_) + QStringList{"--batch-size", "8"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(why(r)));
        QCOMPARE(r.json["config"].toObject()["stem"].toString(), QString("imagenet"));
        QCOMPARE(r.json["batch"].toObject()["batch_size"].toInt(), 8);
        QVERIFY(r.json["memory"].toObject()["peak_rss_bytes"].toInteger() > 0);
        QCOMPARE(r.json["device"].toString(), QString("cpu"));
        trainJson_ = r.json;
    }

    void splitsAt224()
    {
        const auto r = runCli(QStringList{"splits", "--model", model_} + kThreads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        QCOMPARE(r.json["input"].toArray(), (QJsonArray{224, 224}));
        const auto splits = r.json["splits"].toArray();
        QCOMPARE(splits.size(), 17);
        const auto shape = [&](int i) {
            const auto s = splits[i].toObject();
            return QString("%1x%2x%3").arg(s["channels"].toInt()).arg(s["height"].toInt()).arg(s["width"].toInt());
        };
        QCOMPARE(shape(0), QString("8x56x56")); // after conv1 7x7/2 + maxpool 3x3/2
        QCOMPARE(shape(1), QString("16x56x56"));
        QCOMPARE(shape(4), QString("16x28x28"));
        QCOMPARE(shape(8), QString("16x14x14"));
        QCOMPARE(shape(16), QString("32x7x7"));
    }

    void algorithm1EvalCodecAndReproduceAt224()
    {
        models_ = path("models");
        auto r = runCli(QStringList{"aecnn-train", "--model", model_, "--out", models_} + algorithm1Budget() + kThreads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        QVERIFY(r.json["memory"].toObject()["peak_rss_bytes"].toInteger() > 0);
        QCOMPARE(r.json["batch"].toObject()["batch_size"].toInt(), 8);
        aecnnTrainJson_ = r.json;
        const QString aecnn = models_ + "/split1-v2-aecnn.aecnn";
        QVERIFY(QFile::exists(aecnn));

        // eval --codec: 4 of the 8 x 56 x 56 channels go out, far fewer bytes than the float map.
        r = runCli(QStringList{"eval", "--model", aecnn, "--dataset", kData, "--codec", "context", "--bits", "8",
                               "--limit", "8"} +
                   kThreads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        QCOMPARE(r.json["transmitted_shape"].toString(), QString("4x56x56"));
        QCOMPARE(r.json["n"].toInt(), 8);
        QCOMPARE(r.json["unsplit_bytes"].toInteger(), qint64(4 * 8 * 56 * 56));
        offlineEval_ = r.json;
        const double bytes = r.json["mean_frame_bytes"].toDouble();
        QVERIFY2(bytes > 0 && bytes < 4 * 56 * 56 + 200, qPrintable(QString::number(bytes)));

        // reproduce resumes the same models (--models) instead of training again.
        const QString out = path("reproduce");
        r = runCli(QStringList{"reproduce", "table1", "--model", model_, "--models", models_, "--out", out,
                               "--codec-images", "4"} +
                   algorithm1Budget() + kThreads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        reproduceJson_ = r.json;
        const auto table = r.json["table1"].toArray();
        QCOMPARE(table.size(), 1);
        QCOMPARE(table[0].toObject()["H"].toInt(), 56);
        QCOMPARE(table[0].toObject()["kept_C"].toInt(), 4);
        QVERIFY(QFile::exists(out + "/table1.csv"));
        r = runCli(QStringList{"reproduce", "fig4", "--model", model_, "--models", models_, "--out", out} +
                   algorithm1Budget() + kThreads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        r = runCli(QStringList{"reproduce", "fig5", "--model", model_, "--models", models_, "--out", out,
                               "--live-ratios", "2", "--rates", "20", "--frames", "4"} +
                   algorithm1Budget() + kThreads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        const auto live = r.json["live"].toArray();
        QCOMPARE(live.size(), 1);
        QCOMPARE(live[0].toObject()["frames"].toInt(), 4);
        QVERIFY(live[0].toObject()["bytes_per_frame"].toDouble() > 0);
    }

    // The live path: aecnn-agent streams 224 x 224 RGB frames, `aecnn edge` classifies
    // them, and the predictions are those of the offline eval --codec on the same images.
    void edgeAndAgentAt224MatchOfflineEval()
    {
        const QString aecnn = models_ + "/split1-v2-aecnn.aecnn";
        QVERIFY(QFile::exists(aecnn));
        QProcess agent;
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove("AECNN_AGENT_TOKEN");
        agent.setProcessEnvironment(env);
        agent.setStandardOutputFile(QProcess::nullDevice());
        agent.setStandardErrorFile(path("agent.log"));
        agent.start(QStringLiteral(AECNN_AGENT_PATH),
                    {"--listen", "127.0.0.1", "--port", "0", "--dataset", kData, "--threads", "1"});
        QVERIFY(agent.waitForStarted(10000));
        QString port;
        QElapsedTimer timer;
        timer.start();
        const QRegularExpression listening("listening on [^ ]+:(\\d+)");
        while (port.isEmpty() && timer.elapsed() < aecnn::test::budgetMs(30000) && agent.state() != QProcess::NotRunning) {
            QTest::qWait(100);
            QFile log(path("agent.log"));
            if (log.open(QIODevice::ReadOnly)) {
                const auto match = listening.match(QString::fromUtf8(log.readAll()));
                if (match.hasMatch())
                    port = match.captured(1);
            }
        }
        QVERIFY2(!port.isEmpty(), "aecnn-agent did not start listening");
        const auto edge = runCli(QStringList{"edge", "--connect", "127.0.0.1:" + port, "--model", aecnn, "--mode",
                                             "aecnn", "--codec", "context", "--bits", "8", "--frames", "8"} +
                                 kThreads);
        agent.terminate();
        agent.waitForFinished(5000);
        QVERIFY2(edge.exitCode == 0, qPrintable(why(edge)));
        QVERIFY(!offlineEval_.isEmpty());
        QCOMPARE(edge.json["n"].toInt(), 8);
        QCOMPARE(edge.json["correct"].toInt(), offlineEval_["correct"].toInt());
        // The same coded tensors; the live frame adds the session's record framing.
        const double overhead = edge.json["bytes_per_frame"].toObject()["mean"].toDouble() -
                                offlineEval_["mean_frame_bytes"].toDouble();
        QVERIFY2(overhead >= 0 && overhead < 128, qPrintable(QString::number(overhead)));
    }

    // Inference batches (importance / Eq. 8 streaming, eval --codec) are chosen by
    // memory_budget: with 20 MB "available" (10 MB planned) and about 2.2 MB per 224^2
    // image of this net, 16-image batches become 4-image ones, and the results stay the
    // same (eval mode: the images are independent; Eq. 8 sums in double).
    void inferenceBatchesFitTheMemory()
    {
        const QStringList importance{"importance", "--model",      model_, "--split",      "1", "--dataset", kData,
                                     "--limit",    "16",           "--batches", "1",       "--batch-size", "16",
                                     "--ratios",   "2",            "--out",  path("imp.csv"), "--threads", "1",
                                     "--json"};
        const auto roomy = runCli(importance);
        QVERIFY2(roomy.exitCode == 0 && roomy.jsonValid, qPrintable(why(roomy)));
        QCOMPARE(roomy.json["forward_batch"].toObject()["batch_size"].toInt(), 16);
        const auto tight = runWithEnv(importance, "AECNN_MEMORY_LIMIT_MB", "20");
        QVERIFY2(tight.exitCode == 0 && tight.jsonValid, qPrintable(why(tight)));
        const auto forward = tight.json["forward_batch"].toObject();
        QVERIFY(forward["lowered"].toBool());
        QCOMPARE(forward["wanted"].toInt(), 16);
        QVERIFY2(forward["batch_size"].toInt() >= 1 && forward["batch_size"].toInt() <= 4,
                 qPrintable(QString::number(forward["batch_size"].toInt())));
        QVERIFY(forward["batch_size"].toInt() * forward["estimated_bytes_per_image"].toInteger() <= 10LL << 20);
        const auto a = roomy.json["importance"].toArray(), b = tight.json["importance"].toArray();
        QCOMPARE(a.size(), 8);
        QCOMPARE(b.size(), a.size());
        for (int c = 0; c < a.size(); ++c)
            QVERIFY2(std::abs(a[c].toDouble() - b[c].toDouble()) <= 1e-12 * std::abs(a[c].toDouble()),
                     qPrintable(QString("channel %1").arg(c)));
        const auto batchA = roomy.json["batch_means"].toArray()[0].toArray();
        const auto batchB = tight.json["batch_means"].toArray()[0].toArray();
        for (int c = 0; c < batchA.size(); ++c)
            QVERIFY(std::abs(batchA[c].toDouble() - batchB[c].toDouble()) <= 1e-12 * std::abs(batchA[c].toDouble()));

        const QString aecnn = models_ + "/split1-v2-aecnn.aecnn";
        const QStringList eval{"eval", "--model", aecnn,  "--dataset", kData,       "--codec", "context",
                               "--bits", "8",     "--limit", "8",     "--threads", "1",       "--json"};
        const auto codecTight = runWithEnv(eval, "AECNN_MEMORY_LIMIT_MB", "20");
        QVERIFY2(codecTight.exitCode == 0 && codecTight.jsonValid, qPrintable(why(codecTight)));
        QVERIFY(!offlineEval_.isEmpty());
        QCOMPARE(offlineEval_["forward_batch"].toObject()["batch_size"].toInt(), 128);
        QVERIFY(codecTight.json["forward_batch"].toObject()["batch_size"].toInt() <= 4);
        QCOMPARE(codecTight.json["correct"].toInt(), offlineEval_["correct"].toInt());
        QCOMPARE(codecTight.json["mean_frame_bytes"].toDouble(), offlineEval_["mean_frame_bytes"].toDouble());

        // Plain eval (no codec) of the classifier and of the split model, on the 32 training
        // images: the same counts with 128 images per batch as with the few that fit in 20 MB.
        for (const QString& m : {model_, aecnn}) {
            const QStringList plain{"eval",   "--model", m,    "--dataset", kData,       "--subset",
                                    "train",  "--limit", "32", "--threads", "1",         "--json"};
            const auto plainRoomy = runCli(plain);
            QVERIFY2(plainRoomy.exitCode == 0 && plainRoomy.jsonValid, qPrintable(why(plainRoomy)));
            const auto plainTight = runWithEnv(plain, "AECNN_MEMORY_LIMIT_MB", "20");
            QVERIFY2(plainTight.exitCode == 0 && plainTight.jsonValid, qPrintable(why(plainTight)));
            const auto roomyBatch = plainRoomy.json["forward_batch"].toObject();
            const auto tightBatch = plainTight.json["forward_batch"].toObject();
            QCOMPARE(roomyBatch["batch_size"].toInt(), 128);
            QVERIFY(!roomyBatch["lowered"].toBool());
            QVERIFY(tightBatch["lowered"].toBool());
            QVERIFY2(tightBatch["batch_size"].toInt() >= 1 && tightBatch["batch_size"].toInt() <= 4,
                     qPrintable(QString::number(tightBatch["batch_size"].toInt())));
            QVERIFY(tightBatch["batch_size"].toInt() * tightBatch["estimated_bytes_per_image"].toInteger() <=
                    10LL << 20);
            QCOMPARE(plainTight.json["n"].toInt(), 32);
            QCOMPARE(plainTight.json["correct"].toInt(), plainRoomy.json["correct"].toInt());
            QCOMPARE(plainTight.json["accuracy"].toDouble(), plainRoomy.json["accuracy"].toDouble());
        }
    }

    // An explicit batch whose estimate exceeds the (injected) memory is refused before
    // training, naming the estimate, the memory and the batch that fits; auto picks that batch.
    void batchSizeThatDoesNotFit()
    {
        const auto refused = runWithEnv(trainArgs(path("refused.ckpt")) + QStringList{"--batch-size", "64"},
                                        "AECNN_MEMORY_LIMIT_MB", "40");
        QCOMPARE(refused.exitCode, 2);
        const QString message = QString::fromUtf8(refused.err);
        QVERIFY2(message.contains("--batch-size 64 needs about") && message.contains("available") &&
                     message.contains("use --batch-size "),
                 qPrintable(message));
        QVERIFY(!QFile::exists(path("refused.ckpt")));
        const int suggested = QRegularExpression("use --batch-size (\\d+)").match(message).captured(1).toInt();
        QVERIFY2(suggested >= 1 && suggested < 64, qPrintable(message));

        const auto automatic = runWithEnv(trainArgs(path("auto.ckpt")), "AECNN_MEMORY_LIMIT_MB", "40");
        QVERIFY2(automatic.exitCode == 0, qPrintable(why(automatic)));
        const auto batch = automatic.json["batch"].toObject();
        QVERIFY(batch["automatic"].toBool());
        QCOMPARE(batch["batch_size"].toInt(), suggested);
        QVERIFY(batch["estimated_bytes"].toInteger() <= 20LL << 20); // half of the 40 MB

        const auto lowered = runWithEnv(trainArgs(path("lowered.ckpt")) +
                                            QStringList{"--batch-size", "64", "--batch-size-fit", "lower"},
                                        "AECNN_MEMORY_LIMIT_MB", "40");
        QVERIFY2(lowered.exitCode == 0, qPrintable(why(lowered)));
        QVERIFY(lowered.json["batch"].toObject()["lowered"].toBool());
        QCOMPARE(lowered.json["batch"].toObject()["batch_size"].toInt(), suggested);
    }

    void deviceOption()
    {
        const auto bad = runCli(trainArgs(path("bad.ckpt")) + QStringList{"--device", "tpu"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains("--device must be auto, cpu or cuda"));
        const auto cuda = runCli(trainArgs(path("cuda.ckpt")) + QStringList{"--device", "cuda", "--batch-size", "8"});
        if (cuda.exitCode == 0) { // a CUDA LibTorch with a GPU
            QCOMPARE(cuda.json["device"].toString(), QString("cuda"));
            return;
        }
        QCOMPARE(cuda.exitCode, 2);
        QVERIFY2(cuda.err.contains("built without CUDA") || cuda.err.contains("sees no GPU"), cuda.err.constData());
        QVERIFY(!QFile::exists(path("cuda.ckpt")));

        // The other commands with --device: the same error, naming what to do.
        const QList<QStringList> others{
            {"eval", "--model", model_, "--dataset", kData, "--limit", "8"},
            QStringList{"aecnn-train", "--model", model_, "--out", path("cuda-models")} + algorithm1Budget(),
            QStringList{"reproduce", "table1", "--model", model_, "--out", path("cuda-table1")} + algorithm1Budget(),
            QStringList{"reproduce", "fig4", "--model", model_, "--out", path("cuda-fig4")} + algorithm1Budget()};
        for (const auto& args : others) {
            const auto r = runCli(args + QStringList{"--device", "cuda"} + kThreads);
            QCOMPARE(r.exitCode, 2);
            QVERIFY2(r.json["error"].toString().contains("--device cuda") &&
                         (r.err.contains("-DCMAKE_PREFIX_PATH") || r.err.contains("sees no GPU")),
                     r.err.constData());
            QCOMPARE(r.json["kind"].toString(), QString("usage error"));
        }
        QVERIFY(!QFile::exists(path("cuda-models")));

        // --device auto (the default) fell back to the CPU and says why in --json.
        const auto plainEval =
            runCli(QStringList{"eval", "--model", model_, "--dataset", kData, "--limit", "8"} + kThreads);
        QVERIFY2(plainEval.exitCode == 0, qPrintable(why(plainEval)));
        for (const auto& json : {trainJson_, aecnnTrainJson_, reproduceJson_, plainEval.json}) {
            QCOMPARE(json["device"].toString(), QString("cpu"));
            QCOMPARE(json["device_requested"].toString(), QString("auto"));
            QVERIFY2(json["device_note"].toString().contains("ran on the CPU"),
                     qPrintable(json["device_note"].toString()));
        }
    }
};

QTEST_GUILESS_MAIN(TestScale224Cli)
#include "test_scale224_cli.moc"
