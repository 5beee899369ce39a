#include <QComboBox>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

#include "aecnn/widgets/live_view.h"
#include "agent_client.h"
#include "connection_panel.h"
#include "controls_panel.h"
#include "local_agent.h"
#include "main_window.h"

using namespace aecnn::studio;

// End to end: "Start local agent" spawns the real aecnn-agent on loopback, the
// studio connects, configures full offloading and frames reach the live view.
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
            QSKIP("aecnn-agent is not built next to the tests (app/agent) nor on PATH");
        StartupOptions options;
        options.dataset = QStringLiteral("synthetic:60");
        MainWindow window(options);
        window.controls()->findChild<QComboBox*>(QStringLiteral("mode"))->setCurrentText(QStringLiteral("full-offloading"));
        window.startLocalAgent();
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->stats().frames() >= 30, 60000);
        QCOMPARE(window.agentClient()->state(), AgentClient::State::Streaming);
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
};

QTEST_MAIN(TestStudioAgent)
#include "test_studio_agent.moc"
