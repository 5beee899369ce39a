#include <algorithm>
#include <cmath>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include "aecnn/codec/npy_io.h"
#include "test_budget.h"

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json;
};

Run runAecnn(const QStringList& args)
{
    QProcess process;
    process.start(QStringLiteral(AECNN_CLI_PATH), args + QStringList{"--json", "--threads", "1"});
    Run run;
    if (!process.waitForFinished(::aecnn::test::budgetMs(120000))) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    run.json = QJsonDocument::fromJson(run.out).object();
    return run;
}

QStringList budget()
{
    return {"--dataset", "synthetic:300", "--splits", "1,3", "--ratios", "2,4", "--epochs-ca", "0.2",
            "--epochs-finetune", "0.2", "--epochs-fr", "0.2", "--batch-size", "32", "--importance-batches", "2",
            "--importance-batch-size", "16"};
}

} // namespace

// The method's commands end to end on a tiny model and synthetic data.
class TestMethodCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("tiny.aecnn");
        const auto run = runAecnn({"train", "--dataset", "synthetic:300", "--out", model_, "--epochs", "1", "--max-steps",
                                "4", "--width", "0.03125", "--stem-channels", "8", "--batch-size", "32"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
    }

    void importanceWritesOneRowPerChannel()
    {
        const auto csv = dir_.filePath("importance.csv");
        const auto run = runAecnn({"importance", "--model", model_, "--split", "1", "--dataset", "synthetic:300", "--out",
                                csv, "--batches", "3", "--batch-size", "16"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.json.value("channels").toInt(), 8);
        QCOMPARE(run.json.value("samples").toInt(), 240);
        QCOMPARE(run.json.value("batch_means").toArray().size(), 3);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(file.readAll()).trimmed().split('\n');
        QCOMPARE(lines.size(), 9);
        QCOMPARE(lines[0], QString("channel,importance,rank,batch1,batch2,batch3"));

        const auto bad = runAecnn({"importance", "--model", model_, "--split", "1", "--dataset", "synthetic:300",
                                "--out", csv, "--batch-size", "0"});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(!runAecnn({"importance", "--model", model_, "--dataset", "synthetic:300"}).json.value("error").toString().isEmpty());
    }

    void aecnnTrainAndEvalOfItsModels()
    {
        const auto out = dir_.filePath("train");
        const auto run = runAecnn(QStringList{"aecnn-train", "--model", model_, "--out", out} + budget());
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto models = run.json.value("models").toArray();
        QCOMPARE(models.size(), 2 * 2 * 3);
        QVERIFY(QFile::exists(QDir(out).filePath("results.json")));
        QVERIFY(QFile::exists(QDir(out).filePath("split3-v4-aecnn.aecnn")));
        // A rerun resumes everything.
        const auto again = runAecnn(QStringList{"aecnn-train", "--model", model_, "--out", out} + budget());
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QVERIFY(again.json.value("stages_run").toArray().isEmpty());
        QCOMPARE(again.json.value("models").toArray()[5].toObject().value("accuracy").toDouble(),
                 models[5].toObject().value("accuracy").toDouble());
        const auto badRatio = runAecnn(QStringList{"aecnn-train", "--model", model_, "--out", out, "--dataset", "synthetic:300",
                                              "--ratios", "1"});
        QCOMPARE(badRatio.exitCode, 2);

        // --qat-from: one of those float models, fine-tuned at 2 bits by the QAT stage alone.
        const auto source = QDir(out).filePath("split1-v4-aecnn.aecnn");
        const QStringList qatArgs{"aecnn-train", "--model", model_, "--dataset", "synthetic:300", "--qat-from", source,
                                  "--qat-bits", "2", "--qat-calibrate", "64", "--epochs-fr", "0.2", "--batch-size", "32"};
        const auto qat = runAecnn(qatArgs + QStringList{"--splits", "1", "--ratios", "4", "--out", dir_.filePath("qat")});
        QVERIFY2(qat.exitCode == 0, qat.err.constData());
        QCOMPARE(qat.json.value("stages_run").toArray(), QJsonArray{"split1/v4/aecnn-qat"});
        const auto qatModels = qat.json.value("models").toArray();
        QCOMPARE(qatModels.size(), 1);
        const auto record = qatModels[0].toObject().value("qat").toObject();
        QCOMPARE(record.value("bits").toInt(), 2);
        QCOMPARE(record.value("source").toObject().value("path").toString(), source);
        const auto wrongSplit = runAecnn(qatArgs + QStringList{"--splits", "3", "--ratios", "4", "--out", dir_.filePath("qat3")});
        QVERIFY(wrongSplit.exitCode != 0);
        QVERIFY2(wrongSplit.json.value("error").toString().contains("give exactly --splits 1 --ratios 4"),
                 wrongSplit.out.constData());
        // Head-training QAT and distillation: settings that cannot work are refused, naming the fix.
        const auto refused = [&](const QStringList& extra, const char* expected) {
            const auto r = runAecnn(qatArgs + QStringList{"--splits", "1", "--ratios", "4", "--out", dir_.filePath("bad")} +
                                    extra);
            QVERIFY(r.exitCode != 0);
            QVERIFY2(r.json.value("error").toString().contains(expected), r.out.constData());
        };
        refused({"--qat-recalibrate-every", "50", "--qat-ranges", "per-frame"}, "--qat-ranges calibrated");
        refused({"--qat-sparsity", "1"}, "add --qat-recalibrate-every N");
        refused({"--qat-sparsity", "-1", "--qat-recalibrate-every", "50"}, "--qat-sparsity");
        refused({"--distill", "1.5"}, "--distill");
        refused({"--distill", "0.5", "--distill-temperature", "0"}, "--distill-temperature");
    }

    // dump-features of a trained split model writes what its device half transmits. With
    // --frozen-backbone the head keeps the classifier's weights, so that tensor is the
    // classifier's own split-point activation at the model's kept channels: an independent path
    // (full head + channel selection against the pruned-by-surgery head).
    void dumpFeaturesOfASplitModelIsItsHeadAtItsKeptChannels()
    {
        const auto out = dir_.filePath("frozen");
        const auto train = runAecnn({"aecnn-train", "--model", model_, "--out", out, "--dataset", "synthetic:300",
                                     "--splits", "1", "--ratios", "4", "--frozen-backbone", "--no-bottlenet",
                                     "--epochs-fr", "0.2", "--batch-size", "32", "--importance-batches", "2",
                                     "--importance-batch-size", "16"});
        QVERIFY2(train.exitCode == 0, train.err.constData());
        const auto splitModel = QDir(out).filePath("split1-v4-aecnn.aecnn");
        const auto transmittedPath = dir_.filePath("transmitted.npy"), allPath = dir_.filePath("all.npy");
        const auto dump = runAecnn({"dump-features", "--model", splitModel, "--dataset", "synthetic:300", "--count", "12",
                                    "--out", transmittedPath});
        QVERIFY2(dump.exitCode == 0, dump.err.constData());
        QCOMPARE(dump.json.value("split").toInt(), 1);
        QCOMPARE(dump.json.value("ratio").toInt(), 4);
        const auto all = runAecnn({"dump-features", "--model", model_, "--dataset", "synthetic:300", "--count", "12",
                                   "--split", "1", "--out", allPath});
        QVERIFY2(all.exitCode == 0, all.err.constData());

        const auto transmitted = aecnn::codec::readNpy(transmittedPath.toStdString());
        const auto full = aecnn::codec::readNpy(allPath.toStdString());
        const auto kept = dump.json.value("kept_channels").toArray();
        QCOMPARE(full.shape[1], uint64_t(8)); // the stem's 8 channels
        QCOMPARE(kept.size(), 2);             // 8 / V
        QCOMPARE(transmitted.shape, (std::vector<uint64_t>{12, 2, full.shape[2], full.shape[3]}));
        const uint64_t plane = full.shape[2] * full.shape[3];
        double worst = 0.0, largest = 0.0;
        for (uint64_t n = 0; n < 12; ++n)
            for (uint64_t k = 0; k < 2; ++k)
                for (uint64_t i = 0; i < plane; ++i) {
                    const float a = transmitted.values[(n * 2 + k) * plane + i];
                    const float b = full.values[(n * 8 + uint64_t(kept[int(k)].toInt())) * plane + i];
                    worst = std::max(worst, double(std::abs(a - b)));
                    largest = std::max(largest, double(std::abs(b)));
                }
        QVERIFY2(largest > 0.0, "the stem's activations are all zero: nothing was compared");
        QVERIFY2(worst <= 1e-5 * largest, qPrintable(QString("largest difference %1 of %2").arg(worst).arg(largest)));

        // A split model transmits at its own split and ratio: another one is refused, the same is accepted.
        const auto other = runAecnn({"dump-features", "--model", splitModel, "--dataset", "synthetic:300", "--count", "2",
                                     "--ratio", "8", "--out", dir_.filePath("other.npy")});
        QCOMPARE(other.exitCode, 2);
        QVERIFY2(other.err.contains("split 1, V = 4") && other.err.contains("drop --ratio"), other.err.constData());
        const auto same = runAecnn({"dump-features", "--model", splitModel, "--dataset", "synthetic:300", "--count", "2",
                                    "--split", "1", "--ratio", "4", "--out", dir_.filePath("same.npy")});
        QVERIFY2(same.exitCode == 0, same.err.constData());
    }

    void reproduceTable1AndFig4()
    {
        const auto out = dir_.filePath("repro");
        const auto table = runAecnn(QStringList{"reproduce", "table1", "--model", model_, "--out", out, "--codec-images",
                                             "5"} + budget());
        QVERIFY2(table.exitCode == 0, table.err.constData());
        QFile csv(QDir(out).filePath("table1.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QStringList rows;
        for (const auto& line : QString::fromUtf8(csv.readAll()).trimmed().split('\n'))
            if (!line.startsWith('#'))
                rows << line;
        QCOMPARE(rows.size(), 1 + 4);
        QVERIFY(rows[0].startsWith("split,C,H,W,V,bottlenetpp_acc,ca_pruned_acc,aecnn_acc,kept_C,entropy_bits"));
        const auto first = rows[1].split(',');
        QCOMPARE(first[0], QString("1"));
        QCOMPARE(first[1], QString("8"));  // C at the stem
        QCOMPARE(first[4], QString("2"));  // V
        QCOMPARE(first[8], QString("4"));  // C' = C / V
        const double entropy = first[9].toDouble();
        QVERIFY(entropy >= 0.0 && entropy <= 8.0);
        QVERIFY(QFile::exists(QDir(out).filePath("table1-targets.md")));

        // Every accuracy in the table is what `aecnn eval` measures for the model file it
        // names (an independent run over the same test set). table1.json, read back from
        // disk, keeps full precision: the same correct/count, so equal to 1e-6 points;
        // table1.csv rounds to 0.01 points.
        QFile jsonFile(QDir(out).filePath("table1.json"));
        QVERIFY(jsonFile.open(QIODevice::ReadOnly));
        const QJsonObject written = QJsonDocument::fromJson(jsonFile.readAll()).object();
        const QJsonArray tableRows = written.value("table1").toArray();
        const QJsonArray modelEntries = written.value("models").toArray();
        QCOMPARE(tableRows.size(), rows.size() - 1);
        QCOMPARE(modelEntries.size(), 3 * tableRows.size());
        const QStringList header = rows[0].split(',');
        int checked = 0;
        for (const auto& item : modelEntries) {
            const QJsonObject entry = item.toObject();
            const QString variant = entry.value("variant").toString();
            const QString file = entry.value("path").toString();
            QCOMPARE(QFileInfo(file).fileName(), QString("split%1-v%2-%3.aecnn")
                                                     .arg(entry.value("split").toInt())
                                                     .arg(entry.value("ratio").toInt())
                                                     .arg(variant));
            const auto eval = runAecnn({"eval", "--model", file, "--dataset", "synthetic:300"});
            QVERIFY2(eval.exitCode == 0, eval.err.constData());
            QCOMPARE(eval.json.value("n").toInteger(), entry.value("evaluated").toInteger());
            QCOMPARE(eval.json.value("n").toInteger(), written.value("base_evaluated").toInteger());
            const double measured = 100.0 * eval.json.value("accuracy").toDouble();
            QVERIFY2(qAbs(100.0 * entry.value("accuracy").toDouble() - measured) <= 1e-6,
                     qPrintable(QString("%1: table1.json says %2 %, eval measures %3 %")
                                    .arg(file).arg(100.0 * entry.value("accuracy").toDouble()).arg(measured)));
            for (int r = 0; r < tableRows.size(); ++r) {
                const QJsonObject row = tableRows[r].toObject();
                if (row.value("split").toInt() != entry.value("split").toInt() ||
                    row.value("V").toInt() != entry.value("ratio").toInt())
                    continue;
                QVERIFY(qAbs(row.value(variant + "_acc").toDouble() - measured) <= 1e-6);
                const auto cells = rows[r + 1].split(','); // CSV rows are in the same (split, V) order
                QCOMPARE(cells[0].toInt(), row.value("split").toInt());
                QCOMPARE(cells[4].toInt(), row.value("V").toInt());
                const double csv = cells[header.indexOf(variant + "_acc")].toDouble();
                QVERIFY2(qAbs(csv - measured) <= 0.005 + 1e-9,
                         qPrintable(QString("%1: table1.csv says %2 %, eval measures %3 %").arg(file).arg(csv).arg(measured)));
                QCOMPARE(cells[header.indexOf("kept_C")].toInt(), cells[1].toInt() / cells[4].toInt());
                ++checked;
            }
        }
        QCOMPARE(checked, modelEntries.size()); // every model matched its table row

        const auto fig = runAecnn(QStringList{"reproduce", "fig4", "--model", model_, "--out", dir_.filePath("fig"), "--models",
                                           QDir(out).filePath("models")} + budget());
        QVERIFY2(fig.exitCode == 0, fig.err.constData());
        QVERIFY(QFile::exists(QDir(dir_.filePath("fig")).filePath("fig4.png")));
        QVERIFY(QFile(QDir(dir_.filePath("fig")).filePath("fig4.png")).size() > 1000);
        QVERIFY(!QDir(dir_.filePath("fig")).exists("models")); // the CA network was resumed from --models
        QCOMPARE(fig.json.value("batch_means").toArray().size(), 2);
        QCOMPARE(runAecnn({"reproduce", "table2", "--out", out}).exitCode, 2);
    }

private:
    QTemporaryDir dir_;
    QString model_;
};

QTEST_GUILESS_MAIN(TestMethodCli)
#include "test_method_cli.moc"
