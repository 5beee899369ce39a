#include "aecnn/widgets/channel_attention_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>
#include "aecnn/widgets/qcustomplot_include.h"

#include "aecnn/widgets/channel_ranking.h"

namespace aecnn::widgets {
namespace {

bool consistent(const AttentionData& data)
{
    return std::all_of(data.batchMeans.begin(), data.batchMeans.end(),
                       [&](const std::vector<double>& batch) { return batch.size() == data.datasetMean.size(); });
}

QColor batchColor(int index)
{
    static const QColor palette[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                                     QColor(214, 39, 40), QColor(148, 103, 189), QColor(140, 86, 75)};
    QColor color = palette[index % 6];
    color.setAlpha(150);
    return color;
}

} // namespace

ChannelAttentionView::ChannelAttentionView(QWidget* parent)
    : PlotView(parent), plot_(new QCustomPlot(this)), sortBox_(new QComboBox(this)), summary_(new QLabel(this))
{
    sortBox_->addItem(tr("Sort by channel index"));
    sortBox_->addItem(tr("Sort by importance"));
    summary_->setWordWrap(true);
    summary_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* top = new QHBoxLayout;
    top->addWidget(sortBox_);
    top->addWidget(summary_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(plot_, 1);
    plot_->legend->setVisible(true);
    plot_->xAxis->setLabel(tr("channel"));
    plot_->yAxis->setLabel(tr("attention weight Q (0..1)"));
    connect(sortBox_, &QComboBox::currentIndexChanged, this, [this](int index) {
        setSortOrder(index == 1 ? SortOrder::ByImportance : SortOrder::ByIndex);
    });
    rebuild();
}

void ChannelAttentionView::setData(const AttentionData& data)
{
    data_ = data;
    rebuild();
}

void ChannelAttentionView::setRatio(int ratio)
{
    ratio_ = std::max(1, ratio);
    rebuild();
}

void ChannelAttentionView::setSortOrder(SortOrder order)
{
    order_ = order;
    const QSignalBlocker blocker(sortBox_);
    sortBox_->setCurrentIndex(order == SortOrder::ByImportance ? 1 : 0);
    rebuild();
}

std::vector<int> ChannelAttentionView::highlightedChannels() const
{
    const int channels = static_cast<int>(data_.datasetMean.size());
    return keptChannels(data_.datasetMean, std::max(1, channels / ratio_));
}

std::vector<int> ChannelAttentionView::displayOrder() const
{
    if (order_ == SortOrder::ByImportance)
        return rankByImportance(data_.datasetMean);
    std::vector<int> order(data_.datasetMean.size());
    std::iota(order.begin(), order.end(), 0);
    return order;
}

QString ChannelAttentionView::summaryText() const
{
    if (data_.datasetMean.empty())
        return tr("No attention data yet.");
    if (!consistent(data_))
        return tr("Inconsistent attention data: every batch needs %1 channels.").arg(data_.datasetMean.size());
    const int channels = static_cast<int>(data_.datasetMean.size());
    QString text = tr("Split %1: %2 channels, %3 batches, data-set mean over %4 images. Kept at V=%5: %6 channels. "
                      "Spearman between batches: mean %7, min %8; batch vs mean %9.")
                       .arg(data_.split)
                       .arg(channels)
                       .arg(data_.batchMeans.size())
                       .arg(data_.samples)
                       .arg(ratio_)
                       .arg(std::max(1, channels / ratio_))
                       .arg(data_.spearmanMean, 0, 'f', 3)
                       .arg(data_.spearmanMin, 0, 'f', 3)
                       .arg(data_.spearmanToMean, 0, 'f', 3);
    QStringList overlaps;
    for (size_t i = 0; i < data_.topK.size() && i < data_.topKOverlap.size(); ++i)
        overlaps << QStringLiteral("k=%1: %2").arg(data_.topK[i]).arg(data_.topKOverlap[i], 0, 'f', 2);
    if (!overlaps.isEmpty())
        text += tr(" Top-k overlap: %1.").arg(overlaps.join(QStringLiteral(", ")));
    return text;
}

void ChannelAttentionView::rebuild()
{
    plot_->clearGraphs();
    plot_->clearPlottables();
    summary_->setText(summaryText());
    if (data_.datasetMean.empty() || !consistent(data_)) {
        plot_->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const std::vector<int> order = displayOrder();
    QVector<double> x(static_cast<int>(order.size()));
    std::iota(x.begin(), x.end(), 0.0);
    auto column = [&](const std::vector<double>& values) {
        QVector<double> y;
        y.reserve(static_cast<int>(order.size()));
        for (int channel : order)
            y << values[channel];
        return y;
    };

    // Kept channels first, so the lines are drawn on top of the bars.
    const std::vector<int> kept = highlightedChannels();
    auto* bars = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars->setName(tr("kept at V=%1").arg(ratio_));
    bars->setPen(Qt::NoPen);
    bars->setBrush(QColor(255, 200, 0, 120));
    bars->setWidth(0.9);
    for (int position = 0; position < static_cast<int>(order.size()); ++position)
        if (std::binary_search(kept.begin(), kept.end(), order[position]))
            bars->addData(position, data_.datasetMean[order[position]]);

    for (size_t b = 0; b < data_.batchMeans.size(); ++b) {
        QCPGraph* graph = plot_->addGraph();
        graph->setName(tr("batch %1").arg(b + 1));
        graph->setPen(QPen(batchColor(static_cast<int>(b)), 1.0));
        graph->setData(x, column(data_.batchMeans[b]), true);
    }
    QCPGraph* mean = plot_->addGraph();
    mean->setName(tr("data-set mean"));
    mean->setPen(QPen(Qt::black, 2.0));
    mean->setData(x, column(data_.datasetMean), true);
    plot_->xAxis->setLabel(order_ == SortOrder::ByImportance ? tr("channel rank (most important first)")
                                                             : tr("channel index"));
    plot_->rescaleAxes();
    plot_->xAxis->setRange(-1, static_cast<double>(order.size()));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

CsvTable ChannelAttentionView::table() const
{
    CsvTable table;
    table.columns = QStringList{QStringLiteral("channel"), QStringLiteral("rank (1 = most important)"),
                                QStringLiteral("kept (0/1)"), QStringLiteral("dataset_mean_attention (0..1)")};
    for (size_t b = 0; b < data_.batchMeans.size(); ++b)
        table.columns << QStringLiteral("batch%1_attention (0..1)").arg(b + 1);
    table.extraComments << QStringLiteral("samples_in_mean: %1").arg(data_.samples)
                        << QStringLiteral("spearman_mean: %1").arg(csvNumber(data_.spearmanMean))
                        << QStringLiteral("spearman_min: %1").arg(csvNumber(data_.spearmanMin));
    if (!consistent(data_))
        return table;
    const std::vector<int> ranking = rankByImportance(data_.datasetMean);
    std::vector<int> rankOf(ranking.size());
    for (size_t r = 0; r < ranking.size(); ++r)
        rankOf[ranking[r]] = static_cast<int>(r) + 1;
    const std::vector<int> kept = highlightedChannels();
    for (size_t c = 0; c < data_.datasetMean.size(); ++c) {
        QStringList row{QString::number(c), QString::number(rankOf[c]),
                        std::binary_search(kept.begin(), kept.end(), static_cast<int>(c)) ? QStringLiteral("1")
                                                                                         : QStringLiteral("0"),
                        csvNumber(data_.datasetMean[c])};
        for (const auto& batch : data_.batchMeans)
            row << csvNumber(batch[c]);
        table.addRow(row);
    }
    return table;
}

} // namespace aecnn::widgets
