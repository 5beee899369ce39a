#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLockFile>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "startup_options.h"
#include "sweep_controller.h"
#include "sweep_panel.h"
#include "sweep_plan.h"
#include "sweep_task_state.h"

using namespace aecnn;
using namespace aecnn::studio;

namespace {

bool writeText(const QString& path, const QByteArray& text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

// `aecnn sweep plan` of four tasks into tmp/sweep; empty = failed (*error says why).
QString planFourTasks(const QTemporaryDir& tmp, QString* error)
{
    const QString model = tmp.filePath("model.aecnn"); // the plan only records its hash
    if (!writeText(model, "not loaded by the plan")) {
        *error = "cannot write " + model;
        return {};
    }
    const QString dir = tmp.filePath("sweep");
    QProcess plan;
    plan.setProcessChannelMode(QProcess::MergedChannels);
    plan.start(AECNN_CLI_PATH, {"sweep", "plan", "--out", dir, "--model", model, "--dataset", "synthetic:300",
                                "--splits", "1", "--ratios", "2,4", "--methods", "aecnn,bottlenetpp"});
    if (!plan.waitForFinished(60000) || plan.exitCode() != 0) {
        *error = "aecnn sweep plan failed: " + QString::fromUtf8(plan.readAll());
        return {};
    }
    return dir;
}

} // namespace

// The studio's sweep tab on a sweep folder planned by `aecnn sweep plan`, whose tasks are
// put into every state by hand (a result, a failure with its log, a held lock).
class TestStudioSweep : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void tabIsAStartupChoice()
    {
        QString error, exitText;
        const auto options = parseStartupOptions({"aecnn-studio", "--tab", "sweep"}, &error, &exitText);
        QVERIFY2(options, qPrintable(error));
        QCOMPARE(options->tab, QString("sweep"));
    }

    void tableShowsTaskStatesAndFailedLog()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QString error;
        const QString dir = planFourTasks(tmp, &error);
        QVERIFY2(!dir.isEmpty(), qPrintable(error));

        SweepPanel panel;
        panel.resize(1000, 700);
        panel.show();
        panel.controller()->setProgram(AECNN_CLI_PATH);
        panel.controller()->setRefreshMs(300);
        panel.setFolder(dir);
        auto* table = panel.findChild<QTableWidget*>("sweepTasks");
        auto* counts = panel.findChild<QLabel*>("sweepCounts");
        auto* log = panel.findChild<QPlainTextEdit*>("sweepTaskLog");
        auto* output = panel.findChild<QPlainTextEdit*>("sweepOutput");
        QVERIFY(table && counts && log && output);
        QTRY_COMPARE(table->rowCount(), 4); // split 1 x V 2,4 x two methods x one seed (read off the UI thread)
        for (int row = 0; row < 4; ++row)
            QCOMPARE(table->item(row, 5)->text(), QString("pending"));
        QVERIFY2(counts->text().contains("4 pending"), qPrintable(counts->text()));
        QCOMPARE(table->item(2, 2)->text(), QString("4")); // V of task 2
        QCOMPARE(table->item(1, 3)->text(), QString("bottlenetpp"));

        // Task 0 finished, task 1 crashed (its log says why), task 2 runs (its lock is held by a live process).
        const auto sweepPlan = sweep::loadPlan(dir);
        const auto& tasks = sweepPlan.tasks;
        for (int i = 0; i < 3; ++i)
            QVERIFY(QDir().mkpath(sweep::taskDir(dir, tasks[size_t(i)])));
        QVERIFY(writeText(sweep::taskResultPath(dir, tasks[0]),
                          QJsonDocument(QJsonObject{{"plan_hash", sweep::planHash(sweepPlan)}}).toJson()));
        QVERIFY(writeText(sweep::taskLogPath(dir, tasks[1]), "step 2 of Algorithm 1\nterminate: boom in the tail\n"));
        QVERIFY(writeText(sweep::taskFailedPath(dir, tasks[1]),
                          QJsonDocument(QJsonObject{{"reason", "the task process ended with exit code 134"}}).toJson()));
        QLockFile lock(sweep::taskLockPath(dir, tasks[2]));
        QVERIFY(lock.tryLock(0));
        QTRY_VERIFY_WITH_TIMEOUT(counts->text().contains("1 done, 1 running, 1 pending, 1 failed"), 15000);
        QCOMPARE(table->item(0, 5)->text(), QString("done"));
        QCOMPARE(table->item(1, 5)->text(), QString("failed"));
        QCOMPARE(table->item(2, 5)->text(), QString("running"));
        QCOMPARE(table->item(3, 5)->text(), QString("pending"));
        QVERIFY(table->item(1, 7)->text().contains("exit code 134"));

        // The failed task's log.
        table->setCurrentCell(1, 0);
        QVERIFY2(log->toPlainText().contains("boom in the tail"), qPrintable(log->toPlainText()));
        QVERIFY(log->toPlainText().contains("exit code 134"));

        // Collect runs `aecnn sweep collect DIR` in a process the controller owns; its output is shown.
        auto* collect = panel.findChild<QPushButton*>("sweepCollect");
        QVERIFY(collect);
        QTest::mouseClick(collect, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(output->toPlainText().contains("[sweep collect ended with exit code"), 60000);
        QVERIFY(output->toPlainText().contains("sweep collect " + QDir(dir).absolutePath()));
        QVERIFY(collect->isEnabled());
        lock.unlock();
        QTRY_VERIFY_WITH_TIMEOUT(counts->text().contains("0 running, 2 pending"), 15000);
    }

    // squeue / sacct run off the UI thread: a fake squeue on PATH that takes 1 s (well under
    // the 2 s the query allows). While it runs, the UI thread's event loop keeps firing a
    // timer; the table shows Slurm's state when it returns. Refreshes asked for while a
    // reading is in flight are not started twice (one re-read after it); the controller's
    // destructor joins its thread, with a reading in flight.
    void slurmQueryDoesNotBlockTheUiThread()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        QString error;
        const QString dir = planFourTasks(tmp, &error);
        QVERIFY2(!dir.isEmpty(), qPrintable(error));
        QVERIFY(QDir().mkpath(dir + "/slurm"));
        QVERIFY(writeText(dir + "/slurm/jobs.json", R"({"jobs": [{"job_id": "4242"}]})"));
        const QString bin = tmp.filePath("bin"), started = tmp.filePath("squeue-started"),
                      done = tmp.filePath("squeue-done"), runs = tmp.filePath("squeue-runs");
        QVERIFY(QDir().mkpath(bin));
        const QByteArray squeue = "#!/bin/sh\necho run >> '" + runs.toUtf8() + "'\ntouch '" + started.toUtf8() +
                                  "'\nsleep 1\necho '4242_1|RUNNING'\ntouch '" + done.toUtf8() + "'\n";
        QVERIFY(writeText(bin + "/squeue", squeue));
        QVERIFY(writeText(bin + "/sacct", "#!/bin/sh\nexit 0\n")); // knows nothing (and no real Slurm is asked)
        for (const char* tool : {"/squeue", "/sacct"})
            QVERIFY(QFile::setPermissions(bin + tool, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        const QByteArray oldPath = qgetenv("PATH");
        qputenv("PATH", bin.toUtf8() + ":" + oldPath);
        struct RestorePath {
            QByteArray path;
            ~RestorePath() { qputenv("PATH", path); }
        } restore{oldPath};

        int ticksWhileQuerying = 0;
        QTimer ticker;
        ticker.setInterval(20);
        connect(&ticker, &QTimer::timeout, [&] {
            if (QFile::exists(started) && !QFile::exists(done))
                ++ticksWhileQuerying;
        });
        ticker.start();
        {
            SweepPanel panel;
            panel.show();
            auto* controller = panel.controller();
            controller->setRefreshMs(600000); // only the refreshes this test asks for
            QSignalSpy changed(controller, &SweepController::statusChanged);
            auto* table = panel.findChild<QTableWidget*>("sweepTasks");
            QVERIFY(table);
            panel.setFolder(dir); // returns at once, squeue still running
            QVERIFY(controller->isRefreshing());
            QCOMPARE(changed.count(), 0);
            QCOMPARE(table->rowCount(), 0);
            for (int i = 0; i < 3; ++i)
                controller->refresh(); // in flight: coalesced into one re-read
            QTRY_VERIFY_WITH_TIMEOUT(changed.count() >= 1, 20000);
            QVERIFY2(ticksWhileQuerying >= 3,
                     qPrintable(QString("%1 timer events while squeue ran").arg(ticksWhileQuerying)));
            QCOMPARE(table->rowCount(), 4);
            QCOMPARE(table->item(1, 6)->text(), QString("RUNNING")); // Slurm's state, from the fake squeue
            QCOMPARE(table->item(1, 5)->text(), QString("running"));
            QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 2 && !controller->isRefreshing(), 20000);
            QFile log(runs);
            QVERIFY(log.open(QIODevice::ReadOnly));
            QCOMPARE(log.readAll().count('\n'), 2); // the first reading and one re-read, not four
            QVERIFY(controller->statusThread()->isRunning());
            QFile::remove(started);
            QFile::remove(done);
            controller->refresh(); // destroyed below with this reading in flight
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(started), 20000);
        }
        // The destructor waited for the reading in flight (squeue ran to its end).
        QVERIFY(QFile::exists(done));
    }
};

QTEST_MAIN(TestStudioSweep)
#include "test_studio_sweep.moc"
