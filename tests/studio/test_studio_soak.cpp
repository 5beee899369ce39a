// Presentation mode soak, shortened: the demo (shipped models, the real aecnn-agent on
// loopback, Fashion-MNIST) touring a three-stop tour twice after a warm-up round while recording.
// Memory stays bounded (RSS after the second round against after the first) and the
// recorded CSV holds every frame the edge finished, numbered without a gap.
// packaging/bench-soak.sh runs the same for 30 minutes and reports the RSS growth.
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/widgets/device_view.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/heat_map.h"
#include "aecnn/widgets/live_view.h"
#include "live_frame_sampler.h"
#include "controls_panel.h"
#include "csv_reader.h"
#include "edge_controller.h"
#include "local_agent.h"
#include "main_window.h"
#include "test_budget.h"

using namespace aecnn::studio;

namespace {

long long residentKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly | QIODevice::Text))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

bool fashionMnistAvailable()
{
    const QString dir = qEnvironmentVariableIsSet("AECNN_FASHION_MNIST_DIR")
                            ? qEnvironmentVariable("AECNN_FASHION_MNIST_DIR")
                            : QStringLiteral("/usr/share/datasets/fashion-mnist");
    return QFileInfo::exists(dir + QStringLiteral("/t10k-images-idx3-ubyte.gz")) ||
           QFileInfo::exists(dir + QStringLiteral("/t10k-images-idx3-ubyte"));
}

} // namespace

class TestStudioSoak : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("aecnn-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_studio_soak"));
        QSettings().clear();
    }

    void presentationSoak()
    {
        if (LocalAgent::findExecutable().isEmpty())
            QFAIL("aecnn-agent not found at $AECNN_AGENT (set by CTest to the build's app/agent/aecnn-agent)");
        if (!fashionMnistAvailable())
            QSKIP("Fashion-MNIST is not installed (the demo streams it): apt install dataset-fashion-mnist");
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("soak.csv"));
        StartupOptions options;
        options.demo = true;
        options.present = true;
        // A shortened tour: three stops over both split points, each long enough for the
        // redeployment (stop, deploy, agent warm-up, start) and some frames on a loaded machine.
        options.tourFile = dir.filePath(QStringLiteral("tour.json"));
        QFile tour(options.tourFile);
        QVERIFY(tour.open(QIODevice::WriteOnly));
        tour.write(R"({"step_ms": 8000, "stops": [
            {"split": 1, "ratio": 8, "rate_mbps": 10, "tab": "device", "caption": "split 1, V 8"},
            {"split": 2, "ratio": 16, "rate_mbps": 5, "tab": "entropy", "caption": "split 2, V 16"},
            {"split": 1, "ratio": 32, "rate_mbps": 1, "tab": "live", "caption": "split 1, V 32"}]})");
        tour.close();
        options.tourStepMs = qEnvironmentVariableIntValue("AECNN_SOAK_STEP_MS"); // 0 = the tour's 8 s
        options.recordFile = csv;
        MainWindow window(options);
        window.resize(1280, 800);
        window.show();
        // The demo starts with the measured best codec for its split and V.
        QCOMPARE(window.controls()->config().codec, window.bestCodecFor(1, 8).codec);
        QVERIFY(window.bestCodecFor(1, 8).measured);

        long long frames = 0;
        connect(window.edgeController(), &EdgeController::frameReceived, this, [&frames] { ++frames; });
        // Device view: the edge's copy of each frame's image, found by its source position
        // across every redeployment; a wrong position would show as a label mismatch.
        long long imagesShown = 0;
        long long mismatches = 0;
        connect(window.liveFrameSampler(), &LiveFrameSampler::deviceFrameReady, this,
                [&](const aecnn::widgets::DeviceFrame& frame) {
                    imagesShown += frame.input.isNull() ? 0 : 1;
                    mismatches += frame.inputCaption.startsWith(QStringLiteral("Not the captured")) ? 1 : 0;
                });
        TourPlayer* player = window.tourPlayer();
        const long long stops = static_cast<long long>(player->tour().stops.size());
        QVERIFY(stops > 0);

        // Warm-up: one round with frames flowing (models loaded, data set held, plots full).
        QTRY_VERIFY_WITH_TIMEOUT(frames > 0, aecnn::test::budgetMs(60000));
        const long long warmStop = player->stopsReached() + stops;
        QTRY_VERIFY_WITH_TIMEOUT(player->stopsReached() > warmStop, aecnn::test::budgetMs(120000));
        const long long warmFrames = frames;
        const long long warmKb = residentKb();
        // Another round, and on a loaded machine longer, until frames came in it too.
        const long long endStop = player->stopsReached() + stops;
        QTRY_VERIFY_WITH_TIMEOUT(player->stopsReached() > endStop && frames > warmFrames, aecnn::test::budgetMs(150000));
        const long long endKb = residentKb();
        qInfo("soak: %lld device frames with their image, %lld label mismatches", imagesShown, mismatches);
        qInfo("soak: %lld stops of %d ms, %lld frames (%lld after warm-up), RSS %lld kB after warm-up, %lld kB at the end",
              player->stopsReached(), player->stepMs(), frames, frames - warmFrames, warmKb, endKb);
        QVERIFY(imagesShown > 0);
        QCOMPARE(mismatches, 0LL);
        // What the device view draws: the input image, received channels with a colour bar,
        // the FR-recovered map, and the entropy view's coded bits per channel for the coder in use.
        const aecnn::widgets::DeviceFrame& shown = window.deviceView()->frame();
        QVERIFY(shown.sequence >= 0);
        QVERIFY(!window.deviceView()->inputImage().isNull());
        QVERIFY(window.deviceView()->receivedMap()->tiles().count > 0);
        QVERIFY(window.deviceView()->recoveredMap()->tiles().count >= window.deviceView()->receivedMap()->tiles().count);
        QCOMPARE(window.entropyView()->data().codedBits.size(), window.entropyView()->data().h0Bits.size());
        // Generous: a leak of every frame's features (kilobytes per frame) would show; the
        // 30-minute benchmark (packaging/bench-soak.sh) measures the growth itself.
        QVERIFY2(endKb < warmKb + warmKb / 4, qPrintable(QStringLiteral("%1 -> %2 kB").arg(warmKb).arg(endKb)));

        player->stop();
        window.liveView()->stopRecording();
        const long long recorded = frames;
        window.close();
        const ParsedCsv table = readCsv(csv);
        QCOMPARE(static_cast<long long>(table.rows.size()), recorded);
        // Frame numbers count from 0 in each stream (every stop that changes the settings
        // restarts it): within a stream no number is skipped or repeated.
        long long runs = 0;
        for (size_t i = 0; i < table.rows.size(); ++i) {
            const long long sequence = table.rows[i].first().toLongLong();
            if (sequence == 0) {
                ++runs;
                continue;
            }
            QVERIFY(i > 0);
            QCOMPARE(sequence, table.rows[i - 1].first().toLongLong() + 1);
        }
        QVERIFY(runs >= 1 && runs <= player->stopsReached());
    }
};

QTEST_MAIN(TestStudioSoak)
#include "test_studio_soak.moc"
