#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <numeric>

#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/method/importance.h"
#include "aecnn/split/split_model.h"
#include "aecnn/datasets/dataset_spec.h"
#include "main_window.h"
#include "tiny_model_file.h"
#include "training_cache.h"
#include "training_controller.h"
#include "training_panel.h"
#include "test_budget.h"

using namespace aecnn::studio;

// Algorithm 1 from the GUI: a tiny model on synthetic shapes, trained in the
// training thread into a temporary cache directory.
class TestStudioTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void panelTrainsAndCachesSplitModels();
    void secondRunReusesTheCache();
    void cancelStopsAtTheNextStep();
    void badDatasetIsReported();
    void etaIsFormatted();

private:
    TrainingRequest tinyRequest(double epochs) const;

    QTemporaryDir dir_;
    QString model_;
};

void TestStudioTraining::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("aecnn-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_studio_training"));
    QSettings().clear();
    model_ = dir_.filePath(QStringLiteral("tiny.aecnn"));
    writeTinyModel(model_);
}

TrainingRequest TestStudioTraining::tinyRequest(double epochs) const
{
    TrainingRequest request;
    request.model = model_;
    request.dataset = QStringLiteral("synthetic:200");
    request.split = 1;
    request.ratio = 4;
    request.budget.epochsCa = request.budget.epochsFinetune = request.budget.epochsFr = epochs;
    request.budget.batchSize = 32;
    request.budget.evalLimit = 30;
    request.budget.importanceImages = 64;
    request.budget.threads = 1;
    request.cacheRoot = dir_.filePath(QStringLiteral("cache"));
    return request;
}

void TestStudioTraining::panelTrainsAndCachesSplitModels()
{
    StartupOptions options;
    options.model = model_;
    options.dataset = QStringLiteral("synthetic:200");
    options.split = 1;
    options.ratio = 4;
    MainWindow window(options);
    TrainingPanel* panel = window.trainingPanel();
    panel->setCacheRoot(dir_.filePath(QStringLiteral("cache")));
    panel->setBudget(tinyRequest(1.0).budget);
    for (const char* name : {"epochsCa", "epochsFinetune", "epochsFr"})
        QCOMPARE(panel->findChild<QDoubleSpinBox*>(QLatin1String(name))->value(), 1.0);
    QVERIFY(panel->cacheText().contains(QStringLiteral("not trained")));

    QSignalSpy progress(window.trainingController(), &TrainingController::progress);
    QSignalSpy finished(window.trainingController(), &TrainingController::finished);
    panel->findChild<QPushButton*>(QStringLiteral("train"))->click();
    QVERIFY(window.trainingController()->isRunning()); // returned at once: the work is in the training thread
    QVERIFY(panel->isTraining());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, aecnn::test::budgetMs(90000));
    QVERIFY(!panel->isTraining());

    QStringList stages;
    double lastFraction = 0.0;
    for (const auto& args : progress) {
        const auto status = args.first().value<TrainingStatus>();
        if (status.fraction < 0)
            continue;
        QVERIFY(status.fraction >= lastFraction); // the bar only moves forward
        lastFraction = status.fraction;
        if (!stages.contains(status.stage))
            stages << status.stage;
    }
    QCOMPARE(lastFraction, 1.0);
    QCOMPARE(stages, QStringList({"split1/ca", "split1/v4/ca_pruned", "split1/v4/aecnn", "split1/v4/bottlenetpp-frozen",
                                  "split1/v4/bottlenetpp-joint"}));

    const auto outcome = finished.first().first().value<TrainingOutcome>();
    QCOMPARE(outcome.split, 1);
    QCOMPARE(outcome.ratio, 4);
    QCOMPARE(outcome.models.size(), size_t(3));
    for (const TrainedModel& model : outcome.models) {
        QVERIFY2(QFileInfo::exists(model.path), qPrintable(model.path));
        QVERIFY(!model.resumed);
        QCOMPARE(model.evaluated, 30LL);
    }
    QVERIFY(!outcome.pathOf(QStringLiteral("aecnn")).isEmpty());
    QVERIFY2(panel->cacheText().contains(QStringLiteral("trained with this budget")), qPrintable(panel->cacheText()));
    QVERIFY(window.statusText().contains(QStringLiteral("Trained split 1, V=4")));

    // The CA_Pruned and AECNN models keep exactly the C/V most important channels (Eq. 8):
    // the importance is recomputed here from the CA network the run saved, over the same
    // first 64 training images, and ranked by this test's own sort (ties: lower index).
    auto ca = aecnn::loadCaNetwork(QDir(outcome.directory).filePath(aecnn::caNetworkFileName(1)));
    aecnn::datasets::DatasetRequest want;
    want.channels = ca.network.net->config().inChannels;
    want.height = ca.network.usage.inputHeight;
    want.width = ca.network.usage.inputWidth;
    const auto data = aecnn::datasets::loadDataset("synthetic:200", want);
    const auto recomputed = aecnn::computeImportance(*ca.network.net, 1, data.train.head(64), 0, 16, 1, {4});
    const auto& importance = recomputed.importance;
    QCOMPARE(int(importance.size()), 8);
    std::vector<int64_t> order(importance.size());
    std::iota(order.begin(), order.end(), int64_t(0));
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return importance[a] > importance[b]; });
    order.resize(8 / 4);
    std::sort(order.begin(), order.end());
    qInfo("importance top %d of 8: channels %lld, %lld", int(order.size()), static_cast<long long>(order[0]),
          static_cast<long long>(order[1]));
    for (const QString variant : {"ca_pruned", "aecnn"}) {
        const auto file = aecnn::loadAecnnClassifierFile(outcome.pathOf(variant));
        QVERIFY2(file.net->kept() == order, qPrintable(variant));
    }
}

void TestStudioTraining::secondRunReusesTheCache()
{
    TrainingRequest request = tinyRequest(1.0);
    request.budget.evalLimit = 0; // a different budget is a different cache entry...
    QVERIFY(!cachedOutcome(request));
    request.budget.evalLimit = 30; // ...the first test's budget is cached
    const auto cached = cachedOutcome(request);
    QVERIFY(cached.has_value());
    QCOMPARE(cached->models.size(), size_t(3));

    TrainingController controller;
    QSignalSpy progress(&controller, &TrainingController::progress);
    QSignalSpy finished(&controller, &TrainingController::finished);
    QVERIFY(controller.start(request));
    QVERIFY(!controller.start(request)); // one run at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, aecnn::test::budgetMs(60000));
    const auto outcome = finished.first().first().value<TrainingOutcome>();
    for (const TrainedModel& model : outcome.models)
        QVERIFY(model.resumed);
    for (const auto& args : progress)
        QVERIFY(args.first().value<TrainingStatus>().fraction < 0); // no training step ran

    // Another V at the same split reuses the CA network and trains only its own stages.
    request.ratio = 2;
    progress.clear();
    QVERIFY(controller.start(request));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, aecnn::test::budgetMs(90000));
    for (const auto& args : progress)
        QVERIFY(args.first().value<TrainingStatus>().stage != QStringLiteral("split1/ca"));
    QVERIFY(cachedOutcome(request).has_value());
}

void TestStudioTraining::cancelStopsAtTheNextStep()
{
    TrainingRequest request = tinyRequest(50.0);
    request.ratio = 8;
    request.budget.bottleNet = false;
    TrainingController controller;
    QSignalSpy cancelled(&controller, &TrainingController::cancelled);
    QSignalSpy finished(&controller, &TrainingController::finished);
    connect(&controller, &TrainingController::progress, &controller, [&](const TrainingStatus& status) {
        if (status.fraction > 0)
            controller.cancel();
    });
    QVERIFY(controller.start(request));
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, aecnn::test::budgetMs(60000));
    QCOMPARE(finished.count(), 0);
    QVERIFY(!controller.isRunning());
    QVERIFY(!cachedOutcome(request));
}

void TestStudioTraining::badDatasetIsReported()
{
    TrainingRequest request = tinyRequest(1.0);
    request.dataset = QStringLiteral("no-such-dataset");
    TrainingController controller;
    QSignalSpy failed(&controller, &TrainingController::failed);
    QVERIFY(controller.start(request));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, aecnn::test::budgetMs(30000));
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("no-such-dataset")), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("Training split 1 at V=4 failed")));

    request = tinyRequest(1.0);
    request.ratio = 64; // more than the 8 channels at split 1
    QVERIFY(controller.start(request));
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, aecnn::test::budgetMs(30000));
    QVERIFY2(failed.last().first().toString().contains(QStringLiteral("8 channels")),
             qPrintable(failed.last().first().toString()));
}

void TestStudioTraining::etaIsFormatted()
{
    QCOMPARE(formatEta(-1.0), QString());
    QCOMPARE(formatEta(12.4), QStringLiteral("12 s"));
    QCOMPARE(formatEta(65.0), QStringLiteral("1 min 05 s"));
}

QTEST_MAIN(TestStudioTraining)
#include "test_studio_training.moc"
