// Device view and heat-map widget (torch-free): what is drawn, checked by content.
#include <QApplication>
#include <QLabel>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/widgets/device_view.h"
#include "aecnn/widgets/heat_map.h"
#include "csv_reader.h"
#include "aecnn/widgets/qcustomplot_include.h"

using namespace aecnn::widgets;

namespace {

bool near(QRgb a, QRgb b, int tolerance = 6)
{
    return std::abs(qRed(a) - qRed(b)) <= tolerance && std::abs(qGreen(a) - qGreen(b)) <= tolerance &&
           std::abs(qBlue(a) - qBlue(b)) <= tolerance;
}

// Two kept channels of 4x4 out of 6: channel 1 rises left to right (0..3), channel 4 is all 5.
DeviceFrame fixtureFrame()
{
    DeviceFrame frame;
    frame.sequence = 41;
    QImage input(28, 28, QImage::Format_Grayscale8);
    input.fill(0);
    for (int y = 10; y < 18; ++y)
        for (int x = 4; x < 24; ++x)
            input.setPixel(x, y, qRgb(255, 255, 255)); // a white bar across the middle
    frame.input = input;
    frame.inputCaption = QStringLiteral("edge copy of test image #41");
    frame.label = 1;
    frame.predicted = 3;
    frame.classNames = QStringList{QStringLiteral("T-shirt"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
                                   QStringLiteral("Dress")};
    FeatureFrame& f = frame.features;
    f.channels = 6;
    f.height = 4;
    f.width = 4;
    f.keptChannels = {1, 4};
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 4; ++x)
            f.received.push_back(static_cast<float>(x));
    f.received.insert(f.received.end(), 16, 5.0f);
    f.recovered.assign(6 * 16, 1.0f);
    frame.keptAttention = {0.8, 0.6};
    frame.attentionCaption = QStringLiteral("data-set mean attention");
    return frame;
}

} // namespace

class TestStudioDeviceView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void colourMapEnds();
    void heatMapDrawsValuesAndColourBar();
    void deviceViewShowsInputPredictionChannelsAndAttention();
    void deviceViewWithoutFrame();
};

void TestStudioDeviceView::colourMapEnds()
{
    QCOMPARE(colourMap(0.0), qRgb(68, 1, 84));
    QCOMPARE(colourMap(1.0), qRgb(253, 231, 37));
    QCOMPARE(colourMap(-3.0), colourMap(0.0));
    QCOMPARE(colourMap(7.0), colourMap(1.0));
    // Brightness (sum) rises along the map: higher values read lighter.
    int last = -1;
    for (int i = 0; i <= 16; ++i) {
        const QRgb c = colourMap(i / 16.0);
        const int sum = qRed(c) + qGreen(c) + qBlue(c);
        QVERIFY2(sum >= last - 12, qPrintable(QStringLiteral("step %1").arg(i)));
        last = sum;
    }
}

void TestStudioDeviceView::heatMapDrawsValuesAndColourBar()
{
    HeatMapWidget map;
    map.resize(400, 300);
    HeatMapTiles tiles;
    tiles.count = 2;
    tiles.height = 3;
    tiles.width = 3;
    tiles.values = {0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10};
    tiles.labels = {QStringLiteral("7"), QStringLiteral("9")};
    map.setTiles(tiles);
    QCOMPARE(map.low(), 0.0);
    QCOMPARE(map.high(), 10.0);
    QCOMPARE(map.columns(), 2);
    // Unscaled image: one pixel per value, a white gap between tiles.
    const QImage image = map.image();
    QCOMPARE(image.size(), QSize(7, 3));
    QCOMPARE(image.pixel(0, 0), colourMap(0.0));
    QCOMPARE(image.pixel(3, 1), qRgb(255, 255, 255));
    QCOMPARE(image.pixel(6, 2), colourMap(1.0));

    const QImage drawn = map.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const int s = map.scale();
    QVERIFY2(s >= 8, qPrintable(QString::number(s))); // readable: scaled up, not a 3-pixel square
    const QRect tilesRect = map.tilesRect();
    // Nearest neighbour: the last row of the low tile's bottom-right value is still the pure colour
    // (no blending with the white gap next to it).
    QVERIFY(near(drawn.pixel(tilesRect.left() + 3 * s - 1, tilesRect.top() + 3 * s - 1), colourMap(0.0), 0));
    QVERIFY(near(drawn.pixel(tilesRect.left() + 4 * s + 1, tilesRect.top() + 3 * s - 1), colourMap(1.0), 0));
    QVERIFY(near(drawn.pixel(tilesRect.left() + 3 * s + s / 2, tilesRect.top() + s), qRgb(255, 255, 255), 0));
    // Colour bar: high at the top, low at the bottom, the middle in between.
    const QRect bar = map.colourBarRect();
    QVERIFY(bar.left() > tilesRect.right());
    const int cx = bar.center().x();
    QVERIFY(near(drawn.pixel(cx, bar.top() + 2), colourMap(1.0), 12));
    QVERIFY(near(drawn.pixel(cx, bar.bottom() - 2), colourMap(0.0), 12));
    QVERIFY(near(drawn.pixel(cx, bar.center().y()), colourMap(0.5), 12));

    map.clear();
    QVERIFY(map.image().isNull());
}

void TestStudioDeviceView::deviceViewShowsInputPredictionChannelsAndAttention()
{
    DeviceView view;
    view.resize(1100, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setFrame(fixtureFrame());
    // Input, nearest-neighbour scaled by an integer factor (28 -> 224): pixel blocks stay pure.
    const QImage input = view.inputImage();
    QCOMPARE(input.size(), QSize(224, 224));
    QCOMPARE(qGray(input.pixel(0, 0)), 0);
    QCOMPARE(qGray(input.pixel(4 * 8, 10 * 8)), 255);
    QCOMPARE(qGray(input.pixel(4 * 8 - 1, 10 * 8)), 0); // the edge of the bar is sharp
    QCOMPARE(view.findChild<QLabel*>(QStringLiteral("deviceInput"))->pixmap().size(), QSize(224, 224));
    // Prediction and ground truth by class name.
    QVERIFY(view.predictionText().contains(QStringLiteral("prediction: Dress (3)")));
    QVERIFY(view.predictionText().contains(QStringLiteral("ground truth: Trouser (1)")));
    QVERIFY(view.predictionText().contains(QStringLiteral("wrong")));
    QCOMPARE(view.inputCaptionText(), QStringLiteral("edge copy of test image #41"));
    // Received channels: two tiles on one scale 0..5, labelled with their index in X_l.
    QCOMPARE(view.receivedMap()->tiles().count, 2);
    QCOMPARE(view.receivedMap()->tiles().labels, (std::vector<QString>{QStringLiteral("1"), QStringLiteral("4")}));
    QCOMPARE(view.receivedMap()->high(), 5.0);
    QCOMPARE(view.receivedMap()->image().pixel(0, 0), colourMap(0.0));
    QCOMPARE(view.receivedMap()->image().pixel(3, 0), colourMap(3.0 / 5.0));
    // The second tile (all 5 = the top of the scale) is right of or below the first.
    const QImage receivedImage = view.receivedMap()->image();
    QCOMPARE(view.receivedMap()->columns() == 2 ? receivedImage.pixel(5, 0) : receivedImage.pixel(0, 5), colourMap(1.0));
    QCOMPARE(view.recoveredMap()->tiles().count, 6);
    // Drawn on screen: the received map's colour bar shows the map's colours.
    const QImage drawn = view.receivedMap()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QRect bar = view.receivedMap()->colourBarRect();
    QVERIFY(near(drawn.pixel(bar.center().x(), bar.top() + 2), colourMap(1.0), 12));
    QVERIFY(view.receivedMap()->scale() >= 4);
    // Attention of the kept channels as bars at positions 0, 1.
    QCustomPlot* plot = view.attentionPlot();
    QCOMPARE(plot->plottableCount(), 1);
    auto* bars = qobject_cast<QCPBars*>(plot->plottable(0));
    QVERIFY(bars);
    QCOMPARE(bars->data()->size(), 2);
    QCOMPARE(bars->data()->at(0)->value, 0.8);
    QCOMPARE(bars->data()->at(1)->value, 0.6);
    // CSV: one row per transmitted channel.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("device.csv"));
    QVERIFY(view.exportCsv(path));
    const ParsedCsv csv = readCsv(path);
    QCOMPARE(csv.rows.size(), size_t(2));
    QCOMPARE(csv.rows[0][0], QStringLiteral("1"));
    QCOMPARE(csv.rows[1][2].toDouble(), 5.0);
}

void TestStudioDeviceView::deviceViewWithoutFrame()
{
    DeviceView view;
    QVERIFY(view.inputImage().isNull());
    QVERIFY(view.receivedMap()->image().isNull());
    QCOMPARE(view.attentionPlot()->plottableCount(), 0);
    DeviceFrame noAttention = fixtureFrame();
    noAttention.keptAttention.clear();
    noAttention.input = QImage();
    view.setFrame(noAttention);
    QCOMPARE(view.attentionPlot()->plottableCount(), 0);
    QVERIFY(view.inputImage().isNull());
    QCOMPARE(view.receivedMap()->tiles().count, 2);
}

QTEST_MAIN(TestStudioDeviceView)
#include "test_studio_device_view.moc"
