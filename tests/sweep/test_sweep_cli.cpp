#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "../cli/cli_runner.h"

namespace {

// The shared runner (tests/cli/cli_runner.h), with the options every call here wants.
CliResult runAecnn(const QStringList& args)
{
    return runCli(args + QStringList{"--json", "--threads", "1"}, 200000);
}

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

QString readText(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Tiny budgets: a few optimizer steps per stage on synthetic data.
QStringList budget()
{
    return {"--dataset", "synthetic:300", "--splits", "1", "--ratios", "2,4", "--epochs-ca", "0.2",
            "--epochs-finetune", "0.2", "--epochs-fr", "0.2", "--batch-size", "32", "--importance-batches", "2",
            "--importance-batch-size", "16", "--codec-images", "5"};
}

QString percent(double value)
{
    return QString::asprintf("%.2f", value);
}

} // namespace

// `aecnn sweep` end to end on a tiny model: plan, local run, status, collect, resume,
// failures and the Slurm script (without Slurm; tests/sweep/slurm_localhost.sh has one).
class TestSweepCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        model_ = tmp_.filePath("tiny.aecnn");
        const auto run = runAecnn({"train", "--dataset", "synthetic:300", "--out", model_, "--epochs", "1", "--max-steps",
                                   "4", "--width", "0.03125", "--stem-channels", "8", "--batch-size", "32"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        dir_ = tmp_.filePath("sweep");
    }

    void planWritesTasksAndRefusesAnotherSweep()
    {
        const auto plan = runAecnn(QStringList{"sweep", "plan", "--out", dir_, "--model", model_} + budget());
        QVERIFY2(plan.exitCode == 0, plan.err.constData());
        QCOMPARE(plan.json.value("tasks").toInt(), 4); // 1 split x 2 ratios x 2 methods x 1 seed
        QCOMPARE(plan.json.value("hash").toString().size(), 64);
        hash_ = plan.json.value("hash").toString();
        const auto file = readJson(QDir(dir_).filePath("plan.json"));
        QCOMPARE(file.value("hash").toString(), hash_);
        const auto content = file.value("content").toObject();
        QCOMPARE(content.value("model").toString(), QFileInfo(model_).absoluteFilePath());
        QCOMPARE(content.value("options").toObject().value("epochs-fr").toString(), QString("0.2"));
        const auto tasks = content.value("tasks").toArray();
        QCOMPARE(tasks[1].toObject().value("method").toString(), QString("bottlenetpp"));
        QCOMPARE(tasks[2].toObject().value("ratio").toInt(), 4);

        const auto same = runAecnn(QStringList{"sweep", "plan", "--out", dir_, "--model", model_} + budget());
        QVERIFY2(same.exitCode == 0, same.err.constData());
        QCOMPARE(same.json.value("hash").toString(), hash_);
        QCOMPARE(same.json.value("created").toBool(), false);

        const auto other =
            runAecnn(QStringList{"sweep", "plan", "--out", dir_, "--model", model_, "--seeds", "2"} + budget());
        QCOMPARE(other.exitCode, 1);
        QVERIFY2(other.json.value("error").toString().contains("holds another sweep"), other.out.constData());
        QCOMPARE(readJson(QDir(dir_).filePath("plan.json")).value("hash").toString(), hash_);
        QCOMPARE(runAecnn({"sweep", "run", dir_}).exitCode, 2); // where? --local or --task
        QCOMPARE(runAecnn({"sweep", "plan", "--out", tmp_.filePath("x"), "--methods", "aecnn,fr"}).exitCode, 2);
    }

    void localRunThenStatusAndCollect()
    {
        const auto run = runAecnn({"sweep", "run", "--local", dir_, "--jobs", "2"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(run.json.value("ran").toArray().size(), 4);
        const auto status = runAecnn({"sweep", "status", dir_});
        QVERIFY2(status.exitCode == 0, status.err.constData());
        QCOMPARE(status.json.value("counts").toObject().value("done").toInt(), 4);

        const auto collect = runAecnn({"sweep", "collect", dir_});
        QVERIFY2(collect.exitCode == 0, collect.err.constData());
        QCOMPARE(collect.json.value("done").toInt(), 4);
        const QString csv = readText(QDir(dir_).filePath("table1.csv"));
        QVERIFY2(csv.contains("# plan: " + hash_ + " (4 of 4 tasks done)"), qPrintable(csv));
        QVERIFY(csv.contains("# command: "));
        QVERIFY(csv.contains("# date: "));
        QStringList rows;
        for (const auto& line : csv.trimmed().split('\n'))
            if (!line.startsWith('#'))
                rows << line;
        QCOMPARE(rows.size(), 1 + 2);
        QVERIFY(rows[0].startsWith("split,C,H,W,V,bottlenetpp_acc,ca_pruned_acc,aecnn_acc,kept_C,entropy_bits"));
        // Each row holds what its two tasks' result.json say.
        const auto tasks = readJson(QDir(dir_).filePath("plan.json")).value("content").toObject().value("tasks").toArray();
        for (int v = 0; v < 2; ++v) {
            const auto cells = rows[1 + v].split(',');
            const auto aecnnTask = tasks[2 * v].toObject();
            const auto bnTask = tasks[2 * v + 1].toObject();
            const auto aecnn = readJson(QDir(dir_).filePath(aecnnTask.value("dir").toString() + "/result.json"))
                                   .value("table1")
                                   .toObject();
            const auto bn = readJson(QDir(dir_).filePath(bnTask.value("dir").toString() + "/result.json"))
                                .value("table1")
                                .toObject();
            QCOMPARE(cells[0], QString("1"));
            QCOMPARE(cells[1], QString("8"));
            QCOMPARE(cells[4], QString::number(aecnnTask.value("ratio").toInt()));
            QCOMPARE(cells[5], percent(bn.value("bottlenetpp_acc").toDouble()));
            QCOMPARE(cells[6], percent(aecnn.value("ca_pruned_acc").toDouble()));
            QCOMPARE(cells[7], percent(aecnn.value("aecnn_acc").toDouble()));
            QCOMPARE(cells[8], QString::number(8 / aecnnTask.value("ratio").toInt()));
            QCOMPARE(cells[9], QString::asprintf("%.3f", aecnn.value("entropy_bits").toDouble()));
            QCOMPARE(cells[14], percent(aecnn.value("baseline_acc").toDouble()));
            QCOMPARE(cells[18], QString("1")); // seed
            // A bottlenetpp task trains BottleNet++ alone: no CA network, no CA_Pruned / AECNN.
            const QDir bnModels(QDir(dir_).filePath(bnTask.value("dir").toString() + "/models"));
            QCOMPARE(bnModels.entryList({"*.aecnn", "*.ckpt"}, QDir::Files),
                     QStringList{QString("split1-v%1-bottlenetpp.aecnn").arg(bnTask.value("ratio").toInt())});
        }
        const QString fig4 = readText(QDir(dir_).filePath("fig4.csv"));
        QVERIFY2(fig4.contains("channel,importance,rank,batch1,batch2\n"), qPrintable(fig4));
        QCOMPARE(fig4.count('\n'), 3 + 1 + 8); // provenance, header, one row per channel
        QVERIFY(QFile::exists(QDir(dir_).filePath("fig4-split1-seed1.csv")));
    }

    void rerunSkipsFinishedAndResumesInterrupted()
    {
        const auto again = runAecnn({"sweep", "run", "--local", dir_});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QVERIFY(again.json.value("ran").toArray().isEmpty());
        QCOMPARE(again.json.value("skipped").toArray().size(), 4);

        // Task 2 interrupted after its stages (checkpoints kept, no result): a rerun trains nothing.
        const auto task = readJson(QDir(dir_).filePath("plan.json")).value("content").toObject().value("tasks").toArray()[2].toObject();
        const QString result = QDir(dir_).filePath(task.value("dir").toString() + "/result.json");
        const auto before = readJson(result);
        QVERIFY(QFile::remove(result));
        const auto status = runAecnn({"sweep", "status", dir_});
        const auto row = status.json.value("tasks").toArray()[2].toObject();
        QCOMPARE(row.value("state").toString(), QString("pending"));
        QVERIFY(row.value("detail").toString().startsWith("interrupted"));
        const auto resumed = runAecnn({"sweep", "run", "--local", dir_});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QCOMPARE(resumed.json.value("ran").toArray().size(), 1);
        const auto after = readJson(result);
        QVERIFY(after.value("algorithm1").toObject().value("stages_run").toArray().isEmpty());
        QCOMPARE(after.value("table1").toObject().value("aecnn_acc").toDouble(),
                 before.value("table1").toObject().value("aecnn_acc").toDouble());
    }

    void failedTaskIsReportedWithItsLogAndRetried()
    {
        const QString model = tmp_.filePath("copy.aecnn");
        QVERIFY(QFile::copy(model_, model));
        const QString dir = tmp_.filePath("failing");
        const auto plan = runAecnn(QStringList{"sweep", "plan", "--out", dir, "--model", model} + budget() +
                                   QStringList{"--ratios", "2", "--methods", "bottlenetpp"});
        QVERIFY2(plan.exitCode == 0, plan.err.constData());
        QVERIFY(QFile::rename(model, model + ".away"));
        const auto run = runAecnn({"sweep", "run", "--local", dir});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.json.value("error").toString().contains("1 task(s) failed"), run.out.constData());

        const auto status = runAecnn({"sweep", "status", dir});
        const auto row = status.json.value("tasks").toArray()[0].toObject();
        QCOMPARE(row.value("state").toString(), QString("failed"));
        QVERIFY2(row.value("detail").toString().contains("exited with code 1"), qPrintable(row.value("detail").toString()));
        const QString log = readText(row.value("log").toString());
        QVERIFY2(log.contains("copy.aecnn"), qPrintable(log)); // the task's own error message, naming the model

        const auto skipped = runAecnn({"sweep", "run", "--local", dir});
        QCOMPARE(skipped.exitCode, 0);
        QVERIFY(skipped.json.value("ran").toArray().isEmpty());
        QCOMPARE(skipped.json.value("failed_before").toInt(), 1);

        // A model that changed since planning is refused (the plan records its SHA-256).
        QFile changed(model);
        QVERIFY(changed.open(QIODevice::WriteOnly));
        changed.write("not the planned model");
        changed.close();
        const auto refused = runAecnn({"sweep", "run", "--local", dir, "--retry-failed"});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY(readText(row.value("log").toString()).contains("changed since the sweep was planned"));

        QVERIFY(QFile::remove(model));
        QVERIFY(QFile::rename(model + ".away", model));
        const auto retried = runAecnn({"sweep", "run", "--local", dir, "--retry-failed"});
        QVERIFY2(retried.exitCode == 0, retried.err.constData());
        QCOMPARE(retried.json.value("ran").toArray().size(), 1);
        QCOMPARE(runAecnn({"sweep", "status", dir}).json.value("counts").toObject().value("done").toInt(), 1);
    }

    void interruptedRunLeavesTasksPendingAndResumes()
    {
        const QString dir = tmp_.filePath("interrupted");
        auto args = budget();
        args[args.indexOf("--epochs-ca") + 1] = "3"; // long enough to be interrupted on most machines
        const auto plan = runAecnn(QStringList{"sweep", "plan", "--out", dir, "--model", model_} + args +
                                   QStringList{"--ratios", "2", "--methods", "aecnn"});
        QVERIFY2(plan.exitCode == 0, plan.err.constData());
        QProcess runner;
        runner.start(QStringLiteral(AECNN_CLI_PATH), {"sweep", "run", "--local", dir, "--threads", "1"});
        QVERIFY(runner.waitForStarted());
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += runner.readAllStandardOutput()).contains("started"),
                                 ::aecnn::test::budgetMs(60000));
        runner.terminate(); // SIGTERM, as Slurm sends at its time limit
        QVERIFY(runner.waitForFinished(::aecnn::test::budgetMs(60000)));
        // Stopped while running: pending (resumable), never failed; or done if it was faster than the signal.
        const auto status = runAecnn({"sweep", "status", dir});
        const QString state = status.json.value("tasks").toArray()[0].toObject().value("state").toString();
        QVERIFY2(state == "pending" || state == "done", qPrintable(state + "\n" + out + runner.readAll()));
        if (state == "pending")
            QCOMPARE(runner.exitCode(), 1);
        const auto resumed = runAecnn({"sweep", "run", "--local", dir});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QCOMPARE(runAecnn({"sweep", "status", dir}).json.value("counts").toObject().value("done").toInt(), 1);
    }

    void slurmScriptForUnfinishedTasks()
    {
        const QString dir = tmp_.filePath("slurm");
        const auto plan = runAecnn(QStringList{"sweep", "plan", "--out", dir, "--model", model_} + budget());
        QVERIFY2(plan.exitCode == 0, plan.err.constData());
        const auto slurm = runAecnn({"sweep", "slurm", dir, "--no-submit", "--max-parallel", "2", "--mem", "2G",
                                     "--time", "00:10:00"});
        QVERIFY2(slurm.exitCode == 0, slurm.err.constData());
        QCOMPARE(slurm.json.value("submitted").toBool(), false);
        QCOMPARE(slurm.json.value("array").toString(), QString("0-3%2"));
        const QString script = readText(slurm.json.value("script").toString());
        QVERIFY(script.contains("#SBATCH --array=0-3%2\n"));
        QVERIFY(script.contains("#SBATCH --cpus-per-task=1\n"));
        QVERIFY(script.contains("sweep run --task \"$SLURM_ARRAY_TASK_ID\""));
        QVERIFY(slurm.json.value("submit_command").toString().startsWith("sbatch "));
    }

private:
    QTemporaryDir tmp_;
    QString model_, dir_, hash_;
};

QTEST_GUILESS_MAIN(TestSweepCli)
#include "test_sweep_cli.moc"
