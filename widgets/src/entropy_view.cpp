#include "aecnn/widgets/entropy_view.h"

#include <QLabel>
#include <QVBoxLayout>
#include "aecnn/widgets/qcustomplot_include.h"

namespace aecnn::widgets {

EntropyView::EntropyView(QWidget* parent)
    : PlotView(parent), channelPlot_(new QCustomPlot(this)), histogramPlot_(new QCustomPlot(this)),
      summary_(new QLabel(this))
{
    summary_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(summary_);
    layout->addWidget(channelPlot_, 3);
    layout->addWidget(histogramPlot_, 2);
    channelPlot_->legend->setVisible(true);
    channelPlot_->xAxis->setLabel(tr("transmitted channel (position)"));
    channelPlot_->yAxis->setLabel(tr("bits per element"));
    histogramPlot_->xAxis->setLabel(tr("value"));
    histogramPlot_->yAxis->setLabel(tr("count"));
    setData({});
}

QString EntropyView::summaryText() const
{
    if (data_.h0Bits.empty())
        return tr("No frame statistics yet.");
    return tr("%1 channels   H0: %2 bits/element   coded: %3 bits/element   zeros: %4 %   %5 bytes/frame   "
              "compression ratio: %6x")
        .arg(data_.h0Bits.size())
        .arg(data_.overallH0Bits, 0, 'f', 3)
        .arg(data_.overallCodedBits, 0, 'f', 3)
        .arg(100.0 * data_.zeroFraction, 0, 'f', 1)
        .arg(data_.bytesPerFrame, 0, 'f', 0)
        .arg(data_.compressionRatio, 0, 'f', 1);
}

void EntropyView::setData(const EntropyData& data)
{
    data_ = data;
    summary_->setText(summaryText());
    channelPlot_->clearPlottables();
    histogramPlot_->clearPlottables();

    auto* h0 = new QCPBars(channelPlot_->xAxis, channelPlot_->yAxis);
    h0->setName(tr("H0 (order-0 entropy)"));
    h0->setBrush(QColor(31, 119, 180));
    h0->setPen(Qt::NoPen);
    h0->setWidth(0.4);
    for (size_t i = 0; i < data_.h0Bits.size(); ++i)
        h0->addData(static_cast<double>(i) - 0.2, data_.h0Bits[i]);
    if (data_.codedBits.size() == data_.h0Bits.size()) {
        auto* coded = new QCPBars(channelPlot_->xAxis, channelPlot_->yAxis);
        coded->setName(data_.coder.isEmpty() ? tr("coded") : tr("coded with %1").arg(data_.coder));
        coded->setBrush(QColor(255, 127, 14));
        coded->setPen(Qt::NoPen);
        coded->setWidth(0.4);
        for (size_t i = 0; i < data_.codedBits.size(); ++i)
            coded->addData(static_cast<double>(i) + 0.2, data_.codedBits[i]);
    }
    channelPlot_->rescaleAxes();
    channelPlot_->xAxis->setRange(-1, std::max<double>(1.0, static_cast<double>(data_.h0Bits.size())));
    channelPlot_->yAxis->setRangeLower(0);

    auto* histogram = new QCPBars(histogramPlot_->xAxis, histogramPlot_->yAxis);
    histogram->setName(tr("values"));
    histogram->setBrush(QColor(90, 90, 90));
    histogram->setPen(Qt::NoPen);
    const size_t bins = data_.histogram.size();
    if (bins > 0) {
        const double width = (data_.histogramMax - data_.histogramMin) / static_cast<double>(bins);
        histogram->setWidth(width > 0 ? width : 1.0);
        for (size_t i = 0; i < bins; ++i)
            histogram->addData(data_.histogramMin + (static_cast<double>(i) + 0.5) * (width > 0 ? width : 1.0),
                               static_cast<double>(data_.histogram[i]));
    }
    histogramPlot_->rescaleAxes();
    histogramPlot_->yAxis->setRangeLower(0);
    channelPlot_->replot(QCustomPlot::rpQueuedReplot);
    histogramPlot_->replot(QCustomPlot::rpQueuedReplot);
}

CsvTable EntropyView::table() const
{
    CsvTable table;
    table.columns = QStringList{QStringLiteral("channel"), QStringLiteral("h0 (bits/element)"),
                                QStringLiteral("coded (bits/element)")};
    table.extraComments << QStringLiteral("overall_h0_bits_per_element: %1").arg(csvNumber(data_.overallH0Bits))
                        << QStringLiteral("overall_coded_bits_per_element: %1").arg(csvNumber(data_.overallCodedBits))
                        << QStringLiteral("zero_fraction: %1").arg(csvNumber(data_.zeroFraction))
                        << QStringLiteral("bytes_per_frame: %1").arg(csvNumber(data_.bytesPerFrame))
                        << QStringLiteral("compression_ratio: %1").arg(csvNumber(data_.compressionRatio));
    for (size_t i = 0; i < data_.h0Bits.size(); ++i) {
        const int channel = i < data_.channels.size() ? data_.channels[i] : static_cast<int>(i);
        const QString coded = i < data_.codedBits.size() ? csvNumber(data_.codedBits[i]) : QString();
        table.addRow({QString::number(channel), csvNumber(data_.h0Bits[i]), coded});
    }
    table.addRow({QStringLiteral("overall"), csvNumber(data_.overallH0Bits), csvNumber(data_.overallCodedBits)});
    return table;
}

} // namespace aecnn::widgets
