// `aecnn export --format torchvision` and `aecnn predict --model torchvision:FILE`
// on a state_dict written by Python's torch.save (tests/model/fixtures/torchvision).
#include <QtTest>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>

#include "cli_runner.h"

class TestCliExport : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    QString image_;

    static QString describe(const CliResult& r) { return QString::fromUtf8(r.out + "\n" + r.err); }
    static QString fixture(const char* name) { return QStringLiteral(AECNN_TORCHVISION_FIXTURES "/") + name; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        image_ = dir_.filePath("gradient.ppm");
        QFile f(image_);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray ppm = "P6\n40 30\n255\n";
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 40; ++x)
                ppm.append(char(x * 6)).append(char(y * 8)).append(char((x * y) % 256));
        f.write(ppm);
    }

    void exportedFilePredictsLikeTheOriginal()
    {
        const QString out = dir_.filePath("sub/exported.pth");
        const auto e = runCli({"export", "--format", "torchvision", "--model", "torchvision:" + fixture("r50_zip.pth"),
                               out, "--json"});
        QVERIFY2(e.exitCode == 0 && e.jsonValid, qPrintable(describe(e)));
        QCOMPARE(e.json.value("output").toString(), out);
        QCOMPARE(e.json.value("format").toString(), QString("torchvision"));
        QCOMPARE(e.json.value("tensors").toInt(), 320); // 53 convs/BNs/fc of ResNet-50: 161 params + 159 buffers
        QCOMPARE(e.json.value("bytes").toInteger(), QFileInfo(out).size());
        QCOMPARE(e.json.value("torchvision_resnet50").toBool(true), false); // reduced widths
        QCOMPARE(e.json.value("config").toObject().value("stem_channels").toInt(), 4);

        const auto original = runCli({"predict", "--model", "torchvision:" + fixture("r50_zip.pth"), "--image", image_,
                                      "--json"});
        const auto again = runCli({"predict", "--model", "torchvision:" + out, "--image", image_, "--json"});
        QVERIFY2(original.exitCode == 0 && original.jsonValid, qPrintable(describe(original)));
        QVERIFY2(again.exitCode == 0 && again.jsonValid, qPrintable(describe(again)));
        QCOMPARE(original.json.value("logits").toArray().size(), 10);
        QCOMPARE(again.json.value("logits"), original.json.value("logits")); // identical weights, identical logits
    }

    void textModeSaysHowToLoadIt()
    {
        const QString out = dir_.filePath("text.pth");
        const auto e = runCli({"export", "--model", "torchvision:" + fixture("mini_plain_dict.pth"), out});
        QVERIFY2(e.exitCode == 0, qPrintable(describe(e)));
        QVERIFY2(e.out.contains("wrote " + out.toUtf8()) && e.out.contains("widths differ"), qPrintable(describe(e)));
    }

    void badUsageAndBadFilesAreClearErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        const QString model = "torchvision:" + fixture("mini_plain_dict.pth");
        QTest::newRow("unknown format") << QStringList{"export", "--format", "onnx", "--model", model, "x.pth"}
                                        << "valid formats: torchvision";
        QTest::newRow("no output") << QStringList{"export", "--model", model} << "name the output file";
        QTest::newRow("whole model") << QStringList{"predict", "--model", "torchvision:" + fixture("bad_whole_model.pth"),
                                                    "--image", "x.png"}
                                     << "torch.save(model.state_dict(), path)";
        QTest::newRow("shape mismatch")
            << QStringList{"export", "--model", "torchvision:" + fixture("bad_shape_mismatch.pth"), "y.pth"}
            << "expects [8, 8, 3, 3]";
    }

    void badUsageAndBadFilesAreClearErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const auto r = runCli(args << "--json");
        QVERIFY2(r.exitCode == 1 || r.exitCode == 2, qPrintable(describe(r)));
        QVERIFY2(r.jsonValid && r.json.value("error").toString().contains(expected), qPrintable(describe(r)));
    }
};

QTEST_GUILESS_MAIN(TestCliExport)
#include "test_cli_export.moc"
