#include <QComboBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

#include "aecnn/widgets/live_view.h"
#include "agent_client.h"
#include "connection_panel.h"
#include "controls_panel.h"
#include "local_agent.h"
#include "main_window.h"
#include "live_frame_sampler.h"
#include "tiny_model_file.h"
#include "training_controller.h"
#include "training_panel.h"
#include "test_budget.h"

using namespace aecnn::studio;

// End to end: "Start local agent" spawns the real aecnn-agent on loopback, the
// studio connects, configures full offloading or AECNN and frames reach the views.
class TestStudioAgent : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("aecnn-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_studio_agent"));
        QSettings().clear();
    }

    void localAgentStreamsIntoLiveView()
    {
        if (LocalAgent::findExecutable().isEmpty())
            QFAIL("aecnn-agent not found at $AECNN_AGENT (set by CTest to the build's app/agent/aecnn-agent)");
        StartupOptions options;
        options.dataset = QStringLiteral("synthetic:60");
        MainWindow window(options);
        window.controls()->findChild<QComboBox*>(QStringLiteral("mode"))->setCurrentText(QStringLiteral("full-offloading"));
        window.startLocalAgent();
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->stats().frames() >= 30, aecnn::test::budgetMs(60000));
        QCOMPARE(window.agentState(), AgentClient::State::Streaming);
        const auto& history = window.liveView()->history();
        for (size_t i = 1; i < history.size(); ++i)
            QCOMPARE(history[i].sequence, history[i - 1].sequence + 1); // nothing lost or reordered
        QVERIFY(history.front().bytes > 100); // a JPEG of a 28x28 image inside a frame
        QVERIFY(window.connection()->status().contains(QStringLiteral("streaming")));

        // A control change restarts the stream with the new setting, without a restart of the agent.
        const long long before = window.liveView()->stats().frames();
        window.controls()->findChild<QComboBox*>(QStringLiteral("codec"))->setCurrentIndex(1);
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->stats().frames() >= 10 &&
                                     window.liveView()->stats().frames() != before,
                                 60000);
        window.close();
    }

    // AECNN end to end: a split model trained from the GUI (tiny model, synthetic
    // shapes) is deployed (head to the agent, FR + tail in the edge thread), and
    // the live, entropy and features views fill from the streamed features.
    void trainedAecnnModelStreamsFeatures()
    {
        if (LocalAgent::findExecutable().isEmpty())
            QFAIL("aecnn-agent not found at $AECNN_AGENT (set by CTest to the build's app/agent/aecnn-agent)");
        QTemporaryDir dir;
        const QString model = dir.filePath(QStringLiteral("tiny.aecnn"));
        writeTinyModel(model);
        StartupOptions options;
        options.model = model;
        options.dataset = QStringLiteral("synthetic:60");
        options.split = 1;
        options.ratio = 4;
        MainWindow window(options);
        TrainingPanel* panel = window.trainingPanel();
        panel->setCacheRoot(dir.filePath(QStringLiteral("cache")));
        TrainingBudget budget;
        budget.epochsCa = budget.epochsFinetune = budget.epochsFr = 1.0;
        budget.batchSize = 16;
        budget.evalLimit = 12;
        budget.importanceImages = 32;
        budget.bottleNet = false;
        budget.threads = 1;
        panel->setBudget(budget);
        QSignalSpy trained(window.trainingController(), &TrainingController::finished);
        panel->findChild<QPushButton*>(QStringLiteral("train"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(trained.count(), 1, aecnn::test::budgetMs(90000));
        const QString aecnnFile = trained.first().first().value<TrainingOutcome>().pathOf(QStringLiteral("aecnn"));
        QVERIFY(!aecnnFile.isEmpty());

        window.controls()->findChild<QComboBox*>(QStringLiteral("mode"))->setCurrentText(QStringLiteral("aecnn"));
        window.startLocalAgent();
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->stats().frames() >= 20, aecnn::test::budgetMs(90000));
        QCOMPARE(window.deployedModelFile(), aecnnFile);
        const auto& history = window.liveView()->history();
        for (size_t i = 1; i < history.size(); ++i)
            QCOMPARE(history[i].sequence, history[i - 1].sequence + 1);
        for (const auto& sample : history) {
            QVERIFY(sample.correct == 0 || sample.correct == 1); // labelled images, predicted on the edge
            QVERIFY(sample.measured.esMs > 0.0);                  // FR + tail ran here
        }
        // 8 channels at split 1, V=4: 2 channels of 14x14 travel.
        QTRY_VERIFY_WITH_TIMEOUT(window.liveFrameSampler()->published() >= 1, aecnn::test::budgetMs(10000));
        QCOMPARE(window.featuresView()->frame().keptChannels.size(), size_t(2));
        QCOMPARE(window.featuresView()->frame().received.size(), size_t(2 * 14 * 14));
        QCOMPARE(window.entropyView()->data().h0Bits.size(), size_t(2));
        QVERIFY(window.entropyView()->data().bytesPerFrame > 0);
        // Coalesced: far fewer view updates than frames.
        QVERIFY(window.liveFrameSampler()->published() < window.liveView()->stats().frames());
        window.close();
    }
};

QTEST_MAIN(TestStudioAgent)
#include "test_studio_agent.moc"
