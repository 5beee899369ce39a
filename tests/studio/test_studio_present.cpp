// Best measured codec, per-channel coded bits, the device view of live frames and the
// presentation tour (a fake agent: no LibTorch models streamed here).
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <numeric>

#include "aecnn/codec/bitstream.h"
#include "aecnn/widgets/device_view.h"
#include "aecnn/widgets/features_view.h"
#include "aecnn/widgets/heat_map.h"
#include "channel_coding.h"
#include "codec_choice.h"
#include "controls_panel.h"
#include "fake_agent.h"
#include "live_frame_views.h"
#include "main_window.h"
#include "presentation_tour.h"
#include "resource_paths.h"
#include "startup_options.h"
#include "studio_config.h"

using namespace aecnn::studio;

namespace {

void writeFile(const QString& path, const QByteArray& text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

// Two kept channels of 4x4 at 4 bits: channel 0 is a ramp (ReLU zeros), channel 1 constant.
aecnn::edge::EdgeFrameResult fixtureFrame()
{
    aecnn::edge::EdgeFrameResult frame;
    frame.sequence = 7;
    frame.label = 2;
    frame.predicted = 2;
    frame.kind = "features";
    frame.featureChannels = 2;
    frame.featureHeight = 4;
    frame.featureWidth = 4;
    frame.keptChannels = {3, 5};
    for (int i = 0; i < 16; ++i) {
        frame.symbols.push_back(static_cast<uint8_t>(i % 8));
        frame.features.push_back(0.5f * static_cast<float>(i % 8));
    }
    for (int i = 0; i < 16; ++i) {
        frame.symbols.push_back(15);
        frame.features.push_back(2.0f);
    }
    frame.payloadBytes = 12;
    frame.rebuiltChannels = 8;
    frame.rebuilt.assign(8 * 16, 0.25f);
    return frame;
}

InputImages fixtureImages()
{
    InputImages images;
    images.dataset = QStringLiteral("fixture");
    images.total = 3;
    images.count = 3;
    images.channels = 1;
    images.height = 2;
    images.width = 2;
    images.pixels = std::make_shared<const std::vector<uint8_t>>(
        std::vector<uint8_t>{0, 0, 0, 0, 10, 20, 30, 40, 255, 255, 255, 255});
    images.labels = {0, 2, 1};
    images.classNames = QStringList{QStringLiteral("zero"), QStringLiteral("one"), QStringLiteral("two")};
    return images;
}

} // namespace

class TestStudioPresent : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void bestCodecIsFewestBytesWithinHalfAPoint();
    void bestCodecOfTheShippedMeasurements();
    void missingMeasurementsFallBack();
    void codedBitsPerChannelAddUpToThePayload();
    void liveFrameFeedsDeviceView();
    void liveFrameFromAnotherSourceShowsNoImage();
    void presentationCommandLine();
    void shippedTourIsValid();
    void tourRejectsBadStops();
    void tourPlayerStepsThroughEveryStopByTimer();
    void presentationAppliesEveryStop();
    void presentationKeysStepAndLeaveFullScreen();
    void controlsShowTheBestMeasuredCodec();
};

void TestStudioPresent::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("aecnn-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_studio_present"));
}

void TestStudioPresent::init()
{
    QSettings().clear();
}

void TestStudioPresent::bestCodecIsFewestBytesWithinHalfAPoint()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("acc.csv"));
    writeFile(path, "# comment\n"
                    "models,split,ratio,variant,shape,repr,codec,bits,images,accuracy_pct,loss_points,mean_frame_bytes\n"
                    "a,1,8,aecnn,x,float32,zstd,0,100,90.00,0,3000\n"
                    "a,1,8,aecnn,x,uint,zstd,8,100,90.10,0,1200\n"
                    "a,1,8,aecnn,x,uint,context,4,100,89.50,0,520\n"  // exactly 0.5 below: allowed
                    "a,1,8,aecnn,x,uint,context,3,100,89.49,0,380\n"  // 0.51 below: not
                    "a,1,16,aecnn,x,float32,zstd,0,100,95.00,0,2000\n"
                    "a,1,16,aecnn,x,uint,context,2,100,94.90,0,100\n");
    QString error;
    const auto rows = readCodecAccuracy(path, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), size_t(6));
    const CodecChoice choice = bestMeasuredCodec(rows, 1, 8, QStringLiteral("uint8+zstd"));
    QVERIFY(choice.measured);
    QCOMPARE(choice.codec, QStringLiteral("uint4+context"));
    QCOMPARE(choice.losslessPct, 90.0);
    QCOMPARE(choice.frameBytes, 520.0);
    QVERIFY(choice.description().contains(QStringLiteral("uint4+context")));
    QCOMPARE(bestMeasuredCodec(rows, 1, 16, QStringLiteral("uint8+zstd")).codec, QStringLiteral("uint2+context"));
    QVERIFY(!bestMeasuredCodec(rows, 2, 8, QStringLiteral("uint8+zstd")).measured);

    writeFile(path, "split,ratio\n1,8\n");
    QVERIFY(readCodecAccuracy(path, &error).empty());
    QVERIFY(error.contains(QStringLiteral("no column")));
}

// Derived from resources/results/codec-accuracy.csv, checked against the file's own rows.
void TestStudioPresent::bestCodecOfTheShippedMeasurements()
{
    const QString path = resourceFile(QStringLiteral("results/codec-accuracy.csv"));
    QVERIFY(!path.isEmpty());
    QString error;
    const auto rows = readCodecAccuracy(path, &error);
    QVERIFY2(!rows.empty(), qPrintable(error));
    for (int ratio : {8, 16, 64}) {
        const CodecChoice choice = bestMeasuredCodec(rows, 1, ratio, QStringLiteral("uint8+zstd"));
        QVERIFY(choice.measured);
        QVERIFY(choice.accuracyPct >= choice.losslessPct - 0.5);
        QString unused;
        QVERIFY(!agentCodecSettings(choice.codec, &unused).isEmpty());
        for (const CodecAccuracyRow& row : rows)
            if (row.split == 1 && row.ratio == ratio && row.models == choice.models &&
                row.accuracyPct >= choice.losslessPct - 0.5)
                QVERIFY2(row.frameBytes >= choice.frameBytes, qPrintable(row.codecName()));
    }
}

void TestStudioPresent::missingMeasurementsFallBack()
{
    QString error;
    QVERIFY(readCodecAccuracy(QStringLiteral("/nonexistent/codec-accuracy.csv"), &error).empty());
    QVERIFY(error.contains(QStringLiteral("cannot read")));
    const CodecChoice choice = bestMeasuredCodec({}, 1, 8, QStringLiteral("uint8+zstd"));
    QVERIFY(!choice.measured);
    QCOMPARE(choice.codec, QStringLiteral("uint8+zstd"));
    QVERIFY(choice.description().contains(QStringLiteral("built-in default")));
}

void TestStudioPresent::codedBitsPerChannelAddUpToThePayload()
{
    // The analysis worker's path: a real frame, coded with the context coder at 4 bits.
    aecnn::codec::FeatureTensor tensor;
    tensor.channels = 2;
    tensor.height = 8;
    tensor.width = 8;
    tensor.originalChannels = 2;
    for (int i = 0; i < 64; ++i)
        tensor.values.push_back(static_cast<float>((i * 37) % 16)); // busy channel
    for (int i = 0; i < 64; ++i)
        tensor.values.push_back(i < 60 ? 0.0f : 1.0f);              // nearly empty channel
    aecnn::codec::CodecSettings settings;
    settings.coder = aecnn::codec::CoderId::Context;
    settings.bits = 4;
    aecnn::codec::FrameSizes sizes;
    const auto frame = aecnn::codec::encodeFrame(tensor, settings, &sizes);
    const auto decoded = aecnn::codec::decodeFrame(frame.data(), frame.size());
    const auto bits = attributedCodedBits(decoded.coder, decoded.symbols, 2, 8, 8, sizes.payloadBytes);
    QCOMPARE(bits.size(), size_t(2));
    QVERIFY(bits[0] > 2.0 * bits[1]); // the busy channel costs more
    const double total = (bits[0] + bits[1]) * 64.0;
    QVERIFY(std::abs(total - 8.0 * static_cast<double>(sizes.payloadBytes)) < 1e-6);

    // Zero points from dequantized values: at an exact zero, or by the line through two points.
    const uint8_t q[] = {3, 5, 7};
    const float withZero[] = {-1.0f, 0.0f, 1.0f};
    QCOMPARE(inferZeroPoint(q, withZero, 3, 4), uint8_t(5));
    const float noZero[] = {1.0f, 2.0f, 3.0f}; // x = (q - 1) * 0.5
    QCOMPARE(inferZeroPoint(q, noZero, 3, 4), uint8_t(1));
}

void TestStudioPresent::liveFrameFeedsDeviceView()
{
    const InputImages images = fixtureImages();
    LiveFrameContext context;
    context.splitChannels = 8;
    context.codec = QStringLiteral("uint4+context");
    context.images = &images;
    context.imagePosition = 4; // 4 mod 3 = test image #1, label 2 like the frame's
    context.attention = {0.0, 0.1, 0.2, 0.9, 0.4, 0.7, 0.6, 0.5};
    const auto views = liveFrameViews(fixtureFrame(), context);
    QVERIFY(views);
    const aecnn::widgets::DeviceFrame& device = views->device;
    QCOMPARE(device.sequence, 7LL);
    QCOMPARE(device.input.size(), QSize(2, 2));
    QCOMPARE(qGray(device.input.pixel(1, 1)), 40);
    QVERIFY(device.inputCaption.contains(QStringLiteral("test image #1")));
    QVERIFY(device.inputCaption.contains(QStringLiteral("label matches")));
    QCOMPARE(device.classNames.size(), 3);
    QCOMPARE(device.keptAttention, (std::vector<double>{0.9, 0.7})); // channels 3 and 5
    QCOMPARE(device.features.recovered.size(), size_t(8 * 16));
    // Coded bits per channel for the coder in use, next to H0; they add up to the payload.
    const auto& entropy = views->entropy;
    QCOMPARE(entropy.codedBits.size(), size_t(2));
    QVERIFY(entropy.codedBits[0] > entropy.codedBits[1]);
    QVERIFY(std::abs((entropy.codedBits[0] + entropy.codedBits[1]) * 16.0 - 8.0 * 12.0) < 1e-6);

    // Drawn: the view shows the image scaled by an integer factor and the right class names.
    aecnn::widgets::DeviceView view;
    view.resize(1000, 700);
    view.setFrame(device);
    QCOMPARE(view.inputImage().size(), QSize(224, 224));
    QVERIFY(view.predictionText().contains(QStringLiteral("two (2)")));
    QCOMPARE(view.receivedMap()->tiles().labels.front(), QStringLiteral("3"));
    QCOMPARE(view.recoveredMap()->tiles().count, 8);
    // AECNN: X_l rebuilt by feature recovery; BottleNet++: the map is its decoder's output.
    QCOMPARE(device.rebuiltBy, aecnn::widgets::DeviceFrame::Rebuilt::FeatureRecovery);
    QVERIFY2(view.recoveredMap()->title().startsWith(QStringLiteral("FR-recovered")),
             qPrintable(view.recoveredMap()->title()));
    context.mode = QStringLiteral("bottlenetpp");
    const aecnn::widgets::DeviceFrame decoded = liveFrameViews(fixtureFrame(), context)->device;
    QCOMPARE(decoded.rebuiltBy, aecnn::widgets::DeviceFrame::Rebuilt::Decoder);
    view.setFrame(decoded);
    QVERIFY2(view.recoveredMap()->title().startsWith(QStringLiteral("BottleNet++ decoder output")),
             qPrintable(view.recoveredMap()->title()));
    QVERIFY(!view.recoveredMap()->title().contains(QStringLiteral("FR")));
    QCOMPARE(view.recoveredMap()->tiles().count, 8);
    // The features tab names the same map the same way.
    aecnn::widgets::FeaturesView featuresView;
    featuresView.setFrame(device.features);
    QCOMPARE(featuresView.recoveredTitle(), QStringLiteral("after feature recovery"));
    featuresView.setFrame(decoded.features);
    QCOMPARE(featuresView.recoveredTitle(), QStringLiteral("BottleNet++ decoder output"));
    context.mode = QStringLiteral("aecnn");

    // Unknown codec or float representation: no coded bits, the rest unchanged.
    context.codec = QStringLiteral("float16+zstd");
    QVERIFY(liveFrameViews(fixtureFrame(), context)->entropy.codedBits.empty());
}

void TestStudioPresent::liveFrameFromAnotherSourceShowsNoImage()
{
    const InputImages images = fixtureImages();
    LiveFrameContext context;
    context.images = &images;
    context.imagePosition = 0; // image #0 has label 0, the frame says 2
    const auto views = liveFrameViews(fixtureFrame(), context);
    QVERIFY(views);
    QVERIFY(views->device.input.isNull());
    QVERIFY(views->device.inputCaption.contains(QStringLiteral("Not the captured image")));
    context.images = nullptr;
    QVERIFY(liveFrameViews(fixtureFrame(), context)->device.inputCaption.contains(QStringLiteral("no copy")));
}

void TestStudioPresent::presentationCommandLine()
{
    QString error;
    QString exitText;
    const auto options = parseStartupOptions(
        {QStringLiteral("aecnn-studio"), QStringLiteral("--present"), QStringLiteral("--tour-step-ms"),
         QStringLiteral("500"), QStringLiteral("--tab"), QStringLiteral("device"), QStringLiteral("--record"),
         QStringLiteral("/tmp/frames.csv")},
        &error, &exitText);
    QVERIFY2(options, qPrintable(error));
    QVERIFY(options->present);
    QVERIFY(options->demo); // the tour streams the demo
    QCOMPARE(options->tourStepMs, 500);
    QCOMPARE(options->tab, QStringLiteral("device"));
    QCOMPARE(options->recordFile, QStringLiteral("/tmp/frames.csv"));
    error.clear();
    QVERIFY(!parseStartupOptions({QStringLiteral("aecnn-studio"), QStringLiteral("--tour-step-ms"), QStringLiteral("5")},
                                 &error, &exitText));
    QVERIFY(error.contains(QStringLiteral("--tour-step-ms")));
}

void TestStudioPresent::shippedTourIsValid()
{
    const QString path = resourceFile(QStringLiteral("presentation/tour.json"));
    QVERIFY(!path.isEmpty());
    QString error;
    const auto tour = readTour(path, &error);
    QVERIFY2(tour, qPrintable(error));
    QVERIFY(tour->stops.size() >= 4);
    QSet<int> splits;
    QSet<int> ratios;
    QSet<double> rates;
    QSet<QString> tabs;
    for (const TourStop& stop : tour->stops) {
        splits.insert(stop.split);
        ratios.insert(stop.ratio);
        rates.insert(stop.rateMbps);
        tabs.insert(stop.tab);
        // Every stop has a shipped demo model to deploy.
        QVERIFY2(!resourceFile(QStringLiteral("models/demo/split%1-v%2-aecnn.aecnn").arg(stop.split).arg(stop.ratio))
                      .isEmpty(),
                 qPrintable(stop.caption));
    }
    QVERIFY(splits.size() >= 2);
    QVERIFY(ratios.size() >= 3);
    QVERIFY(rates.size() >= 3);
    QVERIFY(tabs.contains(QStringLiteral("device")));
}

void TestStudioPresent::tourRejectsBadStops()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("tour.json"));
    QString error;
    writeFile(path, R"({"stops": [{"split": 1, "ratio": 8, "rate_mbps": 10, "tab": "nowhere", "caption": "x"}]})");
    QVERIFY(!readTour(path, &error));
    QVERIFY(error.contains(QStringLiteral("stop 1")));
    writeFile(path, R"({"stops": [{"split": 1, "ratio": 8, "rate_mbps": 0, "caption": "x"}]})");
    QVERIFY(!readTour(path, &error));
    QVERIFY(error.contains(QStringLiteral("rate_mbps")));
    writeFile(path, R"({"stops": []})");
    QVERIFY(!readTour(path, &error));
    writeFile(path, "not json");
    QVERIFY(!readTour(path, &error));
}

void TestStudioPresent::tourPlayerStepsThroughEveryStopByTimer()
{
    Tour tour;
    for (int i = 0; i < 4; ++i)
        tour.stops.push_back(TourStop{1, 1 << i, 1.0 + i, QString(), QStringLiteral("stop %1").arg(i)});
    TourPlayer player;
    QSignalSpy reached(&player, &TourPlayer::stopReached);
    player.start(tour, 100);
    QCOMPARE(player.stepMs(), 100);
    QCOMPARE(reached.count(), 1); // the first stop at once
    QTRY_VERIFY_WITH_TIMEOUT(reached.count() >= 6, 20000);
    player.stop();
    for (int i = 0; i < 6; ++i) { // in order, then around again
        QCOMPARE(reached[i][0].toInt(), i % 4);
        QCOMPARE(reached[i][1].value<TourStop>().ratio, 1 << (i % 4));
    }
    QVERIFY(player.stopsReached() >= 6);
}

// Each stop's split, V and rate reach the controls and the agent's settings, with the
// measured best codec, and the stop's view and caption are shown.
void TestStudioPresent::presentationAppliesEveryStop()
{
    const QByteArray token("0123456789abcdef-token");
    FakeAgent agent(token);
    StartupOptions options;
    options.present = true;
    options.dataset = QStringLiteral("synthetic:40"); // the attention runs for each new split: keep it small
    options.tourStepMs = 3600000; // stepped by hand below
    MainWindow window(options);
    TourPlayer* player = window.tourPlayer();
    QVERIFY(player->isRunning());
    QVERIFY(window.findChild<QLabel*>(QStringLiteral("caption"))->isVisibleTo(&window));
    window.connectToAgent(QStringLiteral("127.0.0.1"), agent.port(), token);
    QTRY_COMPARE(window.agentState(), AgentClient::State::Ready);
    // Away from the first stop, then the tour from its start: every stop changes something.
    window.controls()->findChild<QDoubleSpinBox*>(QStringLiteral("rate"))->setValue(77.0);
    QTRY_COMPARE(agent.lastSettings.value(QStringLiteral("rate_mbps")).toDouble(), 77.0);
    player->start(player->tour(), 3600000);

    const Tour tour = player->tour();
    for (size_t i = 0; i < tour.stops.size(); ++i) {
        if (i > 0)
            player->next();
        const TourStop& stop = tour.stops[i];
        QCOMPARE(player->currentIndex(), static_cast<int>(i));
        const StudioConfig config = window.controls()->config();
        QCOMPARE(config.split, stop.split);
        QCOMPARE(config.ratio, stop.ratio);
        QCOMPARE(config.rateMbps, stop.rateMbps);
        QCOMPARE(config.mode, QStringLiteral("aecnn"));
        const CodecChoice best = window.bestCodecFor(stop.split, stop.ratio);
        QCOMPARE(config.codec, best.codec);
        QCOMPARE(window.config(), config); // applied, not only shown
        if (!stop.tab.isEmpty())
            QCOMPARE(window.currentTab(), stop.tab);
        QVERIFY(window.captionText().contains(stop.caption.toHtmlEscaped().left(40)));
        QVERIFY(window.captionText().contains(QStringLiteral("%1 / %2").arg(i + 1).arg(tour.stops.size())));
        // The edge configured the agent with this stop's rate and codec.
        QString unused;
        const QJsonObject codec = agentCodecSettings(best.codec, &unused);
        QTRY_COMPARE_WITH_TIMEOUT(agent.lastSettings.value(QStringLiteral("rate_mbps")).toDouble(), stop.rateMbps, 3000);
        for (auto it = codec.begin(); it != codec.end(); ++it)
            QTRY_COMPARE_WITH_TIMEOUT(agent.lastSettings.value(it.key()).toVariant().toString(),
                                      it.value().toVariant().toString(), 3000);
    }
    player->next(); // around again
    QCOMPARE(player->currentIndex(), 0);
    QCOMPARE(window.controls()->config().ratio, tour.stops.front().ratio);
    window.close();
}

// A presenter's keys: Right steps to the next stop, Escape leaves full screen (the tour
// goes on: no one needs to be at the keyboard).
void TestStudioPresent::presentationKeysStepAndLeaveFullScreen()
{
    StartupOptions options;
    options.present = true;
    options.dataset = QStringLiteral("synthetic:40");
    options.tourStepMs = 3600000; // only the key steps
    MainWindow window(options);
    window.showFullScreen();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.isFullScreen());
    TourPlayer* player = window.tourPlayer();
    QVERIFY(player->isRunning());
    const int stops = static_cast<int>(player->tour().stops.size());
    QVERIFY(stops > 1);
    QCOMPARE(player->currentIndex(), 0);
    QTest::keyClick(&window, Qt::Key_Right);
    QCOMPARE(player->currentIndex(), 1);
    QCOMPARE(window.controls()->config().split, player->tour().stops[1].split);
    QCOMPARE(window.controls()->config().ratio, player->tour().stops[1].ratio);
    QTest::keyClick(&window, Qt::Key_Right);
    QCOMPARE(player->currentIndex(), 2 % stops);
    QTest::keyClick(&window, Qt::Key_Escape);
    QTRY_VERIFY(!window.isFullScreen());
    QVERIFY(player->isRunning());
    QTest::keyClick(&window, Qt::Key_Right); // still steps after leaving full screen
    QCOMPARE(player->currentIndex(), 3 % stops);
    window.close();
}

// The controls name the best measured codec for the split and V; a codec outside the
// built-in list (e.g. uint4+context) can be set. (The demo's own choice is checked by the
// soak test, which starts the demo with its local agent.)
void TestStudioPresent::controlsShowTheBestMeasuredCodec()
{
    StartupOptions options;
    options.dataset = QStringLiteral("synthetic:40");
    options.split = 1;
    options.ratio = 8;
    MainWindow window(options);
    const CodecChoice best = window.bestCodecFor(1, 8);
    QVERIFY(best.measured);
    QVERIFY(window.controls()->codecNote().contains(QStringLiteral("Best measured: %1").arg(best.codec)));
    QVERIFY(window.controls()->codecNote().contains(QStringLiteral("in use: uint8+zstd")));
    StudioConfig config = window.controls()->config();
    config.codec = best.codec;
    window.controls()->setConfig(config);
    QCOMPARE(window.config().codec, best.codec);
    QVERIFY(!window.controls()->codecNote().contains(QStringLiteral("in use")));
}

QTEST_MAIN(TestStudioPresent)
#include "test_studio_present.moc"
