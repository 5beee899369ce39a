#include "aecnn/widgets/race_view.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

#include "aecnn/widgets/qcustomplot_include.h"

namespace aecnn::widgets {
namespace {

QCustomPlot* makeRacePlot(QWidget* parent, const QString& name, const QString& title, const QString& yLabel)
{
    auto* plot = new QCustomPlot(parent);
    plot->setObjectName(name);
    plot->setMinimumHeight(200);
    // Three plots side by side: without this their titles' widths would set the tab's minimum
    // width (about 900 pixels) and push the window past a 1280-pixel screen.
    plot->setMinimumWidth(200);
    plot->plotLayout()->insertRow(0);
    plot->plotLayout()->addElement(0, 0, new QCPTextElement(plot, title, QFont(plot->font().family(), -1, QFont::Bold)));
    plot->xAxis->setLabel(QObject::tr("frame"));
    plot->yAxis->setLabel(yLabel);
    QFont legendFont = plot->font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    plot->legend->setFont(legendFont);
    plot->legend->setBrush(QColor(255, 255, 255, 190)); // the lines stay visible behind it
    plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    return plot;
}

QString racerName(const std::vector<Racer>& racers, size_t i)
{
    QString name = raceModeTitle(racers[i].mode);
    const auto sameMode = std::count_if(racers.begin(), racers.end(), [&](const Racer& r) { return r.mode == racers[i].mode; });
    if (sameMode > 1)
        name += QStringLiteral(" (%1)").arg(racers[i].endpoint);
    if (racers[i].mode == QLatin1String("full"))
        name += QStringLiteral(", %1").arg(racers[i].capture);
    return name;
}

} // namespace

RaceView::RaceView(QWidget* parent)
    : PlotView(parent), status_(new QLabel(this)), capture_(new QLabel(this)),
      accuracy_(makeRacePlot(this, QStringLiteral("raceAccuracy"), tr("Running accuracy"), tr("accuracy"))),
      bytes_(makeRacePlot(this, QStringLiteral("raceBytes"), tr("Bytes per frame (on the wire)"), tr("bytes"))),
      time_(makeRacePlot(this, QStringLiteral("raceTime"), tr("Completion time\nmeasured (solid), Eq. 4 (dashed)"),
                         tr("ms"))),
      summaryTable_(new QTableWidget(this))
{
    status_->setObjectName(QStringLiteral("raceStatus"));
    status_->setWordWrap(true);
    capture_->setObjectName(QStringLiteral("raceCapture"));
    capture_->setWordWrap(true);
    time_->legend->setVisible(true); // one legend: the colours are the same in every plot
    time_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    QSharedPointer<QCPAxisTickerLog> logTicker(new QCPAxisTickerLog);
    bytes_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    bytes_->yAxis->setTicker(logTicker);
    summaryTable_->setObjectName(QStringLiteral("raceSummary"));
    summaryTable_->setColumnCount(static_cast<int>(raceSummaryColumns().size()));
    summaryTable_->setHorizontalHeaderLabels(raceSummaryColumns());
    summaryTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    summaryTable_->verticalHeader()->setVisible(false);
    summaryTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    summaryTable_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    summaryTable_->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    summaryTable_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    // A row per mode of the race preset without scrolling.
    summaryTable_->verticalHeader()->setDefaultSectionSize(24);
    summaryTable_->setMinimumHeight(summaryTable_->horizontalHeader()->sizeHint().height() + 4 * 24 + 6);
    summaryTable_->setMaximumHeight(summaryTable_->minimumHeight());

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(status_, 0, 0, 1, 3);
    grid->addWidget(accuracy_, 1, 0);
    grid->addWidget(bytes_, 1, 1);
    grid->addWidget(time_, 1, 2);
    grid->addWidget(capture_, 2, 0, 1, 3);
    grid->addWidget(summaryTable_, 3, 0, 1, 3);
    grid->setRowStretch(1, 1);
    grid->setColumnStretch(0, 2);
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(2, 3);

    refreshTimer_.setSingleShot(true);
    refreshTimer_.setInterval(kRefreshMs);
    connect(&refreshTimer_, &QTimer::timeout, this, &RaceView::redraw);
    setRacers({});
}

void RaceView::setRacers(const std::vector<Racer>& racers)
{
    stats_.setRacers(racers);
    drawn_.assign(racers.size(), 0);
    status_->setText(racers.empty() ? tr("No race yet: fill the device list (or \"Race preset\") and start the race.")
                                    : tr("Racing %1 agents on the same frames.").arg(racers.size()));
    QStringList captures;
    for (const Racer& r : racers)
        if (r.mode == QLatin1String("full"))
            captures << tr("full offloading (%1) sends each captured image as JPEG at %2%3")
                            .arg(r.endpoint, r.capture,
                                 r.capture == QLatin1String("native") ? tr(" (the data set's own size)") : QString());
    capture_->setText(captures.join(QStringLiteral("; ")));
    capture_->setVisible(!captures.isEmpty());
    rebuildGraphs();
    redraw();
}

void RaceView::rebuildGraphs()
{
    for (QCustomPlot* plot : {accuracy_, bytes_, time_})
        plot->clearGraphs();
    const auto& racers = stats_.racers();
    for (size_t i = 0; i < racers.size(); ++i) {
        const QColor colour = raceModeColour(racers[i].mode);
        const QString name = racerName(racers, i);
        for (QCustomPlot* plot : {accuracy_, bytes_, time_}) {
            QCPGraph* g = plot->addGraph();
            g->setName(name);
            g->setPen(QPen(colour, 2));
        }
        QCPGraph* predicted = time_->addGraph();
        predicted->setName(tr("%1, predicted").arg(name));
        predicted->setPen(QPen(colour, 1.5, Qt::DashLine));
        predicted->removeFromLegend();
    }
}

void RaceView::addSample(const RaceSample& sample)
{
    stats_.add(sample);
    dirty_ = true;
    if (!refreshTimer_.isActive())
        refreshTimer_.start();
}

void RaceView::refresh()
{
    refreshTimer_.stop();
    redraw();
}

void RaceView::setStatus(const QString& text)
{
    status_->setText(text);
}

QString RaceView::captureText() const
{
    return capture_->text();
}

QString RaceView::statusText() const
{
    return status_->text();
}

void RaceView::redraw()
{
    dirty_ = false;
    const auto& racers = stats_.racers();
    for (size_t r = 0; r < racers.size(); ++r) {
        const auto& samples = stats_.samples(static_cast<int>(r));
        // Graph r of each plot (and r*2, r*2+1 of the time plot): append what is new.
        QCPGraph* acc = accuracy_->graph(static_cast<int>(r));
        QCPGraph* bytes = bytes_->graph(static_cast<int>(r));
        QCPGraph* measured = time_->graph(static_cast<int>(2 * r));
        QCPGraph* predicted = time_->graph(static_cast<int>(2 * r + 1));
        long long correct = 0, labelled = 0;
        for (size_t k = 0; k < drawn_[r]; ++k) // the running counts up to what is drawn
            if (samples[k].label >= 0 && samples[k].predicted >= 0) {
                ++labelled;
                correct += samples[k].label == samples[k].predicted ? 1 : 0;
            }
        for (size_t k = drawn_[r]; k < samples.size(); ++k) {
            const RaceSample& s = samples[k];
            const auto x = static_cast<double>(s.frame);
            if (s.label >= 0 && s.predicted >= 0) {
                ++labelled;
                correct += s.label == s.predicted ? 1 : 0;
            }
            if (labelled > 0)
                acc->addData(x, static_cast<double>(correct) / static_cast<double>(labelled));
            bytes->addData(x, std::max(1.0, s.bytes));
            measured->addData(x, s.measuredMs);
            predicted->addData(x, s.predictedMs);
        }
        drawn_[r] = samples.size();
    }
    for (QCustomPlot* plot : {accuracy_, bytes_, time_}) {
        plot->rescaleAxes();
        if (plot->xAxis->range().size() < 1.0)
            plot->xAxis->setRange(plot->xAxis->range().lower, plot->xAxis->range().lower + 1.0);
    }
    accuracy_->yAxis->setRange(0.0, 1.05);
    // Room around the lines: none of them lies on an axis (local computing's few bytes).
    const QCPRange bytes = bytes_->yAxis->range();
    // At least two decades, so that the axis keeps its powers-of-ten ticks (QCustomPlot's log
    // ticker falls back to linear ticks below 1.6 decades).
    const double upper = std::max(10.0, bytes.upper * 1.6);
    bytes_->yAxis->setRange(std::max(0.5, std::min(bytes.lower / 1.6, upper / 100.0)), upper);
    time_->yAxis->setRange(0.0, std::max(1.0, time_->yAxis->range().upper * 1.08));
    for (QCustomPlot* plot : {accuracy_, bytes_, time_})
        plot->replot(QCustomPlot::rpQueuedReplot);

    const auto rows = stats_.summary();
    summaryTable_->setRowCount(static_cast<int>(rows.size()));
    const int columns = static_cast<int>(raceSummaryColumns().size());
    for (int r = 0; r < static_cast<int>(rows.size()); ++r)
        for (int c = 0; c < columns; ++c) {
            QString text = formatSummary(rows[static_cast<size_t>(r)], c);
            if (c == 0)
                text = raceModeTitle(text);
            auto* item = new QTableWidgetItem(text);
            if (c == 0)
                item->setForeground(raceModeColour(rows[static_cast<size_t>(r)].mode));
            summaryTable_->setItem(r, c, item);
        }
}

QString RaceView::formatSummary(const RaceSummaryRow& row, int column)
{
    switch (column) {
    case 0:
        return row.mode;
    case 1:
        return QString::number(row.frames);
    case 2:
        return row.accuracy < 0 ? QString() : QString::number(row.accuracy, 'f', 4);
    case 3:
        return QString::number(row.meanBytes, 'f', 1);
    case 4:
        return QString::number(row.meanMs, 'f', 3);
    case 5:
        return QString::number(row.p95Ms, 'f', 3);
    case 6:
        return QString::number(row.meanPredictedMs, 'f', 3);
    case 7:
        return row.capture;
    default:
        return {};
    }
}

CsvTable RaceView::table() const
{
    CsvTable table;
    table.columns = raceSummaryColumns();
    const auto& racers = stats_.racers();
    for (size_t i = 0; i < racers.size(); ++i)
        table.extraComments << QStringLiteral("racer %1: %2 at %3, capture %4")
                                   .arg(i + 1)
                                   .arg(racers[i].mode, racers[i].endpoint, racers[i].capture);
    const int columns = static_cast<int>(table.columns.size());
    for (const RaceSummaryRow& row : stats_.summary()) {
        QStringList cells;
        for (int c = 0; c < columns; ++c)
            cells << formatSummary(row, c);
        table.addRow(cells);
    }
    return table;
}

} // namespace aecnn::widgets
