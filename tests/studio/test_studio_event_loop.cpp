#include <QComboBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/widgets/live_view.h"
#include "agent_client.h"
#include "controls_panel.h"
#include "event_loop_probe.h"
#include "local_agent.h"
#include "main_window.h"
#include "tiny_model_file.h"
#include "training_controller.h"
#include "test_budget.h"

using namespace aecnn::studio;

// The UI thread never blocks: while a real local agent streams into the live
// view, a training run and the attention computation are in progress, the
// event loop serves a 10 ms timer at most 100 ms late.
class TestStudioEventLoop : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("aecnn-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_studio_event_loop"));
        QSettings().clear();
    }

    // The probe can fail: 150 ms of blocking work on the UI thread shows up.
    void probeDetectsABlockedEventLoop()
    {
        EventLoopProbe probe;
        probe.start();
        QTimer::singleShot(100, this, [] { QThread::msleep(150); });
        QTest::qWait(400);
        probe.stop();
        QVERIFY2(probe.maxLatenessMs() > 100.0, qPrintable(QString::number(probe.maxLatenessMs())));
    }

    void eventLoopStaysResponsiveDuringStreamAndTraining()
    {
        if (LocalAgent::findExecutable().isEmpty())
            QFAIL("aecnn-agent not found at $AECNN_AGENT (set by CTest to the build's app/agent/aecnn-agent)");
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("tiny.aecnn"));
        writeTinyModel(model);

        StartupOptions options;
        options.model = model;
        options.dataset = QStringLiteral("synthetic:400");
        options.tab = QStringLiteral("live"); // the live plots really render
        MainWindow window(options);
        window.resize(1280, 800);
        window.show();
        window.controls()->findChild<QComboBox*>(QStringLiteral("mode"))->setCurrentText(QStringLiteral("full-offloading"));
        window.startLocalAgent();
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->stats().frames() >= 10, aecnn::test::budgetMs(90000));

        TrainingRequest request;
        request.model = model;
        request.dataset = QStringLiteral("synthetic:400");
        request.budget.epochsCa = request.budget.epochsFinetune = request.budget.epochsFr = 200.0; // outlasts the probe
        request.budget.batchSize = 32;
        request.budget.evalLimit = 20;
        request.budget.importanceImages = 64;
        request.cacheRoot = dir.filePath(QStringLiteral("cache"));
        TrainingController* trainer = window.trainingController();
        QSignalSpy progress(trainer, &TrainingController::progress);
        QSignalSpy cancelled(trainer, &TrainingController::cancelled);
        QVERIFY(trainer->start(request));
        // Measure once the training steps run (model and data loaded).
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(progress.begin(), progress.end(),
                                             [](const QList<QVariant>& args) {
                                                 return args.first().value<TrainingStatus>().fraction > 0;
                                             }),
                                 60000);
        window.computeAttention(); // the analysis worker joins in

        EventLoopProbe probe;
        const long long framesBefore = window.liveView()->stats().frames();
        const qsizetype reportsBefore = progress.size();
        const int replotsBefore = window.liveView()->replotCount();
        probe.start();
        QTest::qWait(4000);
        probe.stop();
        const long long frames = window.liveView()->stats().frames() - framesBefore;
        const qsizetype reports = progress.size() - reportsBefore;
        const int replots = window.liveView()->replotCount() - replotsBefore;
        qInfo("probe: %d ticks, lateness max %.1f ms, p99 %.1f ms, p50 %.1f ms; %lld frames, %lld training reports, "
              "%d replots",
              probe.ticks(), probe.maxLatenessMs(), probe.percentileMs(0.99), probe.percentileMs(0.5), frames,
              static_cast<long long>(reports), replots);

        // The load was really there during the measurement...
        QVERIFY2(frames >= 10, "the stream did not deliver frames while the probe ran");
        QVERIFY2(reports >= 5, "the training did not progress while the probe ran");
        QVERIFY(trainer->isRunning());
        QVERIFY(replots >= 5);
        // ...and the event loop stayed responsive.
        QVERIFY(probe.ticks() >= 40);
        QVERIFY2(probe.maxLatenessMs() <= 100.0,
                 qPrintable(QStringLiteral("event loop %1 ms late").arg(probe.maxLatenessMs())));

        trainer->cancel();
        QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, aecnn::test::budgetMs(30000));
        window.close();
    }
};

QTEST_MAIN(TestStudioEventLoop)
#include "test_studio_event_loop.moc"
