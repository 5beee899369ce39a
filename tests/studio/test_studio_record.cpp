#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/widgets/csv_table.h"
#include "csv_reader.h"
#include "test_budget.h"

using aecnn::widgets::CsvRecorder;

// "Record" survives a killed app: a child process records frames and is killed
// (SIGKILL) while recording; every row it reported is in the .part file, after
// the context block and the header.
class TestStudioRecord : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedRecordingKeepsEveryRow()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("live.csv"));
        QProcess child;
        child.setProcessEnvironment([] {
            auto env = QProcessEnvironment::systemEnvironment();
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
            return env;
        }());
        child.start(QStringLiteral(STUDIO_RECORD_CHILD_PATH), {path, QStringLiteral("37")});
        QVERIFY2(child.waitForStarted(aecnn::test::budgetMs(30000)), qPrintable(child.errorString()));
        QByteArray out;
        while (!out.contains('\n') && child.state() == QProcess::Running && child.waitForReadyRead(aecnn::test::budgetMs(60000)))
            out += child.readAllStandardOutput();
        QCOMPARE(out.trimmed(), QByteArray("recorded 37"));
        child.kill(); // SIGKILL: no destructor, no stop(), no rename
        QVERIFY(child.waitForFinished(aecnn::test::budgetMs(30000)));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        QVERIFY(!QFile::exists(path)); // never made whole...
        const ParsedCsv csv = readCsv(CsvRecorder::partialPathOf(path));
        QVERIFY(csv.comments.contains(QStringLiteral("# model: record-child"))); // ...but nothing is lost
        QCOMPARE(csv.header.size(), 14);
        QCOMPARE(csv.header[0], QStringLiteral("frame"));
        QCOMPARE(csv.rows.size(), size_t(37));
        for (int i = 0; i < 37; ++i) {
            QCOMPARE(csv.rows[size_t(i)].size(), 14);
            QCOMPARE(csv.rows[size_t(i)][0].toInt(), i);
            QCOMPARE(csv.rows[size_t(i)][3].toDouble(), 1000.0 + i);
            QCOMPARE(csv.rows[size_t(i)][4].toDouble(), 0.5 * i);
        }
    }

    void stopRenamesTheWholeFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("rec.csv"));
        CsvRecorder recorder;
        aecnn::widgets::CsvTable header;
        header.columns = QStringList{QStringLiteral("a (s)"), QStringLiteral("b (B)")};
        QString error;
        QVERIFY2(recorder.start(path, header, {}, &error), qPrintable(error));
        QCOMPARE(recorder.partialPath(), path + QStringLiteral(".part"));
        QVERIFY(recorder.append({QStringLiteral("1"), QStringLiteral("2")}, &error));
        QVERIFY(!recorder.append({QStringLiteral("1")}, &error)); // wrong width stops the recording...
        QVERIFY(error.contains(QStringLiteral("does not match")));
        QVERIFY(!recorder.isRecording());
        const ParsedCsv csv = readCsv(path); // ...and still leaves a whole file
        QCOMPARE(csv.header, header.columns);
        QCOMPARE(csv.rows.size(), size_t(1));
        QVERIFY(csv.comments.join(QLatin1Char('\n')).contains(QStringLiteral("# app_version")));
        QVERIFY(!QFile::exists(path + QStringLiteral(".part")));
    }
};

QTEST_MAIN(TestStudioRecord)
#include "test_studio_record.moc"
