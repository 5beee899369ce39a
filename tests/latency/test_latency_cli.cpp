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
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].endsWith("full_1920x1080_ms,full_320x240_ms"));
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
