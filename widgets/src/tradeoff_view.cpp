#include "aecnn/widgets/tradeoff_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>
#include <map>
#include "aecnn/widgets/input_baseline_plot.h"
#include "aecnn/widgets/qcustomplot_include.h"

namespace aecnn::widgets {
namespace {

struct Metric {
    const char* name;
    const char* unit;
    double Table1Row::*member;
};
const Metric kMetrics[] = {
    {"aecnn_acc", "%", &Table1Row::aecnnAcc},       {"bottlenetpp_acc", "%", &Table1Row::bottlenetppAcc},
    {"ca_pruned_acc", "%", &Table1Row::caPrunedAcc}, {"entropy_bits", "bits/element", &Table1Row::entropyBits},
    {"enc_ms", "ms", &Table1Row::encMs},             {"dec_ms", "ms", &Table1Row::decMs},
};

using Key = std::pair<int, int>; // split, V
struct Joined {
    const Table1Row* ours = nullptr;
    const Table1Row* paper = nullptr;
};

std::map<Key, Joined> join(const std::vector<Table1Row>& ours, const std::vector<Table1Row>& paper)
{
    std::map<Key, Joined> rows;
    for (const auto& row : ours)
        rows[{row.split, row.ratio}].ours = &row;
    for (const auto& row : paper)
        rows[{row.split, row.ratio}].paper = &row;
    return rows;
}

QString cell(const Table1Row* row, double Table1Row::*member)
{
    if (!row || std::isnan(row->*member))
        return {};
    return csvNumber(row->*member);
}

QColor curveColor(int index)
{
    static const QColor palette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                     QColor(214, 39, 40), QColor(148, 103, 189), QColor(140, 86, 75),
                                     QColor(227, 119, 194), QColor(127, 127, 127)};
    return palette[index % 8];
}

} // namespace

TradeoffView::TradeoffView(QWidget* parent)
    : PlotView(parent), tableWidget_(new QTableWidget(this)), plot_(new QCustomPlot(this)),
      profileChooser_(new QComboBox(this)), profileSource_(new QLabel(this)), plots_(new QTabWidget(this)),
      baseline_(new InputBaselinePlot(this))
{
    profileChooser_->setObjectName(QStringLiteral("profileChooser"));
    profileChooser_->addItem(tr("connected device's profile"));
    profileChooser_->addItem(tr("profile file..."));
    profileChooser_->addItem(tr("Raspberry Pi 4B (paper)"));
    profileSource_->setObjectName(QStringLiteral("profileSource"));
    profileSource_->setWordWrap(true);
    profileSource_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    connect(profileChooser_, QOverload<int>::of(&QComboBox::activated), this,
            [this](int index) { Q_EMIT profileChoiceRequested(index); });
    auto* fig5Page = new QWidget(this);
    auto* chooserRow = new QHBoxLayout;
    chooserRow->addWidget(new QLabel(tr("Fig. 5 predicts with:"), fig5Page));
    chooserRow->addWidget(profileChooser_);
    chooserRow->addWidget(profileSource_, 1);
    auto* fig5Layout = new QVBoxLayout(fig5Page);
    fig5Layout->setContentsMargins(0, 0, 0, 0);
    fig5Layout->addLayout(chooserRow);
    fig5Layout->addWidget(plot_, 1);
    plots_->setObjectName(QStringLiteral("tradeoffPlots"));
    plots_->addTab(fig5Page, tr("Fig. 5: completion time"));
    plots_->addTab(baseline_, tr("Bytes vs accuracy: AECNN and the input image"));
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(tableWidget_);
    splitter->addWidget(plots_);
    splitter->setSizes({200, 500});
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    tableWidget_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    tableWidget_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    plot_->legend->setVisible(true);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.8);
    plot_->legend->setFont(legendFont);
    plot_->legend->setBrush(QColor(255, 255, 255, 200));
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setWrap(3); // 3 columns: the curves would cover the plot in one
    plot_->setMinimumHeight(260);
    plot_->xAxis->setLabel(tr("uplink data rate r (Mbps)"));
    plot_->yAxis->setLabel(tr("completion time (ms)"));
    plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    plot_->yAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    setTable1({}, {});
}

void TradeoffView::setProfileSource(const QString& label, const QString& warning)
{
    profileSource_->setText(warning.isEmpty() ? label
                                              : label + QStringLiteral(" \u2014 NOT comparable: ") + warning);
    profileSource_->setStyleSheet(warning.isEmpty() ? QString() : QStringLiteral("color: #b00000;"));
}

QString TradeoffView::profileSourceText() const
{
    return profileSource_->text();
}

void TradeoffView::setProfileChoice(ProfileChoice choice, bool connectedAvailable, bool fileAvailable)
{
    profileChooser_->setItemText(ConnectedDevice, connectedAvailable ? tr("connected device's profile")
                                                                     : tr("connected device's profile (none)"));
    profileChooser_->setItemText(ProfileFile, fileAvailable ? tr("profile file") : tr("profile file..."));
    profileChooser_->setCurrentIndex(choice);
}

TradeoffView::ProfileChoice TradeoffView::profileChoice() const
{
    return static_cast<ProfileChoice>(profileChooser_->currentIndex());
}

void TradeoffView::setTable1(const std::vector<Table1Row>& ours, const std::vector<Table1Row>& paper)
{
    ours_ = ours;
    paper_ = paper;
    const CsvTable csv = table();
    tableWidget_->clear();
    tableWidget_->setColumnCount(csv.columns.size());
    tableWidget_->setRowCount(static_cast<int>(csv.rows.size()));
    tableWidget_->setHorizontalHeaderLabels(csv.columns);
    for (int r = 0; r < static_cast<int>(csv.rows.size()); ++r)
        for (int c = 0; c < csv.columns.size(); ++c)
            tableWidget_->setItem(r, c, new QTableWidgetItem(csv.rows[r][c]));
}

int TradeoffView::tableRowCount() const
{
    return tableWidget_->rowCount();
}

CsvTable TradeoffView::table() const
{
    CsvTable table;
    table.columns = QStringList{QStringLiteral("split"), QStringLiteral("V"), QStringLiteral("kept_C (channels)")};
    for (const Metric& metric : kMetrics)
        table.columns << QStringLiteral("%1_ours (%2)").arg(QLatin1String(metric.name), QLatin1String(metric.unit))
                      << QStringLiteral("%1_paper (%2)").arg(QLatin1String(metric.name), QLatin1String(metric.unit));
    table.extraComments << QStringLiteral(
        "paper: ResNet-50 on Caltech-101, Raspberry Pi 4B + RTX 2080 Ti; ours: the studio's model, data set and machine");
    for (const auto& [key, joined] : join(ours_, paper_)) {
        const Table1Row* any = joined.ours ? joined.ours : joined.paper;
        QStringList row{QString::number(key.first), QString::number(key.second),
                        any->keptChannels > 0 ? QString::number(any->keptChannels) : QString()};
        for (const Metric& metric : kMetrics)
            row << cell(joined.ours, metric.member) << cell(joined.paper, metric.member);
        table.addRow(row);
    }
    return table;
}

void TradeoffView::setFig5(const latency::Fig5Curves& curves, double deadlineMs, int chosenRatio)
{
    curves_ = curves;
    deadlineMs_ = deadlineMs;
    chosenRatio_ = chosenRatio;
    plot_->clearGraphs();
    plot_->clearItems();
    const QVector<double> rates(curves.ratesMbps.begin(), curves.ratesMbps.end());
    auto addCurve = [&](const QString& name, const std::vector<double>& values, QPen pen) {
        QCPGraph* graph = plot_->addGraph();
        graph->setName(name);
        graph->setPen(pen);
        graph->setData(rates, QVector<double>(values.begin(), values.end()), true);
        return graph;
    };
    for (size_t i = 0; i < curves.ratios.size() && i < curves.aecnnMs.size(); ++i) {
        const int ratio = curves.ratios[i];
        const bool chosen = ratio == chosenRatio;
        QPen pen(curveColor(static_cast<int>(i)), chosen ? 3.0 : 1.2);
        const QString name = ratio == 1 ? tr("AECNN 1x (uncompressed)") : tr("AECNN V=%1").arg(ratio);
        QCPGraph* graph = addCurve(chosen ? name + tr(" (chosen)") : name, curves.aecnnMs[i], pen);
        if (chosen)
            graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 5));
    }
    if (!curves.localMs.empty())
        addCurve(tr("local computing"), curves.localMs, QPen(Qt::black, 1.5, Qt::DashLine));
    for (size_t i = 0; i < curves.images.size() && i < curves.fullMs.size(); ++i)
        addCurve(tr("full offloading %1").arg(QString::fromStdString(curves.images[i].label())), curves.fullMs[i],
                 QPen(QColor::fromHsv(0, 0, 40 + 40 * static_cast<int>(i)), 1.2, Qt::DotLine));
    plot_->rescaleAxes();
    if (deadlineMs > 0) {
        auto* line = new QCPItemStraightLine(plot_);
        line->setPen(QPen(Qt::red, 1.5, Qt::DashDotLine));
        line->point1->setCoords(1.0, deadlineMs);
        line->point2->setCoords(2.0, deadlineMs);
        auto* label = new QCPItemText(plot_);
        label->setText(tr("deadline %1 ms").arg(deadlineMs));
        label->setColor(Qt::red);
        label->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
        label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        label->position->setTypeY(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(0.98, deadlineMs);
        const QCPRange range = plot_->yAxis->range();
        plot_->yAxis->setRange(std::min(range.lower, deadlineMs * 0.8), std::max(range.upper, deadlineMs * 1.25));
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

CsvTable TradeoffView::fig5Table() const
{
    CsvTable table;
    table.columns << QStringLiteral("rate (Mbps)");
    for (int ratio : curves_.ratios)
        table.columns << QStringLiteral("aecnn_v%1 (ms)").arg(ratio);
    table.columns << QStringLiteral("local (ms)");
    for (const auto& image : curves_.images)
        table.columns << QStringLiteral("full_%1 (ms)").arg(QString::fromStdString(image.label()));
    table.extraComments << QStringLiteral("split: %1").arg(curves_.split)
                        << QStringLiteral("deadline_ms: %1").arg(csvNumber(deadlineMs_))
                        << QStringLiteral("chosen_V: %1").arg(chosenRatio_);
    for (size_t r = 0; r < curves_.ratesMbps.size(); ++r) {
        QStringList row{csvNumber(curves_.ratesMbps[r])};
        for (const auto& curve : curves_.aecnnMs)
            row << csvNumber(curve.at(r));
        row << (r < curves_.localMs.size() ? csvNumber(curves_.localMs[r]) : QString());
        for (const auto& curve : curves_.fullMs)
            row << csvNumber(curve.at(r));
        table.addRow(row);
    }
    return table;
}

bool TradeoffView::exportFig5Csv(const QString& path, QString* error) const
{
    return writeCsv(path, fig5Table(), exportContext(), error);
}

} // namespace aecnn::widgets
