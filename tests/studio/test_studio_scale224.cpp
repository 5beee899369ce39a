// The studio at the paper's scale (offscreen): a 224 x 224 RGB split model with
// torchvision's ImageNet stem (tiny widths, made here with the CLI), deployed from the
// studio's model cache to a real local aecnn-agent. Split 1 is the stem's C x 56 x 56;
// the live predictions are those of the offline `aecnn eval` of the same model on the
// same images, and the features and device views draw 56 x 56 maps.
#include <QComboBox>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "../cli/cli_runner.h"
#include "aecnn/widgets/device_view.h"
#include "aecnn/widgets/features_view.h"
#include "aecnn/widgets/heat_map.h"
#include "aecnn/widgets/live_view.h"
#include "analysis_controller.h"
#include "controls_panel.h"
#include "live_frame_sampler.h"
#include "local_agent.h"
#include "main_window.h"
#include "training_cache.h"
#include "training_panel.h"

using namespace aecnn::studio;

namespace {

const QString kData = QStringLiteral("synthetic:40"); // 32 training, 8 test images (the agent streams the 8)

QString why(const CliResult& r)
{
    return QString::fromUtf8(r.out.left(2000) + "\n" + r.err.left(2000));
}

} // namespace

class TestStudioScale224 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("aecnn-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("test_studio_scale224"));
        QSettings().clear();
    }

    void splitModelAt224StreamsThroughTheStudio()
    {
        if (LocalAgent::findExecutable().isEmpty())
            QFAIL("aecnn-agent not found at $AECNN_AGENT (set by CTest to the build's app/agent/aecnn-agent)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QStringList threads{"--threads", "1", "--json"};
        // The base classifier: ResNet-50 topology, ImageNet stem with 8 channels, 224 x 224 RGB.
        const QString base = dir.filePath(QStringLiteral("base224.ckpt"));
        auto r = runCli(QStringList{"train", "--dataset", kData, "--input", "224x224", "--channels", "3", "--stem",
                                    "imagenet", "--stem-channels", "8", "--stage-planes", "4,4,4,8", "--epochs", "1",
                                    "--max-steps", "2", "--batch-size", "8", "--test-limit", "8", "--out", base} +
                        threads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));

        StartupOptions options;
        options.model = base;
        options.dataset = kData;
        options.split = 1;
        options.ratio = 2;
        MainWindow window(options);
        window.resize(1280, 800);
        window.show();

        // Its split models (Algorithm 1 at a tiny budget), where the studio looks for
        // GUI-trained ones: the training cache of (base model, data set, budget).
        TrainingPanel* panel = window.trainingPanel();
        panel->setCacheRoot(dir.filePath(QStringLiteral("cache")));
        const TrainingRequest request = panel->request();
        QCOMPARE(request.model, base);
        const QString models = trainingCacheDir(request);
        r = runCli(QStringList{"aecnn-train", "--model", base, "--dataset", kData, "--splits", "1", "--ratios", "2",
                               "--epochs-ca", "0.1", "--epochs-finetune", "0.1", "--epochs-fr", "0.1", "--batch-size",
                               "8", "--no-bottlenet", "--eval-limit", "8", "--importance-batches", "1",
                               "--importance-batch-size", "8", "--out", models} +
                   threads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        const QString aecnn = QDir(models).filePath(QStringLiteral("split1-v2-aecnn.aecnn"));
        QVERIFY(QFileInfo::exists(aecnn));
        TrainingOutcome outcome;
        outcome.split = 1;
        outcome.ratio = 2;
        outcome.directory = models;
        outcome.models.push_back({QStringLiteral("aecnn"), aecnn, 0.0, 8, false});
        QString error;
        QVERIFY2(storeOutcome(request, outcome, &error), qPrintable(error));

        // The offline reference: the same model on the same 8 test images.
        r = runCli(QStringList{"eval", "--model", aecnn, "--dataset", kData, "--limit", "8"} + threads);
        QVERIFY2(r.exitCode == 0, qPrintable(why(r)));
        const int offlineCorrect = r.json["correct"].toInt();
        QCOMPARE(r.json["n"].toInt(), 8);

        // Channel attention at 224 x 224: the split list, and the edge's copy of the images
        // that the device view shows.
        QSignalSpy analysisFailed(window.analysisController(), &AnalysisController::failed);
        window.computeAttention();
        QTRY_VERIFY_WITH_TIMEOUT(!window.analysisController()->isRunning(), aecnn::test::budgetMs(120000));
        QVERIFY2(analysisFailed.isEmpty(), qPrintable(window.statusText()));
        // The split list shows the stem's 8 x 56 x 56 (torchvision's 64 x 56 x 56 at full width).
        QVERIFY(!window.controls()->splitRows().empty());
        const SplitRow& stem = window.controls()->splitRows().front();
        QCOMPARE(stem.point, 1);
        QCOMPARE(QString("%1x%2x%3").arg(stem.channels).arg(stem.height).arg(stem.width), QString("8x56x56"));
        QVERIFY2(stem.label().contains(QStringLiteral("8x56x56")), qPrintable(stem.label()));

        // Lossless transport (float32, stored): the edge's tail sees the head's exact tensor.
        window.controls()->findChild<QComboBox*>(QStringLiteral("codec"))->setCurrentText(QStringLiteral("float32+store"));
        window.controls()->findChild<QComboBox*>(QStringLiteral("mode"))->setCurrentText(QStringLiteral("aecnn"));
        window.startLocalAgent();
        QTRY_VERIFY_WITH_TIMEOUT(window.liveView()->stats().frames() >= 10, aecnn::test::budgetMs(120000));
        QCOMPARE(window.deployedModelFile(), aecnn);

        // Frames 0..7 are the test images 0..7 (the first stream starts at image 0).
        const auto& history = window.liveView()->history();
        QVERIFY(history.size() >= 8);
        QCOMPARE(history.front().sequence, 0LL);
        int liveCorrect = 0;
        for (size_t i = 0; i < 8; ++i) {
            QCOMPARE(history[i].sequence, static_cast<long long>(i));
            QVERIFY(history[i].correct == 0 || history[i].correct == 1);
            liveCorrect += history[i].correct;
        }
        QCOMPARE(liveCorrect, offlineCorrect);

        // The features view: 4 of the stem's 8 channels travel, each 56 x 56.
        QTRY_VERIFY_WITH_TIMEOUT(window.liveFrameSampler()->published() >= 1, aecnn::test::budgetMs(20000));
        const aecnn::widgets::FeatureFrame& features = window.featuresView()->frame();
        QCOMPARE(features.channels, 8);
        QCOMPARE(features.height, 56);
        QCOMPARE(features.width, 56);
        QCOMPARE(features.keptChannels.size(), size_t(4));
        QCOMPARE(features.received.size(), size_t(4 * 56 * 56));
        QVERIFY2(features.validate().isEmpty(), qPrintable(features.validate()));

        // The device view: the 224 x 224 RGB input, the received and FR-recovered 56 x 56 maps.
        QTRY_VERIFY_WITH_TIMEOUT(window.deviceView()->frame().sequence >= 0, aecnn::test::budgetMs(20000));
        const aecnn::widgets::DeviceFrame& device = window.deviceView()->frame();
        QVERIFY(!device.input.isNull());
        QCOMPARE(device.input.size(), QSize(224, 224));
        QCOMPARE(device.input.format(), QImage::Format_RGB32); // three planes (the synthetic shapes are grey)
        const auto& received = window.deviceView()->receivedMap()->tiles();
        QCOMPARE(received.count, 4);
        QCOMPARE(received.height, 56);
        QCOMPARE(received.width, 56);
        const auto& recovered = window.deviceView()->recoveredMap()->tiles();
        QCOMPARE(recovered.count, 8);
        QCOMPARE(recovered.height, 56);
        QCOMPARE(recovered.width, 56);
        // The device frame's prediction is the one the live view counted for that frame.
        const long long shown = device.sequence;
        for (const auto& sample : history)
            if (sample.sequence == shown && device.label >= 0 && device.predicted >= 0)
                QCOMPARE(sample.correct, device.predicted == device.label ? 1 : 0);
        window.close();
    }
};

QTEST_MAIN(TestStudioScale224)
#include "test_studio_scale224.moc"
