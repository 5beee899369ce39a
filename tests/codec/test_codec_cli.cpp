#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/codec/npy_io.h"
#include "codec_fixtures.h"
#include "test_budget.h"

using namespace aecnn::codec;

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out, err;
    QJsonObject json;
};

Run runAecnn(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(AECNN_CLI_PATH), args);
    Run r;
    if (!p.waitForFinished(aecnn::test::budgetMs(240000))) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    r.json = QJsonDocument::fromJson(r.out).object();
    return r;
}

QString describe(const Run& r)
{
    return QString::fromUtf8(r.out + "\n" + r.err);
}

} // namespace

class CodecCliTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        NpyArray a{{3, 4, 6, 5}, {}};
        for (uint32_t n = 0; n < 3; ++n) {
            const auto t = testing::reluBlobs(4, 6, 5, 30 + n);
            a.values.insert(a.values.end(), t.values.begin(), t.values.end());
        }
        input_ = dir_.filePath("x.npy");
        writeNpy(input_.toStdString(), a);
        values_ = a.values;
    }

    void encodeDecodeIsExactForFloat32()
    {
        const QString frames = dir_.filePath("x.aecf"), out = dir_.filePath("y.npy");
        auto r = runAecnn({"codec", "encode", "--codec", "zstd-entropy", "--repr", "float32", input_, frames, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QCOMPARE(r.json.value("frames").toInt(), 3);
        r = runAecnn({"codec", "decode", frames, out, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const NpyArray back = readNpy(out.toStdString());
        QCOMPARE(back.shape, (std::vector<uint64_t>{3, 4, 6, 5}));
        QCOMPARE(back.values, values_);
    }

    void statsReportsEntropyAndRoundTrip()
    {
        const auto r = runAecnn({"codec", "stats", "--codec", "context", "--bits", "4", input_, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY(r.json.value("round_trip").toBool());
        QCOMPARE(r.json.value("bits").toInt(), 4);
        QVERIFY(r.json.value("h0_bits_per_element").toDouble() > 0.0);
        QVERIFY(r.json.value("coded_bits_per_element").toDouble() > 0.0);
        QCOMPARE(r.json.value("histogram").toArray().size(), 16);
        QCOMPARE(r.json.value("channel_h0_bits_per_element").toArray().size(), 4);
        QVERIFY(r.json.value("compression_ratio").toDouble() > 1.0);
        QVERIFY(r.json.value("psnr_db").toDouble() > 20.0); // 4 bits: ~6 dB per bit
        QVERIFY(r.json.value("max_abs_error").toDouble() > 0.0);
    }

    void badArgumentsAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unknown codec") << QStringList{"codec", "stats", "--codec", "lzma", "X"} << "zstd-entropy";
        QTest::newRow("context float") << QStringList{"codec", "stats", "--repr", "float32", "X"} << "uint";
        QTest::newRow("bits range") << QStringList{"codec", "stats", "--bits", "9", "X"} << "bits";
        QTest::newRow("no action") << QStringList{"codec"} << "encode, decode";
        QTest::newRow("corrupt frames") << QStringList{"codec", "decode", "X", "Y"} << "magic";
    }
    void badArgumentsAreUsageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        for (auto& a : args)
            if (a == "X")
                a = input_; // a .npy file is not a frame stream
            else if (a == "Y")
                a = dir_.filePath("never.npy");
        const auto r = runAecnn(args);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(describe(r).contains(expected), qPrintable(describe(r)));
    }

    void dumpFeaturesWritesKeptChannels()
    {
        const QString model = tinyModel();
        QVERIFY(!model.isEmpty());
        const QString out = dir_.filePath("f.npy");
        auto r = runAecnn({"dump-features", "--model", model, "--dataset", "synthetic:200", "--split", "1", "--ratio", "4",
                   "--count", "5", "--out", out, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        const NpyArray features = readNpy(out.toStdString());
        QCOMPARE(features.shape.size(), size_t(4));
        QCOMPARE(features.shape[0], uint64_t(5));
        QCOMPARE(features.shape[1], uint64_t(2)); // 8 stem channels / V = 4
        QFile sidecar(out + ".json");
        QVERIFY(sidecar.open(QIODevice::ReadOnly));
        const auto json = QJsonDocument::fromJson(sidecar.readAll()).object();
        QCOMPARE(json.value("original_channels").toInt(), 8);
        QCOMPARE(json.value("kept_channels").toArray().size(), 2);
        // The kept channel indices travel inside the frames.
        const QString frames = dir_.filePath("f.aecf"), back = dir_.filePath("g.npy");
        QCOMPARE(runAecnn({"codec", "encode", "--bits", "6", out, frames}).exitCode, 0);
        QCOMPARE(runAecnn({"codec", "decode", frames, back}).exitCode, 0);
        QFile backSidecar(back + ".json");
        QVERIFY(backSidecar.open(QIODevice::ReadOnly));
        const auto backJson = QJsonDocument::fromJson(backSidecar.readAll()).object();
        QCOMPARE(backJson.value("kept_channels").toArray(), json.value("kept_channels").toArray());
    }

    // Every coder's row per split and ratio, in the JSON and the CSV; the bench checks
    // each round trip itself and fails the command if one is not exact.
    void benchCodecReportsEveryCoderAgainstH0()
    {
        const QString model = tinyModel();
        QVERIFY(!model.isEmpty());
        const QString csv = dir_.filePath("bench.csv");
        auto r = runAecnn({"bench-codec", "--model", model, "--dataset", "synthetic:200", "--splits", "1", "--ratios",
                           "1,4", "--bits", "4", "--count", "8", "--repeats", "1", "--accuracy-images", "0",
                           "--threads", "1", "--csv", csv, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r)));
        QVERIFY(r.json.value("timing").toString().contains("thread CPU time"));
        const auto ratios = r.json.value("splits").toArray().at(0).toObject().value("ratios").toArray();
        QCOMPARE(ratios.size(), 2);
        QStringList coders;
        int rows = 0;
        for (const auto& ratio : ratios) {
            const auto shape = ratio.toObject().value("shape").toArray();
            QCOMPARE(shape.at(0).toInt(), ratio.toObject().value("ratio").toInt() == 1 ? 8 : 2); // C' = 8 / V
            for (const auto& c : ratio.toObject().value("coders").toArray()) {
                const auto coder = c.toObject();
                coders << coder.value("coder").toString();
                QVERIFY(coder.value("h0_bits_per_element").toDouble() >= 0.0);
                QVERIFY(coder.value("coded_bits_per_element").toDouble() > 0.0);
                QVERIFY(coder.value("encode_mb_per_s").toDouble() > 0.0);
                ++rows;
            }
        }
        QVERIFY2(coders.contains("uint4 context") && coders.contains("uint4 zstd-entropy") &&
                     coders.contains("float32 zstd-19"),
                 qPrintable(coders.join(", ")));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.filter(QRegularExpression("^1,")).size(), rows);
        QVERIFY(!QFile::exists(csv + ".part"));

        r = runAecnn({"bench-codec", "--model", model, "--dataset", "synthetic:200", "--clock", "sundial", "--json"});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(describe(r).contains("--clock must be cpu"), qPrintable(describe(r)));
    }

private:
    // A tiny trained classifier, made once for the tests that need real activations.
    QString tinyModel()
    {
        const QString model = dir_.filePath("tiny.aecnn");
        if (QFile::exists(model))
            return model;
        const auto r = runAecnn({"train", "--dataset", "synthetic:200", "--width", "0.0625", "--stem-channels", "8",
                                 "--epochs", "1", "--max-steps", "2", "--batch-size", "16", "--out", model,
                                 "--threads", "2", "--json"});
        if (r.exitCode != 0) {
            qWarning("%s", qPrintable(describe(r)));
            return {};
        }
        return model;
    }

    QTemporaryDir dir_;
    QString input_;
    std::vector<float> values_;
};

QTEST_GUILESS_MAIN(CodecCliTest)
#include "test_codec_cli.moc"
