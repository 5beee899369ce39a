#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include "cli_runner.h"

class TestCliSmoke : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString model_;

    static QString describe(const CliResult& r) { return QString::fromUtf8(r.out + "\n" + r.err); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        model_ = dir_.filePath("tiny.aecnn");
        const auto r = runCli({"train", "--dataset", "synthetic:200", "--width", "0.0625", "--stem-channels", "8",
                               "--epochs", "1", "--max-steps", "4", "--batch-size", "16", "--out", model_, "--threads",
                               "2", "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(describe(r)));
        QVERIFY(r.json.value("ok").toBool());
        QCOMPARE(r.json.value("n").toInt(), 40);
        QVERIFY(QFile::exists(model_));
    }

    void evalPrintsOneJsonObject()
    {
        const auto r = runCli({"eval", "--model", model_, "--dataset", "synthetic:200", "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(describe(r)));
        QCOMPARE(r.json.value("n").toInt(), 40);
        const double accuracy = r.json.value("accuracy").toDouble(-1);
        QVERIFY(accuracy >= 0.0 && accuracy <= 1.0);
        QCOMPARE(r.json.value("correct").toInt(), int(std::lround(accuracy * 40)));
        QCOMPARE(r.out.count('\n'), 1);
    }

    void splitsListsEveryPoint()
    {
        const auto r = runCli({"splits", "--model", model_, "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(describe(r)));
        const auto rows = r.json.value("splits").toArray();
        QCOMPARE(rows.size(), 17);
        const auto first = rows.at(0).toObject();
        QCOMPARE(first.value("channels").toInt(), 8);
        QCOMPARE(first.value("height").toInt(), 14);
        QCOMPARE(first.value("bytes").toInteger(), qint64(4 * 8 * 14 * 14));
        qint64 previous = 0;
        for (const auto& row : rows) {
            const auto o = row.toObject();
            QVERIFY(o.value("head_macs").toInteger() > previous);
            previous = o.value("head_macs").toInteger();
        }
    }

    void predictGivesTopFive()
    {
        const QString image = dir_.filePath("shape.pgm");
        QFile f(image);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray pgm = "P5\n28 28\n255\n";
        for (int i = 0; i < 28 * 28; ++i)
            pgm.append(char((i / 28 > 8 && i / 28 < 20 && i % 28 > 8 && i % 28 < 20) ? 230 : 20));
        f.write(pgm);
        f.close();
        const auto r = runCli({"predict", "--model", model_, "--image", image, "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(describe(r)));
        QCOMPARE(r.json.value("logits").toArray().size(), 4);
        const auto top = r.json.value("top5").toArray();
        QCOMPARE(top.size(), 4);
        double sum = 0;
        for (const auto& t : top)
            sum += t.toObject().value("probability").toDouble();
        QVERIFY(std::abs(sum - 1.0) < 1e-4);

        const auto missing = runCli({"predict", "--model", model_, "--image", dir_.filePath("none.png"), "--json"});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.jsonValid && missing.json.value("error").toString().contains("none.png"));
    }

    void benchModelReportsEverySplit()
    {
        const auto r = runCli({"bench-model", "--model", model_, "--repeats", "1", "--threads", "1", "--json"});
        QVERIFY2(r.exitCode == 0 && r.jsonValid, qPrintable(describe(r)));
        QCOMPARE(r.json.value("splits").toArray().size(), 17);
        QCOMPARE(r.json.value("threads").toInt(), 1);
        QVERIFY(r.json.value("full_ms").toDouble() > 0);
    }

    void usageErrorsListValidChoices_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown flag") << QStringList{"eval", "--bogus", "1", "--json"} << "valid options";
        QTest::newRow("bad integer") << QStringList{"eval", "--limit", "ten", "--json"} << "integer";
        QTest::newRow("unknown command") << QStringList{"fly", "--json"} << "valid commands";
        QTest::newRow("missing value") << QStringList{"eval", "--json", "--model"} << "needs a value";
        QTest::newRow("bad stem") << QStringList{"train", "--stem", "huge", "--out", "x", "--json"} << "valid stems";
        QTest::newRow("bad dataset") << QStringList{"eval", "--dataset", "mnist", "--json"} << "valid forms";
    }

    void usageErrorsListValidChoices()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        if (args.contains("eval") && !args.contains("--model"))
            args << "--model" << model_;
        const auto r = runCli(args);
        QVERIFY2(r.exitCode == 1 || r.exitCode == 2, qPrintable(describe(r)));
        QVERIFY2(r.jsonValid && !r.json.value("ok").toBool(true), qPrintable(describe(r)));
        QVERIFY2(r.json.value("error").toString().contains(expected), qPrintable(describe(r)));
    }

    void corruptModelIsAClearError()
    {
        const QString broken = dir_.filePath("broken.aecnn");
        QFile::copy(model_, broken);
        QFile f(broken);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() - 100));
        f.close();
        const auto r = runCli({"eval", "--model", broken, "--dataset", "synthetic:200", "--json"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.json.value("error").toString().contains("checksum"), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestCliSmoke)
#include "test_cli_smoke.moc"
