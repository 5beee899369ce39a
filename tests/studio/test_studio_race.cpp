// The race view and the studio's device list (issue 14 item 3, issue 16 item 3): many
// agents, one edge (core MultiEdge in the race thread), per-mode plots and summary,
// the race CSV. Fake agents first, then four real aecnn-agent processes started by the
// race preset, one per mode, checked against the offline predictions of the same images.
#include <QApplication>
#include <QComboBox>
#include <QPainter>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

#include "aecnn/widgets/race_view.h"
#include "csv_reader.h"
#include "device_list.h"
#include "fake_agent.h"
#include "main_window.h"
#include "local_agent.h"
#include "multi_edge_controller.h"
#include "aecnn/widgets/qcustomplot_include.h"
#include "race_models.h"
#include "race_tab.h"
#include "startup_options.h"
#include "test_budget.h"
#include "tiny_model_file.h"

using namespace aecnn::studio;
using aecnn::widgets::RaceSample;
using aecnn::widgets::RaceStats;

namespace {

// Pixels of `image` within a small distance of `colour` (the plotted lines are antialiased).
int pixelsNear(const QImage& image, const QColor& colour)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
                    std::abs(c.blue() - colour.blue()) < 40)
                ++n;
        }
    return n;
}

double columnMean(const ParsedCsv& csv, const QString& column)
{
    const int index = static_cast<int>(csv.header.indexOf(column));
    double sum = 0.0;
    for (const QStringList& row : csv.rows)
        sum += row.value(index).toDouble();
    return csv.rows.empty() ? 0.0 : sum / static_cast<double>(csv.rows.size());
}

// The exported race CSV: one row per mode, equal to the summary table on screen.
void checkRaceCsvEqualsShownSummary(const QString& path, const aecnn::widgets::RaceView* view)
{
    const ParsedCsv csv = readCsv(path);
    QCOMPARE(csv.header, aecnn::widgets::raceSummaryColumns());
    const QTableWidget* shown = view->summaryTable();
    QCOMPARE(static_cast<int>(csv.rows.size()), shown->rowCount());
    const auto summary = view->summary();
    for (int r = 0; r < shown->rowCount(); ++r) {
        const QStringList& row = csv.rows[static_cast<size_t>(r)];
        QCOMPARE(row.size(), shown->columnCount());
        QCOMPARE(row[0], summary[static_cast<size_t>(r)].mode);
        QCOMPARE(aecnn::widgets::raceModeTitle(row[0]), shown->item(r, 0)->text());
        for (int c = 1; c < shown->columnCount(); ++c)
            QCOMPARE(row[c], shown->item(r, c)->text());
    }
}

} // namespace

class TestStudioRace : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void summaryPerModeFromSamples();
    void deviceListRowsAndBadInput();
    void raceTabCommandLine();
    void raceAgainstFakeAgents();
    void fourModesRaceWithRealAgents();
    void adaptiveRaceBadInput();
    void adaptiveRaceSwitchesRatioLive();
};

void TestStudioRace::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("aecnn-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_studio_race"));
}

void TestStudioRace::init()
{
    QSettings().clear();
}

// Per mode, every racer of that mode together; p95 by nearest rank; accuracy over the
// labelled frames with a prediction.
void TestStudioRace::summaryPerModeFromSamples()
{
    RaceStats stats;
    stats.setRacers({{QStringLiteral("aecnn"), QStringLiteral("a:1"), QStringLiteral("native")},
                     {QStringLiteral("full"), QStringLiteral("b:2"), QStringLiteral("640x480")},
                     {QStringLiteral("aecnn"), QStringLiteral("c:3"), QStringLiteral("native")}});
    // aecnn: 20 frames over two racers, measured 1..20 ms, bytes 100 or 300, label 0,
    // predicted 0 for 15 of them (one unlabelled frame does not count).
    for (int i = 0; i < 20; ++i) {
        RaceSample s;
        s.racer = i % 2 == 0 ? 0 : 2;
        s.frame = i / 2;
        s.label = i == 19 ? -1 : 0;
        s.predicted = i < 15 ? 0 : 1;
        s.bytes = i % 2 == 0 ? 100.0 : 300.0;
        s.measuredMs = static_cast<double>(i + 1);
        s.predictedMs = 2.0;
        stats.add(s);
    }
    stats.add({1, 0, 3, 3, 5000.0, 40.0, 30.0});
    stats.add({7, 0, 3, 3, 1.0, 1.0, 1.0}); // unknown racer: ignored
    const auto rows = stats.summary();
    QCOMPARE(rows.size(), size_t(2));
    QCOMPARE(rows[0].mode, QStringLiteral("aecnn"));
    QCOMPARE(rows[0].frames, 20LL);
    QCOMPARE(rows[0].labelled, 19LL);
    QCOMPARE(rows[0].accuracy, 15.0 / 19.0);
    QCOMPARE(rows[0].meanBytes, 200.0);
    QCOMPARE(rows[0].meanMs, 10.5);
    QCOMPARE(rows[0].p95Ms, 19.0); // rank ceil(0.95 * 20) = 19
    QCOMPARE(rows[0].meanPredictedMs, 2.0);
    QCOMPARE(rows[0].capture, QStringLiteral("native"));
    QCOMPARE(rows[1].mode, QStringLiteral("full"));
    QCOMPARE(rows[1].frames, 1LL);
    QCOMPARE(rows[1].accuracy, 1.0);
    QCOMPARE(rows[1].capture, QStringLiteral("640x480"));
    QCOMPARE(stats.runningAccuracy(1), 1.0);
}

void TestStudioRace::deviceListRowsAndBadInput()
{
    DeviceList list;
    AgentRow a;
    a.port = 7001;
    a.token = "secret-token";
    a.mode = QStringLiteral("full");
    a.resolution = QStringLiteral("1920x1080");
    a.rateMbps = 2.5;
    AgentRow b;
    b.host = QStringLiteral("10.0.0.2");
    b.port = 7002;
    b.mode = QStringLiteral("bottlenetpp");
    b.split = 2;
    b.ratio = 16;
    list.setRows({a, b});
    QString error;
    auto rows = list.rows(&error);
    QVERIFY2(rows, qPrintable(error));
    QCOMPARE(rows->size(), size_t(2));
    QCOMPARE((*rows)[0].endpoint(), QStringLiteral("127.0.0.1:7001"));
    QCOMPARE((*rows)[0].token, QByteArray("secret-token"));
    QCOMPARE((*rows)[0].mode, QStringLiteral("full"));
    QCOMPARE((*rows)[0].resolution, QStringLiteral("1920x1080"));
    QCOMPARE((*rows)[0].rateMbps, 2.5);
    QCOMPARE((*rows)[1].host, QStringLiteral("10.0.0.2"));
    QCOMPARE((*rows)[1].mode, QStringLiteral("bottlenetpp"));
    QCOMPARE((*rows)[1].split, 2);
    QCOMPARE((*rows)[1].ratio, 16);
    // The capture size applies to full offloading only.
    QVERIFY(list.table()->cellWidget(0, DeviceList::Capture)->isEnabled());
    QVERIFY(!list.table()->cellWidget(1, DeviceList::Capture)->isEnabled());
    // Add and remove.
    list.addRow(AgentRow{});
    QCOMPARE(list.rowCount(), 3);
    list.table()->selectRow(1);
    list.removeSelectedRows();
    QCOMPARE(list.rowCount(), 2);
    QCOMPARE(list.cellText(1, DeviceList::Endpoint), QStringLiteral("127.0.0.1:0"));
    // Bad cells are named.
    list.table()->item(0, DeviceList::Endpoint)->setText(QStringLiteral("nohost"));
    QVERIFY(!list.rows(&error));
    QVERIFY2(error.contains(QStringLiteral("row 1")) && error.contains(QStringLiteral("HOST:PORT")), qPrintable(error));
    list.table()->item(0, DeviceList::Endpoint)->setText(QStringLiteral("127.0.0.1:7001"));
    list.table()->item(0, DeviceList::Ratio)->setText(QStringLiteral("zero"));
    QVERIFY(!list.rows(&error));
    QVERIFY2(error.contains(QStringLiteral("V must be")), qPrintable(error));
    // A row without a port, or without a model, cannot race: the request says which.
    RaceRequest race;
    race.rows = {AgentRow{}};
    QVERIFY(!multiEdgeRequestOf(race, &error));
    QVERIFY2(error.contains(QStringLiteral("no port")), qPrintable(error));
    race.rows[0].port = 9;
    QVERIFY(!multiEdgeRequestOf(race, &error));
    QVERIFY2(error.contains(QStringLiteral("no aecnn model")), qPrintable(error));
}

void TestStudioRace::raceTabCommandLine()
{
    QString error, exitText;
    const auto options = parseStartupOptions(
        {QStringLiteral("aecnn-studio"), QStringLiteral("--tab"), QStringLiteral("race"), QStringLiteral("--screenshot"),
         QStringLiteral("race.png")},
        &error, &exitText);
    QVERIFY2(options, qPrintable(error));
    QCOMPARE(options->tab, QStringLiteral("race"));
    QVERIFY(!parseStartupOptions({QStringLiteral("aecnn-studio"), QStringLiteral("--tab"), QStringLiteral("races")}, &error,
                                 &exitText));
    QVERIFY(error.contains(QStringLiteral("race")));
}

// Two fake agents (protocol only, frames with known predictions): the race runs both,
// the device list and the summary say what happened, the race CSV reads back.
void TestStudioRace::raceAgainstFakeAgents()
{
    QTemporaryDir dir;
    const QString model = dir.filePath(QStringLiteral("tiny.ckpt"));
    writeTinyModel(model);
    const QByteArray token("0123456789abcdef-race-token");
    FakeAgent local(token);
    FakeAgent full(token);
    RaceTab race(QStringLiteral("synthetic:40"));
    race.resize(1200, 800);
    race.setCsvRoot(dir.filePath(QStringLiteral("frames")));
    race.setModelResolver([&](const AgentRow&) { return model; });
    race.setFrames(5);
    AgentRow a;
    a.port = local.port();
    a.token = token;
    a.mode = QStringLiteral("local");
    AgentRow b = a;
    b.port = full.port();
    b.mode = QStringLiteral("full");
    b.resolution = QStringLiteral("640x480");
    race.deviceList()->setRows({a, b});
    QSignalSpy finished(&race, &RaceTab::raceFinished);
    QString error;
    QVERIFY2(race.startRace(&error), qPrintable(error));
    QVERIFY(race.isRacing());
    QVERIFY(!race.startRace(&error)); // one race at a time
    QVERIFY(error.contains(QStringLiteral("running")));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, aecnn::test::budgetMs(30000));
    QVERIFY(!race.isRacing());
    const RaceOutcome& outcome = race.lastOutcome();
    QCOMPARE(outcome.agents.size(), size_t(2));
    QVERIFY(!outcome.stopped);
    for (const auto& agent : outcome.agents) {
        QVERIFY2(agent.error.isEmpty(), qPrintable(agent.error));
        QCOMPARE(agent.frames.size(), size_t(5));
    }
    // The settings each agent got: its mode, the full offloading capture size.
    QCOMPARE(local.lastSettings.value(QStringLiteral("mode")).toString(), QStringLiteral("local"));
    QCOMPARE(full.lastSettings.value(QStringLiteral("resolution")).toString(), QStringLiteral("640x480"));
    QCOMPARE(local.deployments, 1);
    QVERIFY(race.view()->captureText().contains(QStringLiteral("640x480")));
    // The fake predicts frames 0 and 4 wrong (labels 0 and 1, predicted 2): 3 of 5 right.
    const auto summary = race.view()->summary();
    QCOMPARE(summary.size(), size_t(2));
    for (size_t i = 0; i < 2; ++i) {
        QCOMPARE(summary[i].frames, 5LL);
        QCOMPARE(summary[i].accuracy, 0.6);
        double bytes = 0.0, measured = 0.0;
        for (const auto& f : outcome.agents[i].frames) {
            bytes += static_cast<double>(f.bytes);
            measured += f.measuredMs;
        }
        QCOMPARE(summary[i].meanBytes, bytes / 5.0);
        QVERIFY(std::abs(summary[i].meanMs - measured / 5.0) < 1e-9);
    }
    QCOMPARE(summary[1].capture, QStringLiteral("640x480"));
    for (int r = 0; r < 2; ++r)
        QCOMPARE(race.deviceList()->statusOf(r), QStringLiteral("finished 5 frames"));
    QStringList written;
    QVERIFY2(race.exportCsv(dir.filePath(QStringLiteral("fake-race.csv")), &error, &written), qPrintable(error));
    QCOMPARE(written.size(), 3); // the summary and both agents' frame CSVs
    checkRaceCsvEqualsShownSummary(written[0], race.view());
    QCOMPARE(static_cast<int>(readCsv(written[1]).rows.size()), 5);
}

// The race preset: four real aecnn-agent processes (LocalAgent), AECNN, BottleNet++, full
// offloading and local computing on the same 16 images in the same order; each mode's
// predictions equal the offline ones; the race CSV equals the summary shown and the
// per-agent frame CSVs; the race tab draws every mode; a long race stops and is joined.
void TestStudioRace::fourModesRaceWithRealAgents()
{
    if (LocalAgent::findExecutable().isEmpty())
        QFAIL("aecnn-agent not found at $AECNN_AGENT (set by CTest to the build's app/agent/aecnn-agent)");
    QTemporaryDir dir;
    StartupOptions options;
    options.tab = QStringLiteral("race");
    options.dataset = QString::fromLatin1(kRaceDataset);
    MainWindow window(options);
    window.resize(1280, 900);
    window.show();
    QCOMPARE(window.currentTab(), QStringLiteral("race"));
    RaceTab* race = window.raceTab();
    // The split modes stream with the studio's best measured codec for their split and V.
    const QString codec = window.bestCodecFor(1, 2).codec;
    const RaceModelFiles models = writeRaceModels(dir.path(), codec);
    race->setCsvRoot(dir.filePath(QStringLiteral("frames")));
    race->setModelResolver([&](const AgentRow& row) {
        return row.mode == QLatin1String("aecnn")         ? models.aecnn
               : row.mode == QLatin1String("bottlenetpp") ? models.bottlenetpp
                                                          : models.whole;
    });
    const int frames = static_cast<int>(models.labels.size()); // 16: every test image once
    race->setFrames(frames);
    race->setPresetSplit(1, 2);
    QSignalSpy finished(race, &RaceTab::raceFinished);
    race->startPreset();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, aecnn::test::budgetMs(60000));

    const RaceOutcome outcome = race->lastOutcome();
    QCOMPARE(outcome.agents.size(), size_t(4));
    QVERIFY(!outcome.stopped);
    const QStringList modes = raceAgentModes();
    QCOMPARE(race->deviceList()->rowCount(), 4);
    for (size_t i = 0; i < 4; ++i) {
        const auto& agent = outcome.agents[i];
        const QString mode = modes[static_cast<int>(i)];
        QVERIFY2(agent.error.isEmpty(), qPrintable(mode + ": " + agent.error));
        QCOMPARE(static_cast<int>(agent.frames.size()), frames); // the same frame count for every mode
        const std::vector<int>& expected = models.offline.at(mode);
        for (int k = 0; k < frames; ++k) {
            const auto& f = agent.frames[static_cast<size_t>(k)];
            QCOMPARE(f.sequence, quint64(k));
            QCOMPARE(f.label, models.labels[static_cast<size_t>(k)]); // the same images in the same order
            QVERIFY2(f.predicted == expected[static_cast<size_t>(k)],
                     qPrintable(QStringLiteral("%1 frame %2: predicted %3, offline %4")
                                    .arg(mode)
                                    .arg(k)
                                    .arg(f.predicted)
                                    .arg(expected[static_cast<size_t>(k)])));
        }
        QCOMPARE(race->deviceList()->statusOf(static_cast<int>(i)), QStringLiteral("finished %1 frames").arg(frames));
        QVERIFY(!race->deviceList()->cellText(static_cast<int>(i), DeviceList::P95).isEmpty());
    }
    // Summary per mode: accuracy is the offline accuracy on these images.
    const auto summary = race->view()->summary();
    QCOMPARE(summary.size(), size_t(4));
    for (size_t i = 0; i < 4; ++i) {
        const QString mode = modes[static_cast<int>(i)];
        QCOMPARE(summary[i].mode, mode);
        QCOMPARE(summary[i].frames, static_cast<long long>(frames));
        int correct = 0;
        for (int k = 0; k < frames; ++k)
            correct += models.offline.at(mode)[static_cast<size_t>(k)] == models.labels[static_cast<size_t>(k)] ? 1 : 0;
        QCOMPARE(summary[i].accuracy, static_cast<double>(correct) / frames);
    }
    QCOMPARE(summary[2].capture, QStringLiteral("native"));
    QVERIFY(race->view()->captureText().contains(QStringLiteral("native")));
    qInfo("race: split modes coded with %s", qPrintable(codec));
    for (int i : {0, 1})
        QVERIFY(readCsv(outcome.csvPaths[static_cast<size_t>(i)]).comments.join(' ').contains(QStringLiteral("codec ") + codec));

    // Export: the summary as shown, and each agent's frame CSV next to it, whose rows give
    // the same means (to the summary's decimals).
    QString error;
    QStringList written;
    const QString path = dir.filePath(QStringLiteral("race.csv"));
    QVERIFY2(race->exportCsv(path, &error, &written), qPrintable(error));
    QCOMPARE(written.size(), 5);
    checkRaceCsvEqualsShownSummary(path, race->view());
    const ParsedCsv raceCsv = readCsv(path);
    for (int i = 0; i < 4; ++i) {
        const QString mode = modes[i];
        const QString frameCsvPath = dir.filePath(QStringLiteral("race-agent%1-%2.csv").arg(i + 1).arg(mode));
        QCOMPARE(written[i + 1], frameCsvPath);
        const ParsedCsv frameCsv = readCsv(frameCsvPath);
        QCOMPARE(static_cast<int>(frameCsv.rows.size()), frames);
        const QStringList& row = raceCsv.rows[static_cast<size_t>(i)];
        QCOMPARE(row[0], mode);
        QCOMPARE(row[1].toInt(), frames);
        QVERIFY2(std::abs(row[3].toDouble() - columnMean(frameCsv, QStringLiteral("bytes"))) <= 0.051,
                 qPrintable(mode + ": bytes " + row[3]));
        QVERIFY2(std::abs(row[4].toDouble() - columnMean(frameCsv, QStringLiteral("measured_ms"))) <= 0.002,
                 qPrintable(mode + ": measured " + row[4]));
        QVERIFY2(std::abs(row[6].toDouble() - columnMean(frameCsv, QStringLiteral("predicted_ms"))) <= 0.002,
                 qPrintable(mode + ": predicted " + row[6]));
    }

    // Drawn: every mode's line in the plots, as --tab race --screenshot grabs the window.
    race->view()->refresh();
    QCoreApplication::processEvents();
    for (QCustomPlot* plot : {race->view()->accuracyPlot(), race->view()->bytesPlot(), race->view()->timePlot()}) {
        for (int g = 0; g < 4; ++g)
            QCOMPARE(plot->graph(g)->dataCount(), frames);
        plot->replot();
    }
    // No line lies on an axis: local computing's few bytes per frame are inside the range.
    const double fewestBytes = static_cast<double>(outcome.agents[3].frames.front().bytes);
    QVERIFY(race->view()->bytesPlot()->yAxis->range().lower < fewestBytes);
    const QString screenshot = dir.filePath(QStringLiteral("race.png"));
    QVERIFY(window.grab().save(screenshot, "PNG"));
    const QImage shot(screenshot);
    QVERIFY(!shot.isNull());
    const QRect timeArea(race->view()->timePlot()->mapTo(&window, QPoint(0, 0)), race->view()->timePlot()->size());
    QImage timePlot = shot.copy(timeArea);
    {
        // Not the legend's line samples: the lines in the axis rect.
        QPainter blank(&timePlot);
        blank.fillRect(race->view()->timePlot()->legend->outerRect().adjusted(-2, -2, 2, 2), Qt::white);
    }
    for (const QString& mode : modes)
        QVERIFY2(pixelsNear(timePlot, aecnn::widgets::raceModeColour(mode)) > 30,
                 qPrintable(mode + " is not drawn in the completion-time plot"));

    // A long race stops early: the rows so far are kept (CSV on disk), the thread is joined.
    race->setFrames(1000000);
    QVERIFY2(race->startRace(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(race->view()->stats().samples(3).size() >= 5, aecnn::test::budgetMs(30000));
    race->stopRace();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, aecnn::test::budgetMs(20000));
    const RaceOutcome stopped = race->lastOutcome();
    QVERIFY(stopped.stopped);
    QVERIFY(!race->isRacing());
    for (size_t i = 0; i < 4; ++i) {
        QVERIFY(stopped.agents[i].frames.size() < 1000000);
        QCOMPARE(static_cast<size_t>(readCsv(stopped.csvPaths[i]).rows.size()), stopped.agents[i].frames.size());
    }
    QVERIFY(race->deviceList()->statusOf(0).startsWith(QStringLiteral("stopped after")));
    window.close();
    QVERIFY(race->controller()->workerThread()->isFinished());
}

// Adaptive V in a race: a deadline of 0, or a profile without the row's split or without a
// V that has a model, is refused naming the row and the problem; a valid one gives the
// core request the row's models per V and the deadline.
void TestStudioRace::adaptiveRaceBadInput()
{
    RaceRequest race;
    AgentRow row;
    row.port = 9;
    row.split = 1;
    row.ratio = 2;
    row.modelPath = QStringLiteral("v2.aecnn");
    row.ratioModels = {{4, QStringLiteral("v4.aecnn")}};
    race.rows = {row};
    race.adaptive = RaceAdaptive{raceAdaptiveProfile(), 800.0};
    QString error;
    auto request = multiEdgeRequestOf(race, &error);
    QVERIFY2(request, qPrintable(error));
    QVERIFY(request->agents[0].adaptive);
    const auto& spec = *request->agents[0].adaptive;
    QCOMPARE(spec.deadlineMs, 800.0);
    QCOMPARE(spec.split, 1);
    QVERIFY(spec.live);
    QCOMPARE(spec.models.size(), size_t(2));
    QCOMPARE(spec.models.at(2), QStringLiteral("v2.aecnn"));
    QCOMPARE(spec.models.at(4), QStringLiteral("v4.aecnn"));

    race.adaptive->deadlineMs = 0.0;
    QVERIFY(!multiEdgeRequestOf(race, &error));
    QVERIFY2(error.contains(QStringLiteral("row 1")) && error.contains(QStringLiteral("deadline")), qPrintable(error));
    race.adaptive->deadlineMs = 800.0;
    race.rows[0].split = 3; // the profile has split 1 only
    QVERIFY(!multiEdgeRequestOf(race, &error));
    QVERIFY2(error.contains(QStringLiteral("row 1")) && error.contains(QStringLiteral("adaptive V")) &&
                 error.contains(QStringLiteral("tiny-test")),
             qPrintable(error));
    race.rows[0].split = 1;
    race.rows[0].ratio = 8; // neither the row's V nor the others it has models for are in the profile
    race.rows[0].ratioModels.clear();
    QVERIFY(!multiEdgeRequestOf(race, &error));
    QVERIFY2(error.contains(QStringLiteral("adaptive V")), qPrintable(error));
    // Modes without a split are not adaptive.
    race.rows[0].mode = QStringLiteral("full");
    race.rows[0].ratio = 2;
    request = multiEdgeRequestOf(race, &error);
    QVERIFY2(request, qPrintable(error));
    QVERIFY(!request->agents[0].adaptive);
}

// Adaptive V in the race tab, live: one real aecnn-agent on a 0.02 Mbps shaped link starts
// at V = 2, which misses an 800 ms deadline with the tiny profile (V = 4 fits). The edge
// switches it to V = 4 between frames (why: rate); every frame has the offline prediction
// of the model of the V it was sent with, the V changes exactly at the recorded switches,
// and the device list and the frame CSV say so.
void TestStudioRace::adaptiveRaceSwitchesRatioLive()
{
    if (LocalAgent::findExecutable().isEmpty())
        QFAIL("aecnn-agent not found at $AECNN_AGENT (set by CTest to the build's app/agent/aecnn-agent)");
    QTemporaryDir dir;
    const RaceModelFiles models = writeRaceModels(dir.path(), QStringLiteral("uint8+zstd"));
    LocalAgent agent;
    QSignalSpy listening(&agent, &LocalAgent::listening);
    QString error;
    QVERIFY2(agent.start(QString::fromLatin1(kRaceDataset), &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(agent.port() != 0, aecnn::test::budgetMs(30000));

    RaceTab race(QString::fromLatin1(kRaceDataset));
    race.setCsvRoot(dir.filePath(QStringLiteral("frames")));
    race.setCodec(QStringLiteral("uint8+zstd"));
    race.setModelResolver([&](const AgentRow& row) {
        const auto it = models.aecnnByRatio.find(row.ratio);
        return row.mode == QLatin1String("aecnn") && row.split == 1 && it != models.aecnnByRatio.end() ? it->second
                                                                                                        : QString();
    });
    race.setProfileProvider([](const QString&) { return raceAdaptiveProfile(); });
    race.setAdaptive(true, 800.0);
    QVERIFY(race.isAdaptive());
    AgentRow row;
    row.port = agent.port();
    row.mode = QStringLiteral("aecnn");
    row.split = 1;
    row.ratio = 2;
    row.rateMbps = 0.02;
    race.deviceList()->setRows({row});
    constexpr int kFrames = 8;
    race.setFrames(kFrames);
    QSignalSpy finished(&race, &RaceTab::raceFinished);
    QVERIFY2(race.startRace(&error), qPrintable(error));
    QVERIFY(race.view()->statusText().contains(QStringLiteral("adaptive V within 800 ms")));
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, aecnn::test::budgetMs(60000));

    const RaceOutcome outcome = race.lastOutcome();
    QCOMPARE(outcome.agents.size(), size_t(1));
    const auto& a = outcome.agents[0];
    QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
    QVERIFY2(a.adaptiveError.isEmpty(), qPrintable(a.adaptiveError));
    QCOMPARE(static_cast<int>(a.frames.size()), kFrames);
    QVERIFY2(!a.switches.empty(), "the agent was never switched from V = 2");
    QCOMPARE(a.switches.front().fromRatio, 2);
    QCOMPARE(a.switches.front().toRatio, 4);
    QCOMPARE(a.switches.front().why, QStringLiteral("rate"));
    int ratio = 2;
    size_t next = 0;
    for (int k = 0; k < kFrames; ++k) {
        const auto& f = a.frames[static_cast<size_t>(k)];
        QCOMPARE(f.sequence, quint64(k));
        if (next < a.switches.size() && a.switches[next].firstFrame == k)
            ratio = a.switches[next++].toRatio;
        QCOMPARE(f.ratio, ratio);
        QCOMPARE(f.label, models.labels[static_cast<size_t>(k)]);
        QCOMPARE(f.predicted, models.aecnnOfflineByRatio.at(ratio)[static_cast<size_t>(k)]);
    }
    QCOMPARE(a.frames.back().ratio, 4);
    const QString status = race.deviceList()->statusOf(0);
    QVERIFY2(status.startsWith(QStringLiteral("finished %1 frames; adaptive V: 2 → 4 at frame").arg(kFrames)),
             qPrintable(status));
    const ParsedCsv csv = readCsv(outcome.csvPaths[0]);
    QCOMPARE(static_cast<int>(csv.rows.size()), kFrames);
    QVERIFY(csv.comments.join(' ').contains(QStringLiteral("adaptive V")));
    const int ratioColumn = static_cast<int>(csv.header.indexOf(QStringLiteral("ratio")));
    QVERIFY(ratioColumn >= 0);
    for (const QStringList& r : csv.rows)
        QCOMPARE(r[ratioColumn].toInt(), a.frames[static_cast<size_t>(r[0].toInt())].ratio);
    agent.stop();
}

QTEST_MAIN(TestStudioRace)
#include "test_studio_race.moc"
