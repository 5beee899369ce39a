#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/error.h"
#include "sweep_collect.h"
#include "sweep_plan.h"
#include "sweep_slurm.h"
#include "sweep_status.h"
#include "sweep_task_state.h"

using namespace aecnn::sweep;

namespace {

SweepPlan tinyPlan()
{
    SweepPlan plan;
    plan.model = "/models/tiny.aecnn";
    plan.dataset = "synthetic:300";
    plan.threads = 1;
    plan.codecImages = 5;
    plan.options = {{"epochs-ca", "0.2"}, {"no-augment", false}};
    plan.tasks = expandTasks({1, 2}, {2, 4}, {"aecnn", "bottlenetpp"}, {1, 7});
    return plan;
}

void writeJson(const QString& path, const QJsonObject& json)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    aecnn::writeFileAtomically(path, QJsonDocument(json).toJson());
}

// What a finished task writes (cmd_sweep_task.cpp), with made-up numbers.
QJsonObject taskResult(const SweepPlan& plan, const SweepTask& t)
{
    QJsonObject cells{{"split", t.split}, {"V", t.ratio}, {"C", 8}, {"H", 14}, {"W", 14}, {"baseline_acc", 60.0}};
    if (t.method == "aecnn") {
        cells.insert("ca_pruned_acc", 40.0 + t.ratio + t.seed / 100.0);
        cells.insert("aecnn_acc", 50.0 + t.ratio + t.seed / 100.0);
        cells.insert("kept_C", 8 / t.ratio);
        cells.insert("entropy_bits", 5.4321);
        cells.insert("entropy_std", 0.25);
        cells.insert("enc_ms", 0.012345);
        cells.insert("dec_ms", 0.5);
        cells.insert("frame_bytes", 100.25);
        cells.insert("head_macs", 1000);
        cells.insert("fr_macs", 200);
        cells.insert("tail_macs", 30000);
    } else {
        cells.insert("bottlenetpp_acc", 30.0 + t.ratio);
    }
    return {{"plan_hash", planHash(plan)}, {"evaluated", 60}, {"table1", cells}};
}

QStringList dataLines(const QByteArray& csv)
{
    QStringList rows;
    for (const auto& line : QString::fromUtf8(csv).trimmed().split('\n'))
        if (!line.startsWith('#'))
            rows << line;
    return rows;
}

} // namespace

// The sweep library alone: plan, hash, folder refusal, task states, collect, Slurm text.
class TestSweepPlan : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void planHasEveryCombinationOnce()
    {
        const auto plan = tinyPlan();
        QCOMPARE(plan.tasks.size(), size_t(2 * 2 * 2 * 2));
        QSet<QString> seen, dirs;
        for (size_t i = 0; i < plan.tasks.size(); ++i) {
            const auto& t = plan.tasks[i];
            QCOMPARE(t.index, int(i));
            seen.insert(QString("%1/%2/%3/%4").arg(t.split).arg(t.ratio).arg(t.method).arg(t.seed));
            dirs.insert(t.dir);
        }
        QCOMPARE(seen.size(), 16);
        QCOMPARE(dirs.size(), 16);
        QCOMPARE(plan.tasks[3].dir, QString("tasks/0003-split1-v2-bottlenetpp-seed7"));
    }

    void hashCoversContentOnly()
    {
        auto plan = tinyPlan();
        const QString hash = planHash(plan);
        QCOMPARE(hash.size(), 64);
        plan.created = {{"date", "another day"}};
        QCOMPARE(planHash(plan), hash); // provenance of planning is not content
        auto budget = tinyPlan();
        budget.options.insert("epochs-ca", "0.3");
        QVERIFY(planHash(budget) != hash);
        auto seeds = tinyPlan();
        seeds.tasks = expandTasks({1, 2}, {2, 4}, {"aecnn", "bottlenetpp"}, {1, 8});
        QVERIFY(planHash(seeds) != hash);
        auto model = tinyPlan();
        model.modelSha256 = "ab";
        QVERIFY(planHash(model) != hash); // the same path holding another model is another sweep
        auto threads = tinyPlan();
        threads.threads = 2;
        QVERIFY(planHash(threads) != hash);
    }

    void planRoundTripsAndDetectsEdits()
    {
        const auto plan = tinyPlan();
        const auto back = planFromJson(planToJson(plan), "plan.json");
        QCOMPARE(planHash(back), planHash(plan));
        QCOMPARE(back.tasks.size(), plan.tasks.size());
        QCOMPARE(back.tasks[5].method, plan.tasks[5].method);
        QByteArray edited = planToJson(plan);
        edited.replace("synthetic:300", "synthetic:301");
        try {
            planFromJson(edited, "plan.json");
            QFAIL("an edited plan was accepted");
        } catch (const aecnn::Error& e) {
            QVERIFY2(QString(e.what()).contains("edited after planning"), e.what());
        }
    }

    void foreignFolderIsRefused()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("sweep");
        QCOMPARE(writePlan(dir, tinyPlan()), PlanWrite::Created);
        QCOMPARE(writePlan(dir, tinyPlan()), PlanWrite::Unchanged);
        auto other = tinyPlan();
        other.options.insert("epochs-ca", "1");
        try {
            writePlan(dir, other);
            QFAIL("a folder of another sweep was accepted");
        } catch (const aecnn::Error& e) {
            QVERIFY2(QString(e.what()).contains("holds another sweep"), e.what());
            QVERIFY2(QString(e.what()).contains(planHash(tinyPlan())), e.what());
        }
        QCOMPARE(planHash(loadPlan(dir)), planHash(tinyPlan())); // untouched
        QFile stray(tmp.filePath("stray/file.txt"));
        QVERIFY(QDir().mkpath(tmp.filePath("stray")) && stray.open(QIODevice::WriteOnly));
        stray.close();
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, writePlan(tmp.filePath("stray"), tinyPlan()));
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, loadPlan(tmp.filePath("nothing")));
    }

    void taskStatesFromTheFolder()
    {
        QTemporaryDir tmp;
        const auto plan = tinyPlan();
        const QString dir = tmp.path();
        QVERIFY(writePlan(dir, plan) == PlanWrite::Created);
        const auto& t0 = plan.tasks[0];
        const auto& t1 = plan.tasks[1];
        const auto& t2 = plan.tasks[2];
        const auto& t3 = plan.tasks[3];
        QCOMPARE(toString(taskStatus(dir, plan, t0).state), QString("pending"));
        QVERIFY(taskStatus(dir, plan, t0).detail.isEmpty());
        writeJson(taskResultPath(dir, t0), taskResult(plan, t0));
        QCOMPARE(toString(taskStatus(dir, plan, t0).state), QString("done"));
        writeJson(taskFailedPath(dir, t1), {{"reason", "the task process exited with code 1"}});
        const auto failed = taskStatus(dir, plan, t1);
        QCOMPARE(toString(failed.state), QString("failed"));
        QCOMPARE(failed.detail, QString("the task process exited with code 1"));
        QCOMPARE(failed.log, QDir(taskDir(dir, t1)).filePath("task.log"));
        // Checkpoints but no result: interrupted, pending (a rerun resumes).
        writeJson(QDir(taskModelsDir(dir, t2)).filePath("ca-split1.ckpt"), {});
        QCOMPARE(toString(taskStatus(dir, plan, t2).state), QString("pending"));
        QVERIFY(taskStatus(dir, plan, t2).detail.startsWith("interrupted"));
        // A result of another plan is not done.
        auto foreign = taskResult(plan, t3);
        foreign.insert("plan_hash", "0123");
        writeJson(taskResultPath(dir, t3), foreign);
        QCOMPARE(toString(taskStatus(dir, plan, t3).state), QString("failed"));
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, readTaskResult(dir, plan, t3));
    }

    void collectMergesWhatTasksReport()
    {
        QTemporaryDir tmp;
        const auto plan = tinyPlan();
        const QString dir = tmp.path();
        QVERIFY(writePlan(dir, plan) == PlanWrite::Created);
        int written = 0;
        for (const auto& t : plan.tasks) {
            if (t.split == 2 && t.ratio == 4 && t.method == "bottlenetpp")
                continue; // not finished
            writeJson(taskResultPath(dir, t), taskResult(plan, t));
            if (t.method == "aecnn")
                aecnn::writeFileAtomically(taskFig4Path(dir, t), QString("channel,importance,rank\n0,0.%1,1\n").arg(t.seed).toUtf8());
            ++written;
        }
        const QJsonObject provenance{{"command", "aecnn sweep collect X"}, {"date", "D"}, {"machine", "M"}};
        const auto tables = collectSweep(dir, plan, provenance);
        QCOMPARE(tables.done, written);
        QCOMPARE(tables.missing.size(), 2);
        const auto rows = dataLines(tables.table1Csv);
        QCOMPARE(rows[0], table1Columns().join(','));
        QVERIFY(rows[0].startsWith("split,C,H,W,V,bottlenetpp_acc,ca_pruned_acc,aecnn_acc,kept_C,entropy_bits,"
                                   "entropy_std,enc_ms,dec_ms,frame_bytes,baseline_acc,head_macs,fr_macs,tail_macs"));
        QCOMPARE(rows.size(), 1 + 2 * 2 * 2); // split x V x seed
        // split 1, V 2, seed 7: the numbers of its two tasks, formatted like reproduce table1.
        QCOMPARE(rows[2], QString("1,8,14,14,2,32.00,42.07,52.07,4,5.432,0.250,0.0123,0.5000,100.2,60.00,1000,200,30000,7"));
        // split 2, V 4: BottleNet++ not finished, its cell empty.
        QVERIFY(rows[7].startsWith("2,8,14,14,4,,44.01,54.01,"));
        QVERIFY(QString::fromUtf8(tables.table1Csv).contains("# plan: " + planHash(plan) + " (14 of 16 tasks done)"));
        QVERIFY(QString::fromUtf8(tables.table1Csv).contains("# command: aecnn sweep collect X"));
        QCOMPARE(tables.fig4.front().first, QString("fig4.csv"));
        QVERIFY(tables.fig4.front().second.endsWith("channel,importance,rank\n0,0.1,1\n"));
        QCOMPARE(tables.fig4.size(), size_t(1 + 4)); // fig4.csv + one per split and seed

        const auto files = writeSweepTables(tmp.filePath("out"), tables, provenance, planHash(plan));
        QVERIFY(files.contains(tmp.filePath("out/table1.csv")));
        QFile csv(tmp.filePath("out/table1.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(csv.readAll(), tables.table1Csv);
    }

    void slurmArrayAndScript()
    {
        QCOMPARE(arraySpec({0, 1, 2, 3}, 2), QString("0-3%2"));
        QCOMPARE(arraySpec({5, 0, 2, 3}, 0), QString("0,2-3,5"));
        const auto plan = tinyPlan();
        SlurmOptions options;
        options.cpusPerTask = 2;
        options.mem = "3G";
        options.time = "01:00:00";
        options.maxParallel = 4;
        options.partition = "debug";
        const auto script = QString::fromUtf8(sbatchScript("/data/sweep", plan, options, "/opt/aecnn", {0, 1, 2}));
        QVERIFY(script.startsWith("#!/bin/bash\n"));
        QVERIFY(script.contains("#SBATCH --array=0-2%4\n"));
        QVERIFY(script.contains("#SBATCH --cpus-per-task=2\n"));
        QVERIFY(script.contains("#SBATCH --mem=3G\n"));
        QVERIFY(script.contains("#SBATCH --time=01:00:00\n"));
        QVERIFY(script.contains("#SBATCH --partition=debug\n"));
        QVERIFY(script.contains("#SBATCH --output=/data/sweep/slurm/%A_%a.out\n"));
        QVERIFY(script.contains("exec '/opt/aecnn' sweep run --task \"$SLURM_ARRAY_TASK_ID\" '/data/sweep'\n"));
    }

    void slurmStatesOfOneJob()
    {
        const auto states = parseSlurmStates("41_0|COMPLETED\n41_1|FAILED\n41_[2-4%2]|PENDING\n40_5|RUNNING\n"
                                             "41_6|CANCELLED by 0\n41.batch|COMPLETED\n",
                                             "41");
        QCOMPARE(states.size(), size_t(6));
        QCOMPARE(states.at(0), QString("COMPLETED"));
        QCOMPARE(states.at(1), QString("FAILED"));
        QCOMPARE(states.at(3), QString("PENDING"));
        QCOMPARE(states.at(6), QString("CANCELLED"));
        QVERIFY(!states.count(5));
        QVERIFY(isSlurmFailure("TIMEOUT") && !isSlurmFailure("COMPLETED") && !isSlurmFailure("RUNNING"));
    }

    // sacct and squeue output of one array job (tests/sweep/data, see its README) merged as
    // `aecnn sweep status` and the studio's sweep panel do: squeue's newer view wins.
    void slurmStatesFromSampleOutput()
    {
        auto read = [](const char* name) {
            QFile file(QString(SWEEP_TEST_DATA_DIR) + "/" + name);
            return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
        };
        const QString sacct = read("sacct_array.txt"), squeue = read("squeue_array.txt");
        QVERIFY(!sacct.isEmpty() && !squeue.isEmpty());
        const auto states = mergeSlurmStates(sacct, squeue, "1");
        const std::map<int, QString> expected{{0, "RUNNING"}, {1, "FAILED"},  {2, "CANCELLED"}, {3, "PENDING"},
                                              {4, "PENDING"}, {5, "PENDING"}, {6, "PENDING"},   {7, "PENDING"}};
        QCOMPARE(states, expected);
        QCOMPARE(mergeSlurmStates({}, squeue, "1").count(2), size_t(0)); // squeue alone: the cancelled task is gone
        QCOMPARE(mergeSlurmStates(sacct, {}, "2"), (std::map<int, QString>{{0, "OUT_OF_MEMORY"}}));
        QVERIFY(mergeSlurmStates({}, {}, "1").empty()); // no Slurm here
    }
};

QTEST_GUILESS_MAIN(TestSweepPlan)
#include "test_sweep_plan.moc"
