#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QTemporaryDir>

#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "cli_runner.h"

// `aecnn train` is resumable: a run stopped mid-epoch (--stop-after-steps, SIGTERM) and
// continued from its checkpoint ends with bitwise the same weights as a run that was
// never stopped (one thread; the checkpoint holds model, SGD momentum, schedule
// position, data order and RNGs). A checkpoint of other options is refused by name.
namespace {

QString why(const CliResult& r)
{
    return QString::fromUtf8(r.out.left(2000) + "\n" + r.err.left(2000));
}

// 32 training images in batches of 8: 4 steps per epoch, 3 epochs = 12 steps, with
// augmentation (the RNG state matters) and a cosine schedule (the position matters).
QStringList trainArgs(const QString& out)
{
    return {"train", "--dataset", "synthetic:40", "--stem-channels", "8", "--stage-planes", "4,4,4,8", "--epochs", "3",
            "--batch-size", "8", "--test-limit", "8", "--lr", "0.05", "--threads", "1", "--out", out};
}

// Largest absolute difference over all tensors of two checkpoints (names must match).
double maxDifference(const QString& a, const QString& b, QString* problem)
{
    const auto left = aecnn::readCheckpoint(a);
    const auto right = aecnn::readCheckpoint(b);
    if (left.tensors.size() != right.tensors.size()) {
        *problem = "different tensor counts";
        return 1e9;
    }
    double worst = 0.0;
    for (size_t i = 0; i < left.tensors.size(); ++i) {
        if (left.tensors[i].first != right.tensors[i].first) {
            *problem = QString::fromStdString("tensor names differ: " + left.tensors[i].first);
            return 1e9;
        }
        const auto l = left.tensors[i].second.to(torch::kDouble), r = right.tensors[i].second.to(torch::kDouble);
        if (l.numel() > 0)
            worst = std::max(worst, (l - r).abs().max().item<double>());
    }
    return worst;
}

} // namespace

class TestTrainResume : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString uninterrupted_;
    QJsonObject uninterruptedJson_;

    QString path(const QString& name) const { return dir_.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        uninterrupted_ = path("whole.ckpt");
        const auto r = runCli(trainArgs(uninterrupted_) + QStringList{"--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(why(r)));
        QCOMPARE(r.json["steps"].toInt(), 12);
        QCOMPARE(r.json["interrupted"].toBool(), false);
        QVERIFY2(!QFile::exists(uninterrupted_ + ".resume"), "a finished run leaves no checkpoint");
        uninterruptedJson_ = r.json;
    }

    // Stopped mid-epoch 1, again mid-epoch 3, then finished: the same weights, bitwise.
    void stoppedTwiceAndResumedEqualsUninterrupted()
    {
        const QString out = path("parts.ckpt");
        auto r = runCli(trainArgs(out) + QStringList{"--stop-after-steps", "3", "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(why(r)));
        QCOMPARE(r.json["interrupted"].toBool(), true);
        QCOMPARE(r.json["steps"].toInt(), 3);
        QVERIFY(QFile::exists(out + ".resume"));
        QVERIFY(!QFile::exists(out));

        r = runCli(trainArgs(out) + QStringList{"--resume", "--stop-after-steps", "10", "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(why(r)));
        QCOMPARE(r.json["steps"].toInt(), 10);

        r = runCli(trainArgs(out) + QStringList{"--json"}); // continues automatically
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(why(r)));
        QCOMPARE(r.json["interrupted"].toBool(), false);
        QCOMPARE(r.json["steps"].toInt(), 12);
        QVERIFY(!QFile::exists(out + ".resume"));

        QString problem;
        const double difference = maxDifference(uninterrupted_, out, &problem);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QCOMPARE(difference, 0.0);
        QCOMPARE(r.json["accuracy"].toDouble(), uninterruptedJson_["accuracy"].toDouble());
        QCOMPARE(r.json["final_loss"].toDouble(), uninterruptedJson_["final_loss"].toDouble());
    }

    // --fresh ignores an existing checkpoint and runs from the start (overwriting it).
    void freshIgnoresTheCheckpoint()
    {
        const QString out = path("fresh.ckpt");
        auto r = runCli(trainArgs(out) + QStringList{"--stop-after-steps", "5", "--json"});
        QVERIFY2(r.exitCode == 0 && r.json["interrupted"].toBool(), qPrintable(why(r)));
        r = runCli(trainArgs(out) + QStringList{"--fresh", "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(why(r)));
        QCOMPARE(r.json["steps"].toInt(), 12);
        QString problem;
        QCOMPARE(maxDifference(uninterrupted_, out, &problem), 0.0); // a whole fresh run: equal again
    }

    void checkpointOfOtherOptionsIsRefusedByName()
    {
        const QString out = path("other.ckpt");
        auto r = runCli(trainArgs(out) + QStringList{"--stop-after-steps", "2", "--json"});
        QVERIFY2(r.exitCode == 0 && r.json["interrupted"].toBool(), qPrintable(why(r)));
        r = runCli(trainArgs(out).replaceInStrings("0.05", "0.02") + QStringList{"--json"});
        QCOMPARE(r.exitCode, 1);
        const QString message = r.json["error"].toString() + r.json["message"].toString() + QString::fromUtf8(r.out + r.err);
        QVERIFY2(message.contains("--lr 0.05") && message.contains("--lr 0.02") && message.contains("--fresh"),
                 qPrintable(message));
        QVERIFY2(QFile::exists(out + ".resume"), "a refused checkpoint is kept");
        QVERIFY(!QFile::exists(out));

        r = runCli(trainArgs(path("none.ckpt")) + QStringList{"--resume", "--json"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.out + r.err).contains("no checkpoint"), qPrintable(why(r)));
    }

    // SIGTERM mid-run: the run saves its checkpoint before it exits, and the same
    // command continues it to the end.
    void sigtermSavesACheckpoint()
    {
        const QString out = path("signal.ckpt");
        auto args = trainArgs(out);
        args.replace(args.indexOf("3"), "400"); // --epochs 400: long enough to be interrupted
        QProcess process;
        process.start(QStringLiteral(AECNN_CLI_PATH), args + QStringList{"--checkpoint-every", "0"});
        process.setReadChannel(QProcess::StandardError); // progress lines go to stderr
        QVERIFY(process.waitForStarted());
        QByteArray err;
        while (!err.contains("epoch 1/") && process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            err += process.readAllStandardError();
        }
        QVERIFY2(err.contains("epoch 1/"), err.constData()); // the first epoch's line: training has begun
        process.terminate();                                 // SIGTERM
        QVERIFY(process.waitForFinished(aecnn::test::budgetMs(60000)));
        err += process.readAllStandardError();
        QCOMPARE(process.exitCode(), 1);
        QVERIFY2(err.contains("stopped by signal 15") && err.contains("rerun"), err.constData());
        QVERIFY(QFile::exists(out + ".resume"));
        const auto metadata = aecnn::readCheckpointMetadata(out + ".resume");
        const auto steps = metadata["position"].toObject()["steps"].toInteger();
        QVERIFY2(steps > 0 && steps < 1600, qPrintable(QString::number(steps)));
    }

    // SIGTERM while `reproduce table1` trains: the stage in progress is saved at once to its
    // .resume file, the command says how to continue, and the same command then ends with
    // bitwise the models (and accuracies) of a run that was never stopped.
    void reproduceSigtermSavesTheStageInProgress()
    {
        // 30 epochs of CA training (120 steps of 8): long enough to be interrupted in it.
        const QStringList args{"reproduce",  "table1", "--model",        uninterrupted_, "--dataset", "synthetic:40",
                               "--splits",   "1",      "--ratios",       "2",            "--epochs-ca", "30",
                               "--epochs-finetune", "1", "--epochs-fr",   "1",            "--no-bottlenet",
                               "--batch-size", "8",    "--lr",           "0.02",         "--codec-images", "4",
                               "--threads",  "1"};
        const QString whole = path("table1-whole"), parts = path("table1-parts");
        const auto reference = runCli(args + QStringList{"--out", whole, "--json"});
        QVERIFY2(reference.exitCode == 0 && reference.jsonValid, qPrintable(why(reference)));

        QProcess process;
        process.setReadChannel(QProcess::StandardError); // progress lines go to stderr
        process.start(QStringLiteral(AECNN_CLI_PATH), args + QStringList{"--out", parts});
        QVERIFY(process.waitForStarted());
        QByteArray err;
        while (!err.contains("[split1/ca] epoch 1/") && process.state() == QProcess::Running) {
            process.waitForReadyRead(200);
            err += process.readAllStandardError();
        }
        QVERIFY2(err.contains("[split1/ca] epoch 1/"), err.constData()); // the CA stage is training
        process.terminate(); // SIGTERM
        QVERIFY(process.waitForFinished(aecnn::test::budgetMs(60000)));
        err += process.readAllStandardError();
        QCOMPARE(process.exitStatus(), QProcess::NormalExit); // not killed by the signal
        QCOMPARE(process.exitCode(), 1);
        QVERIFY2(err.contains("stopped by signal 15") && err.contains("rerun the same command to continue"),
                 err.constData());
        const QString state = parts + "/models/split1-ca.resume";
        QVERIFY2(QFile::exists(state), err.constData());
        const auto steps = aecnn::readCheckpointMetadata(state)["position"].toObject()["steps"].toInteger();
        QVERIFY2(steps > 0 && steps < 120, qPrintable(QString::number(steps)));

        const auto resumed = runCli(args + QStringList{"--out", parts, "--json"});
        QVERIFY2(resumed.exitCode == 0 && resumed.jsonValid, qPrintable(why(resumed)));
        QVERIFY(!QFile::exists(state));
        for (const QString name : {"split1-v2-ca_pruned.aecnn", "split1-v2-aecnn.aecnn"}) {
            QString problem;
            const double difference = maxDifference(whole + "/models/" + name, parts + "/models/" + name, &problem);
            QVERIFY2(problem.isEmpty(), qPrintable(name + ": " + problem));
            QCOMPARE(difference, 0.0);
        }
        QCOMPARE(resumed.json["models"].toArray().size(), reference.json["models"].toArray().size());
        for (int i = 0; i < reference.json["models"].toArray().size(); ++i)
            QCOMPARE(resumed.json["models"].toArray()[i].toObject()["accuracy"].toDouble(),
                     reference.json["models"].toArray()[i].toObject()["accuracy"].toDouble());
    }
};

QTEST_GUILESS_MAIN(TestTrainResume)
#include "test_train_resume.moc"
