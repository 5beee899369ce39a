#include <QApplication>
#include <QComboBox>
#include <QTabWidget>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>

#include "aecnn/latency/latency_model.h"
#include "aecnn/widgets/channel_attention_view.h"
#include "aecnn/widgets/channel_ranking.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"
#include "aecnn/widgets/input_baseline_plot.h"
#include "aecnn/widgets/live_view.h"
#include "aecnn/widgets/tradeoff_view.h"
#include "csv_reader.h"

using namespace aecnn::widgets;

namespace {

ExportContext fixtureContext()
{
    ExportContext context;
    context.model = QStringLiteral("fixture-model");
    context.split = 2;
    context.ratio = 4;
    context.mode = QStringLiteral("aecnn");
    context.codec = QStringLiteral("uint8+zstd");
    context.rateMbps = 12.5;
    context.date = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC);
    return context;
}

AttentionData fixtureAttention()
{
    AttentionData data;
    data.split = 2;
    data.samples = 300;
    data.datasetMean = {0.2, 0.9, 0.5, 0.9, 0.1, 0.7, 0.3, 0.6};
    data.batchMeans = {{0.25, 0.85, 0.5, 0.95, 0.1, 0.65, 0.3, 0.6},
                       {0.2, 0.9, 0.55, 0.85, 0.15, 0.7, 0.25, 0.65},
                       {0.15, 0.95, 0.45, 0.9, 0.05, 0.75, 0.35, 0.55}};
    data.spearmanMean = 0.98;
    data.spearmanMin = 0.95;
    data.spearmanToMean = 0.99;
    data.topK = {2, 4};
    data.topKOverlap = {1.0, 0.75};
    return data;
}

int distinctColours(const QImage& image)
{
    QSet<QRgb> colours;
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); y += 2)
        for (int x = 0; x < rgb.width(); x += 2)
            colours.insert(rgb.pixel(x, y));
    return colours.size();
}

} // namespace

class TestStudioViews : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rankingTiesGoToLowerIndex();
    void attentionHighlightsKeptChannelsAndExports();
    void attentionSortByImportance();
    void attentionRejectsInconsistentData();
    void liveStatsWindowAndThroughput();
    void liveViewCoalescesReplots();
    void liveViewExportsEveryFrame();
    void liveRecordingFlushesEveryRow();
    void entropyViewExports();
    void table1ParsesPaperAndReportsBadInput();
    void tradeoffJoinsTablesAndPlotsFig5();
    void tradeoffSaysWhereFig5ComesFrom();
    void inputBaselineDrawsTheCommittedCsvValues();
    void inputBaselineReportsBadCsv();
    void featuresViewMosaicsAndExport();
    void exportReportsUnwritablePath();
};

void TestStudioViews::rankingTiesGoToLowerIndex()
{
    const std::vector<double> importance{0.5, 0.9, 0.9, 0.1};
    QCOMPARE(rankByImportance(importance), (std::vector<int>{1, 2, 0, 3}));
    QCOMPARE(keptChannels(importance, 1), (std::vector<int>{1}));
    QCOMPARE(keptChannels(importance, 3), (std::vector<int>{0, 1, 2}));
    QCOMPARE(keptChannels(importance, 10).size(), size_t(4));
}

void TestStudioViews::attentionHighlightsKeptChannelsAndExports()
{
    QTemporaryDir dir;
    ChannelAttentionView view;
    view.setExportContext(fixtureContext());
    view.setData(fixtureAttention());
    view.setRatio(4); // 8 channels / 4 = 2 kept: channels 1 and 3 (0.9 each)
    QCOMPARE(view.highlightedChannels(), (std::vector<int>{1, 3}));
    QVERIFY(view.summaryText().contains(QStringLiteral("0.980")));
    QVERIFY(view.summaryText().contains(QStringLiteral("k=4: 0.75")));

    const QString path = dir.filePath(QStringLiteral("attention.csv"));
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    const ParsedCsv csv = readCsv(path);
    QVERIFY(csv.comments.contains(QStringLiteral("# model: fixture-model")));
    QVERIFY(csv.comments.contains(QStringLiteral("# split: 2")));
    QVERIFY(csv.comments.contains(QStringLiteral("# V: 4")));
    QVERIFY(csv.comments.contains(QStringLiteral("# mode: aecnn")));
    QVERIFY(csv.comments.contains(QStringLiteral("# codec: uint8+zstd")));
    QVERIFY(csv.comments.contains(QStringLiteral("# rate_mbps: 12.5")));
    QVERIFY(csv.comments.contains(QStringLiteral("# date: 2026-01-02T03:04:05Z")));
    QVERIFY(csv.comments.filter(QStringLiteral("# app_version: aecnn-studio ")).size() == 1);
    QCOMPARE(csv.header.size(), 7);
    QCOMPARE(csv.header[3], QStringLiteral("dataset_mean_attention (0..1)"));
    QCOMPARE(csv.rows.size(), size_t(8));
    QCOMPARE(csv.rows[1][1], QStringLiteral("1")); // channel 1: rank 1
    QCOMPARE(csv.rows[3][1], QStringLiteral("2")); // tie with 1, higher index
    QCOMPARE(csv.rows[1][2], QStringLiteral("1"));
    QCOMPARE(csv.rows[0][2], QStringLiteral("0"));
    QCOMPARE(csv.rows[4][6].toDouble(), 0.05);

    view.resize(800, 500);
    QVERIFY2(view.exportPlot(dir.filePath(QStringLiteral("attention.png")), &error), qPrintable(error));
    QImage png(dir.filePath(QStringLiteral("attention.png")));
    QVERIFY(!png.isNull());
    QVERIFY(distinctColours(png) > 5);
    QVERIFY2(view.exportPlot(dir.filePath(QStringLiteral("attention.pdf")), &error), qPrintable(error));
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("attention.pdf"))).size() > 1000);
}

void TestStudioViews::attentionSortByImportance()
{
    ChannelAttentionView view;
    view.setData(fixtureAttention());
    QCOMPARE(view.displayOrder().front(), 0);
    view.setSortOrder(ChannelAttentionView::SortOrder::ByImportance);
    QCOMPARE(view.displayOrder(), (std::vector<int>{1, 3, 5, 7, 2, 6, 0, 4}));
    view.setRatio(2);
    QCOMPARE(view.highlightedChannels(), (std::vector<int>{1, 3, 5, 7}));
}

void TestStudioViews::attentionRejectsInconsistentData()
{
    ChannelAttentionView view;
    AttentionData data = fixtureAttention();
    data.batchMeans[1].pop_back();
    view.setData(data);
    QVERIFY(view.summaryText().contains(QStringLiteral("Inconsistent")));
    QCOMPARE(view.table().rows.size(), size_t(0));
}

void TestStudioViews::liveStatsWindowAndThroughput()
{
    LiveStats stats(4);
    QVERIFY(std::isnan(stats.runningAccuracy()));
    for (int i = 0; i < 10; ++i) {
        LiveSample sample;
        sample.sequence = i;
        sample.correct = i < 6 ? 1 : 0; // last four wrong
        sample.receivedMs = 100.0 * i;
        sample.bytes = 1250.0; // 10 kbit per 100 ms = 0.1 Mbps
        sample.measured = {1, 2, 3, 4, 5};
        sample.predicted = {2, 2, 2, 2, 2};
        stats.add(sample);
    }
    QCOMPARE(stats.frames(), 10LL);
    QCOMPARE(stats.runningAccuracy(), 60.0);
    QCOMPARE(stats.windowedAccuracy(), 0.0);
    QCOMPARE(stats.framesPerSecond(), 10.0);
    QVERIFY(std::abs(stats.megabitsPerSecond() - 0.1) < 1e-12);
    QCOMPARE(stats.meanMeasured().totalMs(), 15.0);
    QCOMPARE(stats.meanPredicted().comMs, 2.0);

    // Older than the 2 s rate window: only arrivals within it count.
    LiveStats longRun(50, 2000.0);
    for (int i = 0; i < 100; ++i) {
        LiveSample sample;
        sample.receivedMs = 50.0 * i;
        sample.bytes = 2500.0;
        longRun.add(sample);
    }
    QCOMPARE(longRun.framesPerSecond(), 20.0);
    QVERIFY(std::abs(longRun.megabitsPerSecond() - 0.4) < 1e-12);
    // A burst (same arrival time) gives no rate yet instead of a division by zero.
    LiveStats burst;
    for (int i = 0; i < 3; ++i)
        burst.add(LiveSample{});
    QCOMPARE(burst.framesPerSecond(), 0.0);
}

void TestStudioViews::liveViewCoalescesReplots()
{
    LiveView view;
    view.resize(800, 600);
    view.show();
    for (int i = 0; i < 2000; ++i) {
        LiveSample sample;
        sample.sequence = i;
        sample.correct = i % 2;
        sample.receivedMs = i;
        view.appendSample(sample);
    }
    QCOMPARE(view.replotCount(), 0); // nothing redrawn synchronously
    QTRY_COMPARE(view.replotCount(), 1);
    QCOMPARE(view.stats().frames(), 2000LL);
    QVERIFY(view.summaryText().contains(QStringLiteral("Frames: 2000")));
}

void TestStudioViews::liveViewExportsEveryFrame()
{
    QTemporaryDir dir;
    LiveView view;
    view.setExportContext(fixtureContext());
    for (int i = 0; i < 5; ++i) {
        LiveSample sample;
        sample.sequence = i;
        sample.correct = -1;
        sample.bytes = 100 + i;
        sample.measured.comMs = 0.5 * i;
        sample.predicted.esMs = 7;
        view.appendSample(sample);
    }
    const QString path = dir.filePath(QStringLiteral("live.csv"));
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    const ParsedCsv csv = readCsv(path);
    QCOMPARE(csv.header.size(), 14);
    QCOMPARE(csv.header[6], QStringLiteral("t_com_measured (ms)"));
    QCOMPARE(csv.rows.size(), size_t(5));
    QCOMPARE(csv.rows[4][3].toDouble(), 104.0);
    QCOMPARE(csv.rows[4][6].toDouble(), 2.0);
    QCOMPARE(csv.rows[4][13].toDouble(), 7.0);
}

void TestStudioViews::liveRecordingFlushesEveryRow()
{
    QTemporaryDir dir;
    LiveView view;
    view.setExportContext(fixtureContext());
    LiveSample sample;
    sample.sequence = 0;
    view.appendSample(sample); // before recording: not in the file
    const QString path = dir.filePath(QStringLiteral("record.csv"));
    QString error;
    QVERIFY2(view.startRecording(path, &error), qPrintable(error));
    for (int i = 1; i <= 3; ++i) {
        sample.sequence = i;
        sample.measured.iotMs = i;
        view.appendSample(sample);
    }
    // Readable while still recording: every row is already in the .part file.
    QVERIFY(!QFile::exists(path));
    ParsedCsv csv = readCsv(CsvRecorder::partialPathOf(path));
    QVERIFY(csv.comments.contains(QStringLiteral("# model: fixture-model")));
    QCOMPARE(csv.header.size(), 14);
    QCOMPARE(csv.rows.size(), size_t(3));
    QCOMPARE(csv.rows[2][0], QStringLiteral("3"));
    QCOMPARE(csv.rows[2][4].toDouble(), 3.0);
    view.stopRecording();
    QVERIFY(!view.isRecording());
    QVERIFY(!QFile::exists(CsvRecorder::partialPathOf(path))); // renamed to the final name on stop
    csv = readCsv(path);
    QVERIFY(csv.comments.contains(QStringLiteral("# model: fixture-model")));
    QCOMPARE(csv.rows.size(), size_t(3));
    sample.sequence = 4;
    view.appendSample(sample);
    QCOMPARE(readCsv(path).rows.size(), size_t(3));
    QVERIFY(!view.startRecording(QStringLiteral("/nonexistent-dir/r.csv"), &error));
    QVERIFY(error.contains(QStringLiteral("/nonexistent-dir/r.csv")));

    // A second recording to the same name replaces the first file when it stops.
    QVERIFY2(view.startRecording(path, &error), qPrintable(error));
    view.appendSample(sample);
    QCOMPARE(readCsv(path).rows.size(), size_t(3)); // the old file stays until the new one is whole
    view.stopRecording();
    QCOMPARE(readCsv(path).rows.size(), size_t(1));
}

void TestStudioViews::entropyViewExports()
{
    QTemporaryDir dir;
    EntropyView view;
    view.setExportContext(fixtureContext());
    EntropyData data;
    data.channels = {3, 7};
    data.h0Bits = {4.5, 2.25};
    data.codedBits = {4.75, 2.5};
    data.overallH0Bits = 3.375;
    data.overallCodedBits = 3.625;
    data.histogram = {10, 0, 5, 1};
    data.histogramMin = -1;
    data.histogramMax = 1;
    data.zeroFraction = 0.4;
    data.bytesPerFrame = 1234;
    data.compressionRatio = 35.3;
    view.setData(data);
    QVERIFY(view.summaryText().contains(QStringLiteral("1234 bytes/frame")));
    const QString path = dir.filePath(QStringLiteral("entropy.csv"));
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    const ParsedCsv csv = readCsv(path);
    QCOMPARE(csv.header, (QStringList{"channel", "h0 (bits/element)", "coded (bits/element)"}));
    QCOMPARE(csv.rows.size(), size_t(3));
    QCOMPARE(csv.rows[1][0], QStringLiteral("7"));
    QCOMPARE(csv.rows[1][2].toDouble(), 2.5);
    QCOMPARE(csv.rows[2][0], QStringLiteral("overall"));
    QVERIFY(csv.comments.contains(QStringLiteral("# compression_ratio: 35.3")));
    QVERIFY2(view.exportPlot(dir.filePath(QStringLiteral("entropy.png")), &error), qPrintable(error));
}

void TestStudioViews::table1ParsesPaperAndReportsBadInput()
{
    const QByteArray text = "# comment\nsplit,C,H,W,V,bottlenetpp_acc,aecnn_acc,kept_C,entropy_bits\n"
                            "1,64,56,56,2,92.19,95.62,32,11.13\n2,256,56,56,4,92.25,95.24,64,11.51\n";
    QString error;
    const auto rows = parseTable1Csv(text, QStringLiteral("fixture"), &error);
    QVERIFY2(rows.has_value(), qPrintable(error));
    QCOMPARE(rows->size(), size_t(2));
    QCOMPARE((*rows)[1].ratio, 4);
    QCOMPARE((*rows)[1].keptChannels, 64);
    QCOMPARE((*rows)[0].aecnnAcc, 95.62);
    QVERIFY(std::isnan((*rows)[0].encMs));

    QVERIFY(!parseTable1Csv("split,C\n1,2\n", QStringLiteral("bad.csv"), &error));
    QVERIFY(error.contains(QStringLiteral("bad.csv")) && error.contains(QStringLiteral("'V'")));
    QVERIFY(!parseTable1Csv("split,V,aecnn_acc\n1,2\n", QStringLiteral("short.csv"), &error));
    QVERIFY(error.contains(QStringLiteral("line 2")));
}

void TestStudioViews::tradeoffJoinsTablesAndPlotsFig5()
{
    QTemporaryDir dir;
    TradeoffView view;
    view.setExportContext(fixtureContext());
    Table1Row ours{1, 2, 32, 80.0, 85.0, 86.0, 6.5, 0.3, 0.2};
    Table1Row paper{1, 2, 32, 92.19, 95.58, 95.62, 11.13, 4.53, 3.03};
    Table1Row paperOnly{1, 4, 16, 91.66, 95.05, 95.30, 10.48, 3.25, 2.41};
    view.setTable1({ours}, {paper, paperOnly});
    QCOMPARE(view.tableRowCount(), 2);
    const CsvTable table = view.table();
    QCOMPARE(table.rows[0][3], QStringLiteral("86"));    // aecnn_acc ours
    QCOMPARE(table.rows[0][4], QStringLiteral("95.62")); // aecnn_acc paper
    QCOMPARE(table.rows[1][3], QString());                // no result of ours for V=4

    const auto profile = aecnn::latency::raspberryPi4Profile();
    const auto curves = aecnn::latency::fig5Curves(profile, 1, {1, 10, 100}, aecnn::latency::defaultFig5Images());
    view.setFig5(curves, 50.0, 4);
    const QString path = dir.filePath(QStringLiteral("fig5.csv"));
    QString error;
    QVERIFY2(view.exportFig5Csv(path, &error), qPrintable(error));
    const ParsedCsv csv = readCsv(path);
    QCOMPARE(csv.rows.size(), size_t(3));
    QCOMPARE(csv.header.size(), static_cast<int>(1 + curves.ratios.size() + 1 + curves.images.size()));
    QCOMPARE(csv.rows[2][1].toDouble(), curves.aecnnMs[0][2]);
    QVERIFY(csv.comments.contains(QStringLiteral("# chosen_V: 4")));
    QVERIFY2(view.exportCsv(dir.filePath(QStringLiteral("table1.csv")), &error), qPrintable(error));
    QVERIFY2(view.exportPlot(dir.filePath(QStringLiteral("fig5.png")), &error), qPrintable(error));
}

void TestStudioViews::tradeoffSaysWhereFig5ComesFrom()
{
    TradeoffView view;
    QSignalSpy requested(&view, &TradeoffView::profileChoiceRequested);
    view.setProfileSource(QStringLiteral("device: aecnn-agent on pi, measured 2026-11-27, input 28\u00d728"), {});
    QCOMPARE(view.profileSourceText(), QStringLiteral("device: aecnn-agent on pi, measured 2026-11-27, input 28\u00d728"));
    view.setProfileSource(QStringLiteral("Raspberry Pi 4B (paper)"), QStringLiteral("the paper's 224x224 input"));
    QVERIFY(view.profileSourceText().contains(QStringLiteral("NOT comparable: the paper's 224x224 input")));
    view.setProfileChoice(TradeoffView::PaperPi4, false, false);
    QCOMPARE(view.profileChoice(), TradeoffView::PaperPi4);
    QCOMPARE(requested.count(), 0); // only the user's pick asks for a change
    auto* chooser = view.findChild<QComboBox*>(QStringLiteral("profileChooser"));
    QVERIFY(chooser);
    QVERIFY(chooser->itemText(TradeoffView::ConnectedDevice).contains(QStringLiteral("(none)")));
    Q_EMIT chooser->activated(TradeoffView::ConnectedDevice);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.last().first().toInt(), int(TradeoffView::ConnectedDevice));
}

// Issue 15 item 3 in the trade-off view: the committed CSVs, read back independently, are
// what the plot holds, and an offscreen screenshot shows the series.
void TestStudioViews::inputBaselineDrawsTheCommittedCsvValues()
{
    const QString inputPath = QStringLiteral(AECNN_RESULTS_DIR "/input-codec-baseline.csv");
    const QString frontierPath = QStringLiteral(AECNN_RESULTS_DIR "/frontier.csv");
    QString error;
    const auto inputs = readInputCodecCsv(inputPath, &error);
    QVERIFY2(inputs, qPrintable(error));
    const auto frontier = readFrontierCsv(frontierPath, &error);
    QVERIFY2(frontier, qPrintable(error));

    TradeoffView view;
    view.resize(1100, 800);
    view.inputBaseline()->setData(*inputs, *frontier, inputPath);
    auto* tabs = view.findChild<QTabWidget*>(QStringLiteral("tradeoffPlots"));
    QVERIFY(tabs);
    tabs->setCurrentWidget(view.inputBaseline());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const InputBaselinePlot& plot = *view.inputBaseline();

    // The input codecs, from the CSV read line by line here (codec, quality, mean_bytes, accuracy).
    const ParsedCsv inputCsv = readCsv(inputPath);
    const int codecCol = inputCsv.header.indexOf(QStringLiteral("codec"));
    const int qualityCol = inputCsv.header.indexOf(QStringLiteral("quality"));
    const int bytesCol = inputCsv.header.indexOf(QStringLiteral("mean_bytes"));
    const int accCol = inputCsv.header.indexOf(QStringLiteral("accuracy"));
    QVERIFY(codecCol >= 0 && qualityCol >= 0 && bytesCol >= 0 && accCol >= 0);
    const QStringList names = plot.seriesNames();
    int inputSeries = 0;
    for (const QStringList& row : inputCsv.rows) {
        const QString codec = row[codecCol];
        if (codec == QLatin1String("raw"))
            continue;
        const QString label = codec == QLatin1String("png")             ? QStringLiteral("PNG")
                              : codec == QLatin1String("webp-lossless") ? QStringLiteral("WebP lossless")
                                                                        : QStringLiteral("JPEG q") + row[qualityCol];
        QString name;
        for (const QString& n : names)
            if (n.startsWith(QStringLiteral("input ") + label + QStringLiteral(":")))
                name = n;
        QVERIFY2(!name.isEmpty(), qPrintable(label + " not drawn; series: " + names.join(", ")));
        const auto points = plot.seriesPoints(name);
        QCOMPARE(points.size(), 1);
        QCOMPARE(points[0].x(), row[bytesCol].toDouble());
        QCOMPARE(points[0].y(), row[accCol].toDouble() * 100.0);
        const QStringList references = plot.referenceLabels();
        QVERIFY2(std::any_of(references.begin(), references.end(),
                             [&](const QString& text) { return text == label || text.startsWith("input " + label + ":"); }),
                 qPrintable(references.join(", ")));
        ++inputSeries;
    }
    QCOMPARE(inputSeries, 5); // PNG, lossless WebP, JPEG q50, q75, q90
    QVERIFY(plot.referenceLabels().contains(QStringLiteral("unsplit model 92.20 %")));

    // AECNN: every frontier row of a model in the repository is a point of its split's, V's and
    // models' series; rows of superseded model files (model "<commit>:<path>") are not drawn.
    const ParsedCsv frontierCsv = readCsv(frontierPath);
    const int splitCol = frontierCsv.header.indexOf(QStringLiteral("split"));
    const int vCol = frontierCsv.header.indexOf(QStringLiteral("V"));
    const int wireCol = frontierCsv.header.indexOf(QStringLiteral("wire_bytes_per_frame"));
    const int frontierAccCol = frontierCsv.header.indexOf(QStringLiteral("accuracy"));
    const int modelCol = frontierCsv.header.indexOf(QStringLiteral("model"));
    const int modelsCol = frontierCsv.header.indexOf(QStringLiteral("models"));
    QVERIFY(!frontierCsv.rows.empty() && modelCol >= 0 && modelsCol >= 0);
    int drawn = 0, superseded = 0;
    for (const QStringList& row : frontierCsv.rows) {
        if (row[modelCol].contains(QLatin1Char(':'))) {
            ++superseded;
            continue;
        }
        const auto points = plot.seriesPoints(
            QStringLiteral("AECNN split %1, V=%2 (%3)").arg(row[splitCol], row[vCol], row[modelsCol]));
        const QPointF expected(row[wireCol].toDouble(), row[frontierAccCol].toDouble() * 100.0);
        QVERIFY2(std::any_of(points.begin(), points.end(),
                             [&](const QPointF& p) { return qFuzzyCompare(p.x(), expected.x()) &&
                                                            qFuzzyCompare(p.y(), expected.y()); }),
                 qPrintable(QString("split %1 V=%2 point %3 B %4 % not drawn")
                                .arg(row[splitCol], row[vCol]).arg(expected.x()).arg(expected.y())));
        ++drawn;
    }
    QCOMPARE(drawn + superseded, static_cast<int>(frontierCsv.rows.size()));
    QVERIFY(drawn > 0 && superseded > 0);
    int aecnnPoints = 0; // and nothing else: one point per drawn row
    for (const QString& name : plot.seriesNames())
        if (name.startsWith(QStringLiteral("AECNN ")))
            aecnnPoints += plot.seriesPoints(name).size();
    QCOMPARE(aecnnPoints, drawn);

    // The screenshot (offscreen): the JPEG triangles (dark red) and the AECNN discs are painted.
    const QImage shot = view.inputBaseline()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    QTemporaryDir dir; // AECNN_TEST_SCREENSHOTS=DIR keeps the screenshot for a look
    const QString keep = qEnvironmentVariable("AECNN_TEST_SCREENSHOTS");
    QVERIFY(shot.save(QDir(keep.isEmpty() ? dir.path() : keep).filePath(QStringLiteral("input-baseline.png"))));
    int darkRed = 0, aecnnBlue = 0;
    for (int y = 0; y < shot.height(); ++y)
        for (int x = 0; x < shot.width(); ++x) {
            const QRgb c = shot.pixel(x, y);
            darkRed += c == QColor(Qt::darkRed).rgb();
            aecnnBlue += c == QColor(31, 119, 180).rgb();
        }
    QVERIFY2(darkRed > 20, qPrintable(QString("dark red pixels: %1").arg(darkRed)));
    QVERIFY2(aecnnBlue > 20, qPrintable(QString("AECNN marker pixels: %1").arg(aecnnBlue)));
}

void TestStudioViews::inputBaselineReportsBadCsv()
{
    QString error;
    QVERIFY(!parseInputCodecCsv("codec,mean_bytes\npng,500\n", QStringLiteral("in.csv"), &error));
    QVERIFY2(error.contains(QStringLiteral("'accuracy'")), qPrintable(error));
    QVERIFY(!parseFrontierCsv("split,V,accuracy,wire_bytes_per_frame\n1,64,90,80\n", QStringLiteral("f.csv"), &error));
    QVERIFY2(error.contains(QStringLiteral("line 2")) && error.contains(QStringLiteral("fraction")), qPrintable(error));
    const auto ok = parseFrontierCsv("# c\nsplit,V,accuracy,wire_bytes_per_frame\n1,64,0.9,80\n", QStringLiteral("f.csv"),
                                     &error);
    QVERIFY(ok && ok->size() == 1 && ok->front().accuracy == 90.0);
}

void TestStudioViews::featuresViewMosaicsAndExport()
{
    QTemporaryDir dir;
    FeatureFrame frame;
    frame.channels = 4;
    frame.height = 3;
    frame.width = 2;
    frame.keptChannels = {1, 2};
    for (int i = 0; i < 24; ++i) {
        frame.unpruned.push_back(static_cast<float>(i));
        frame.recovered.push_back(static_cast<float>(i) + (i < 6 ? 1.0f : 0.0f)); // channel 0 off by 1
    }
    frame.received.assign(frame.unpruned.begin() + 6, frame.unpruned.begin() + 18);
    FeaturesView view;
    view.setExportContext(fixtureContext());
    view.setFrame(frame);
    QCOMPARE(view.unprunedImage().size(), QSize(2 * 3, 2 * 4)); // 2x2 grid of (w+1)x(h+1)
    QCOMPARE(view.receivedImage().size(), QSize(2 * 3, 1 * 4));
    QCOMPARE(qGray(view.unprunedImage().pixel(0, 0)), 0);
    QCOMPARE(qGray(view.unprunedImage().pixel(1, 2)), 255);

    const QString path = dir.filePath(QStringLiteral("features.csv"));
    QString error;
    QVERIFY2(view.exportCsv(path, &error), qPrintable(error));
    const ParsedCsv csv = readCsv(path);
    QCOMPARE(csv.rows.size(), size_t(4));
    QCOMPARE(csv.rows[0][4].toDouble(), 1.0); // MSE of channel 0
    QCOMPARE(csv.rows[1][1], QStringLiteral("1"));
    QCOMPARE(csv.rows[3][1], QStringLiteral("0"));
    QVERIFY2(view.exportPlot(dir.filePath(QStringLiteral("features.png")), &error), qPrintable(error));

    FeatureFrame bad = frame;
    bad.received.pop_back();
    view.setFrame(bad);
    QCOMPARE(view.frame().received.size(), size_t(12)); // the bad frame was not taken
}

void TestStudioViews::exportReportsUnwritablePath()
{
    EntropyView view;
    QString error;
    QVERIFY(!view.exportCsv(QStringLiteral("/nonexistent-dir/x.csv"), &error));
    QVERIFY(error.contains(QStringLiteral("/nonexistent-dir/x.csv")));
    QVERIFY(!view.exportPlot(QStringLiteral("plot.bmp"), &error));
    QVERIFY(error.contains(QStringLiteral(".png or .pdf")));
}

QTEST_MAIN(TestStudioViews)
#include "test_studio_views.moc"
