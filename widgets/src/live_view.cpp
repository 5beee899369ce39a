#include "aecnn/widgets/live_view.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <cmath>
#include "aecnn/widgets/qcustomplot_include.h"

namespace aecnn::widgets {
namespace {

const char* const kPartNames[5] = {"t_iot", "t_enc", "t_com", "t_dec", "t_es"};
const QColor kPartColors[5] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                               QColor(214, 39, 40), QColor(148, 103, 189)};

QString percent(double value)
{
    return std::isnan(value) ? QStringLiteral("n/a") : QStringLiteral("%1 %").arg(value, 0, 'f', 2);
}

} // namespace

LiveView::LiveView(QWidget* parent, int window)
    : PlotView(parent), stats_(window), accuracyPlot_(new QCustomPlot(this)), timePlot_(new QCustomPlot(this)),
      summary_(new QLabel(this)), replotTimer_(new QTimer(this)), recordButton_(new QPushButton(tr("Record..."), this))
{
    recordButton_->setCheckable(true);
    recordButton_->setToolTip(tr("Append every incoming frame to a CSV file until pressed again"));
    connect(recordButton_, &QPushButton::clicked, this, [this](bool checked) {
        if (!checked) {
            stopRecording();
            return;
        }
        const QString path = QFileDialog::getSaveFileName(this, tr("Record live frames"), QStringLiteral("live.csv"),
                                                          tr("CSV (*.csv)"));
        if (path.isEmpty())
            recordButton_->setChecked(false);
        else
            startRecording(path);
    });
    summary_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    auto* top = new QHBoxLayout;
    top->addWidget(summary_, 1);
    top->addWidget(recordButton_);
    layout->addLayout(top);
    layout->addWidget(accuracyPlot_, 1);
    layout->addWidget(timePlot_, 1);

    accuracyPlot_->legend->setVisible(true);
    accuracyPlot_->xAxis->setLabel(tr("frame"));
    accuracyPlot_->yAxis->setLabel(tr("accuracy (%)"));
    accuracyPlot_->yAxis->setRange(0, 100);
    QCPGraph* running = accuracyPlot_->addGraph();
    running->setName(tr("running"));
    running->setPen(QPen(Qt::black, 1.5));
    QCPGraph* windowed = accuracyPlot_->addGraph();
    windowed->setName(tr("last %1 frames").arg(stats_.window()));
    windowed->setPen(QPen(QColor(31, 119, 180), 1.5));

    timePlot_->legend->setVisible(true);
    timePlot_->yAxis->setLabel(tr("time per frame (ms)"));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    ticker->addTick(1, tr("measured"));
    ticker->addTick(2, tr("predicted"));
    timePlot_->xAxis->setTicker(ticker);
    timePlot_->xAxis->setRange(0.3, 2.7);
    QCPBars* below = nullptr;
    for (int part = 0; part < 5; ++part) {
        auto* bars = new QCPBars(timePlot_->xAxis, timePlot_->yAxis);
        bars->setName(QString::fromLatin1(kPartNames[part]));
        bars->setBrush(kPartColors[part]);
        bars->setPen(Qt::NoPen);
        bars->setWidth(0.6);
        if (below)
            bars->moveAbove(below);
        below = bars;
    }

    replotTimer_->setSingleShot(true);
    replotTimer_->setInterval(kReplotIntervalMs);
    connect(replotTimer_, &QTimer::timeout, this, &LiveView::refresh);
    summary_->setText(summaryText());
}

void LiveView::appendSample(const LiveSample& sample)
{
    stats_.add(sample);
    history_.push_back(sample);
    if (recorder_.isRecording()) {
        QString error;
        if (!recorder_.append(row(sample), &error)) {
            recordButton_->setChecked(false);
            Q_EMIT recordingChanged(false, error);
        }
    }
    if (static_cast<int>(history_.size()) > kMaxHistory)
        history_.erase(history_.begin(), history_.begin() + kMaxHistory / 10);
    const double frame = static_cast<double>(sample.sequence);
    if (!std::isnan(stats_.runningAccuracy()))
        accuracyPlot_->graph(0)->addData(frame, stats_.runningAccuracy());
    if (!std::isnan(stats_.windowedAccuracy()))
        accuracyPlot_->graph(1)->addData(frame, stats_.windowedAccuracy());
    if (!replotTimer_->isActive())
        replotTimer_->start();
}

void LiveView::clear()
{
    stats_.clear();
    history_.clear();
    accuracyPlot_->graph(0)->data()->clear();
    accuracyPlot_->graph(1)->data()->clear();
    refresh();
}

void LiveView::setPredictionSource(const QString& source, const QString& details)
{
    predictionSource_ = source;
    predictionDetails_ = details;
    summary_->setText(summaryText());
    summary_->setToolTip(details.isEmpty() ? source : source + "\n" + details);
}

QString LiveView::summaryText() const
{
    const TimeBreakdown measured = stats_.meanMeasured();
    const TimeBreakdown predicted = stats_.meanPredicted();
    return tr("Frames: %1   accuracy: running %2, last %3: %4   %5 frames/s   %6 Mbps   "
              "completion: measured %7 ms, predicted %8 ms (%9)")
        .arg(stats_.frames())
        .arg(percent(stats_.runningAccuracy()))
        .arg(stats_.window())
        .arg(percent(stats_.windowedAccuracy()))
        .arg(stats_.framesPerSecond(), 0, 'f', 1)
        .arg(stats_.megabitsPerSecond(), 0, 'f', 3)
        .arg(measured.totalMs(), 0, 'f', 2)
        .arg(predicted.totalMs(), 0, 'f', 2)
        .arg(predictionSource_);
}

void LiveView::refresh()
{
    ++replots_;
    summary_->setText(summaryText());
    const auto measured = stats_.meanMeasured().parts();
    const auto predicted = stats_.meanPredicted().parts();
    for (int part = 0; part < 5; ++part) {
        auto* bars = qobject_cast<QCPBars*>(timePlot_->plottable(part));
        bars->data()->clear();
        bars->addData(1, measured[part]);
        bars->addData(2, predicted[part]);
    }
    const double top = std::max(stats_.meanMeasured().totalMs(), stats_.meanPredicted().totalMs());
    timePlot_->yAxis->setRange(0, top > 0 ? top * 1.15 : 1.0);
    if (!history_.empty()) {
        const double last = static_cast<double>(history_.back().sequence);
        accuracyPlot_->xAxis->setRange(std::max(0.0, last - 500), std::max(last, 10.0));
    }
    accuracyPlot_->replot(QCustomPlot::rpQueuedReplot);
    timePlot_->replot(QCustomPlot::rpQueuedReplot);
}

CsvTable LiveView::header() const
{
    CsvTable table;
    table.columns = QStringList{QStringLiteral("frame"), QStringLiteral("correct (1/0/-1 unknown)"),
                                QStringLiteral("received (ms)"), QStringLiteral("bytes (B)")};
    for (const char* name : kPartNames)
        table.columns << QStringLiteral("%1_measured (ms)").arg(QLatin1String(name));
    for (const char* name : kPartNames)
        table.columns << QStringLiteral("%1_predicted (ms)").arg(QLatin1String(name));
    table.extraComments << QStringLiteral("prediction: %1").arg(predictionSource_);
    return table;
}

QStringList LiveView::row(const LiveSample& sample) const
{
    QStringList row{QString::number(sample.sequence), QString::number(sample.correct), csvNumber(sample.receivedMs),
                    csvNumber(sample.bytes)};
    for (double value : sample.measured.parts())
        row << csvNumber(value);
    for (double value : sample.predicted.parts())
        row << csvNumber(value);
    return row;
}

CsvTable LiveView::table() const
{
    CsvTable table = header();
    for (const LiveSample& sample : history_)
        table.addRow(row(sample));
    return table;
}

bool LiveView::startRecording(const QString& path, QString* error)
{
    QString why;
    const bool ok = recorder_.start(path, header(), exportContext(), &why);
    if (error)
        *error = why;
    recordButton_->setChecked(ok);
    Q_EMIT recordingChanged(ok, ok ? tr("Recording to %1 (rows go to %2 until stopped)").arg(path, CsvRecorder::partialPathOf(path)) : why);
    return ok;
}

void LiveView::stopRecording()
{
    if (!recorder_.isRecording())
        return;
    const QString path = recorder_.path();
    const long long rows = recorder_.rows();
    QString error;
    const bool ok = recorder_.stop(&error);
    recordButton_->setChecked(false);
    Q_EMIT recordingChanged(false, ok ? tr("Recorded %1 frames to %2").arg(rows).arg(path) : error);
}

} // namespace aecnn::widgets
