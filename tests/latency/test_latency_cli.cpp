#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include "test_budget.h"

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList& args)
{
    QProcess process;
    process.start(AECNN_CLI_PATH, args);
    process.waitForFinished(aecnn::test::budgetMs(240000)); // generous: LibTorch start-up is slow on a loaded machine
    return {process.exitCode(), process.readAllStandardOutput(), process.readAllStandardError()};
}

} // namespace

class TestLatencyCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // A profile as `aecnn-agent --profile` writes it (hand-made, round numbers): split 1 has
    // C = 8 channels of 10x10; the V = 2 head takes 6 ms, zstd at 8 bits codes its 400
    // elements at 2 bits/element (100 B) in 1 ms. At 1 Mbps, Eq. 4 = 0.8 + 6 + 1 = 7.8 ms.
    void measuredDeviceProfile()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath("device.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "aecnn-device-profile", "version": 1, "name": "hand-device",
            "device": {"arch": "x86_64", "threads": 1}, "input": {"height": 28, "width": 28, "channels": 1},
            "capture_ms": 0.5, "preprocess_ms": 0.25, "local_ms": 40,
            "heads": [{"split": 1, "ratio": 1, "channels": 8, "height": 10, "width": 10, "head_ms": 10},
                      {"split": 1, "ratio": 2, "channels": 4, "height": 10, "width": 10, "head_ms": 6}],
            "encoders": [{"split": 1, "ratio": 2, "coder": "context", "bits": 4, "enc_ms": 3, "bits_per_element": 1},
                         {"split": 1, "ratio": 2, "coder": "zstd", "bits": 8, "enc_ms": 1, "bits_per_element": 2}]})");
        file.close();
        const auto run = runCli({"latency", "--profile", file.fileName(), "--coder", "zstd", "--bits", "8", "--rates",
                                 "1", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto json = QJsonDocument::fromJson(run.out).object();
        const auto profile = json["profile"].toObject();
        QCOMPARE(profile["name"].toString(), QString("hand-device"));
        QVERIFY(profile["source"].toString().contains("measured on the device"));
        QCOMPARE(profile["input"].toObject()["width"].toInt(), 28);
        const auto row = json["curves"].toArray()[0].toObject();
        QCOMPARE(row["aecnn_ms"].toObject()["2"].toDouble(), 7.8);
        QCOMPARE(row["aecnn_ms"].toObject()["1"].toDouble(), 25.6 + 10.0); // 3200 B raw + the V = 1 head
        QCOMPARE(row["local_ms"].toDouble(), 40.0);
        // The context coder at 4 bits: 50 B = 0.4 ms + 6 + 3.
        const auto context = runCli({"latency", "--profile", file.fileName(), "--coder", "context", "--bits", "4",
                                     "--rates", "1", "--json"});
        QVERIFY2(context.exitCode == 0, context.err.constData());
        QCOMPARE(QJsonDocument::fromJson(context.out)["curves"][0]["aecnn_ms"]["2"].toDouble(), 9.4);
        // A coder the device did not measure is an error that says so.
        const auto missing = runCli({"latency", "--profile", file.fileName(), "--coder", "zstd", "--bits", "4"});
        QVERIFY(missing.exitCode != 0);
        QVERIFY2(missing.err.contains("no encoder measured for coder 'zstd' at 4 bits"), missing.err.constData());
        // Version 1 has no full offloading: the paper's four image sizes at its 200 KB density.
        QVERIFY(row["full_ms"].toObject().contains("1920x1080"));
        QCOMPARE(row["full_ms"].toObject()["1920x1080"].toDouble(), 1600.0);
        QCOMPARE(json["full_offloading"].toArray()[0].toObject()["measured"].toBool(), false);
    }

    // Version 2: full offloading measured at 640x480 (capture 0.5 ms, resize 2, JPEG encode 8,
    // 25,000 B). At 1 Mbps, Eq. 4 = 200 (Eq. 2) + 0.5 + 2 + 8 = 210.5 ms (edge side: not in a
    // device profile, 0).
    void measuredFullOffloading()
    {
        QTemporaryDir dir;
        QFile file(dir.filePath("device2.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "aecnn-device-profile", "version": 2, "name": "jpeg-device",
            "device": {"arch": "aarch64", "threads": 4}, "input": {"height": 28, "width": 28, "channels": 1},
            "capture_ms": 0.5, "preprocess_ms": 0.25, "local_ms": 40,
            "heads": [{"split": 1, "ratio": 1, "channels": 8, "height": 10, "width": 10, "head_ms": 10}],
            "jpeg": [{"size": "640x480", "width": 640, "height": 480, "quality": 90, "resize_ms": 2, "enc_ms": 8,
                      "bytes": 25000}]})");
        file.close();
        const auto run = runCli({"latency", "--profile", file.fileName(), "--rates", "1", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const auto json = QJsonDocument::fromJson(run.out).object();
        const auto full = json["curves"].toArray()[0].toObject()["full_ms"].toObject();
        QCOMPARE(full.keys(), QStringList{"640x480"}); // the measured capture size by default
        QCOMPARE(full["640x480"].toDouble(), 210.5);
        const auto terms = json["full_offloading"].toArray()[0].toObject();
        QVERIFY(terms["measured"].toBool());
        QCOMPARE(terms["iot_ms"].toDouble(), 2.5);
        QCOMPARE(terms["enc_ms"].toDouble(), 8.0);
        QCOMPARE(terms["bytes"].toDouble(), 25000.0);
        // Given sizes: 640x480 takes the measured bytes and times, 1920x1080 the paper's 200 KB only.
        const auto given = runCli({"latency", "--profile", file.fileName(), "--rates", "1", "--images",
                                   "640x480,1920x1080", "--json"});
        QVERIFY2(given.exitCode == 0, given.err.constData());
        const auto row = QJsonDocument::fromJson(given.out)["curves"][0]["full_ms"].toObject();
        QCOMPARE(row["640x480"].toDouble(), 210.5);
        QCOMPARE(row["1920x1080"].toDouble(), 1600.0);
        // The edge side from `aecnn bench-model --json`: whole model 5 ms, split 1 tail 3 ms.
        // Full offloading 640x480: 210.5 + 5 = 215.5 ms; AECNN 1x: 3200 B = 25.6 ms + head 10 + 3.
        QFile bench(dir.filePath("bench.json"));
        QVERIFY(bench.open(QIODevice::WriteOnly));
        bench.write(R"({"full_ms": 5, "machine": "test", "splits": [{"split": 1, "head_ms": 1, "tail_ms": 3}]})");
        bench.close();
        const auto withEdge = runCli({"latency", "--profile", file.fileName(), "--edge-bench", bench.fileName(),
                                      "--rates", "1", "--json"});
        QVERIFY2(withEdge.exitCode == 0, withEdge.err.constData());
        const auto edgeJson = QJsonDocument::fromJson(withEdge.out);
        QCOMPARE(edgeJson["curves"][0]["full_ms"]["640x480"].toDouble(), 215.5);
        QCOMPARE(edgeJson["curves"][0]["aecnn_ms"]["1"].toDouble(), 25.6 + 10.0 + 3.0);
        QVERIFY(edgeJson["profile"]["source"].toString().contains("bench.json"));
        const auto badBench = runCli({"latency", "--profile", file.fileName(), "--edge-bench", file.fileName()});
        QVERIFY(badBench.exitCode != 0);
        QVERIFY2(badBench.err.contains("aecnn bench-model --json"), badBench.err.constData());
    }

    void paperExampleAsJson()
    {
        const auto run = runCli({"latency", "--profile", "pi4", "--rates", "1,10,1000", "--deadline-ms", "100", "--json"});
        QCOMPARE(run.exitCode, 0);
        const auto json = QJsonDocument::fromJson(run.out).object();
        const auto choices = json["choices"].toArray();
        QCOMPARE(choices.size(), 3);
        QCOMPARE(choices[1].toObject()["ratio"].toInt(), 4);
        QCOMPARE(choices[2].toObject()["ratio"].toInt(), 1);
        QCOMPARE(json["curves"].toArray().size(), 3);
        const auto full = json["crossovers"].toArray().last().toObject();
        QCOMPARE(full["image"].toString(), QString("1920x1080"));
        QCOMPARE(full["by_ratio"].toObject()["16"].toObject()["kind"].toString(), QString("below"));
    }

    void writesCsv()
    {
        QTemporaryDir dir;
        const QString csv = dir.filePath("fig5.csv");
        const auto run = runCli({"latency", "--rates", "5,50", "--images", "1920x1080:200000,320x240", "--csv", csv});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("V=4"));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const auto lines = QString(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 5);
        QVERIFY(lines[0].startsWith("# command: ") && lines[0].contains("--csv"));
        QVERIFY2(lines[1].startsWith("# profile: pi4 (224x224): Raspberry Pi 4B"), qPrintable(lines[1])); // provenance
        QVERIFY(lines[2].endsWith("full_1920x1080_ms,full_320x240_ms"));
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("negative rate") << QStringList{"latency", "--rates", "10,-1"};
        QTest::newRow("missing profile") << QStringList{"latency", "--profile", "/nonexistent.json"};
    }

    void badArguments()
    {
        QFETCH(QStringList, args);
        const auto run = runCli(args);
        QVERIFY(run.exitCode != 0);
        QVERIFY(!run.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLatencyCli)
#include "test_latency_cli.moc"
