#include "aecnn/widgets/device_view.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <algorithm>

#include "aecnn/widgets/heat_map.h"
#include "aecnn/widgets/qcustomplot_include.h"

namespace aecnn::widgets {

DeviceView::DeviceView(QWidget* parent)
    : PlotView(parent), status_(new QLabel(this)), input_(new QLabel(this)), inputCaption_(new QLabel(this)),
      prediction_(new QLabel(this)), received_(new HeatMapWidget(this)), recovered_(new HeatMapWidget(this)),
      attentionPlot_(new QCustomPlot(this))
{
    status_->setWordWrap(true);
    input_->setObjectName(QStringLiteral("deviceInput"));
    input_->setMinimumSize(kInputSize, kInputSize);
    input_->setAlignment(Qt::AlignCenter);
    inputCaption_->setWordWrap(true);
    inputCaption_->setMaximumWidth(kInputSize + 40);
    prediction_->setObjectName(QStringLiteral("devicePrediction"));
    prediction_->setTextFormat(Qt::RichText);
    QFont big = prediction_->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    prediction_->setFont(big);
    received_->setObjectName(QStringLiteral("receivedMap"));
    recovered_->setObjectName(QStringLiteral("recoveredMap"));
    attentionPlot_->setObjectName(QStringLiteral("keptAttention"));
    attentionPlot_->setMinimumHeight(150);
    attentionPlot_->setMaximumHeight(230);
    attentionPlot_->xAxis->setLabel(tr("transmitted channel (index in X_l)"));
    attentionPlot_->yAxis->setLabel(tr("attention"));

    auto* left = new QVBoxLayout;
    left->addWidget(new QLabel(tr("<b>Input image</b>"), this));
    left->addWidget(input_);
    left->addWidget(inputCaption_);
    left->addWidget(prediction_);
    left->addStretch(1);
    auto* grid = new QGridLayout(this);
    grid->addWidget(status_, 0, 0, 1, 3);
    grid->addLayout(left, 1, 0, 2, 1);
    grid->addWidget(received_, 1, 1);
    grid->addWidget(recovered_, 1, 2);
    grid->addWidget(attentionPlot_, 2, 1, 1, 2);
    grid->setColumnStretch(1, 2);
    grid->setColumnStretch(2, 3);
    grid->setRowStretch(1, 1);
    grid->setRowStretch(2, 0);
    setFrame({});
}

QString DeviceView::className(int index) const
{
    if (index < 0)
        return tr("unknown");
    if (index < frame_.classNames.size() && !frame_.classNames[index].isEmpty())
        return QStringLiteral("%1 (%2)").arg(frame_.classNames[index]).arg(index);
    return QString::number(index);
}

QString DeviceView::predictionText() const
{
    if (frame_.sequence < 0)
        return {};
    QString verdict;
    if (frame_.label >= 0 && frame_.predicted >= 0)
        verdict = frame_.label == frame_.predicted ? tr("correct") : tr("wrong");
    return tr("prediction: %1\nground truth: %2%3")
        .arg(frame_.predicted >= 0 ? className(frame_.predicted) : tr("none"), className(frame_.label),
             verdict.isEmpty() ? QString() : QStringLiteral("\n") + verdict);
}

QString DeviceView::inputCaptionText() const
{
    return inputCaption_->text();
}

void DeviceView::setFrame(const DeviceFrame& frame)
{
    frame_ = frame;
    if (frame.sequence < 0) {
        status_->setText(tr("No frame yet: connect an agent and stream (AECNN or BottleNet++ mode) to see what the "
                            "device sent."));
        input_->setPixmap({});
        input_->setText(tr("no image"));
        inputCaption_->clear();
        prediction_->clear();
        received_->clear();
        recovered_->clear();
        received_->setTitle(tr("received channels"));
        recovered_->setTitle(tr("rebuilt on the edge (FR or decoder)"));
        attentionPlot_->clearPlottables();
        attentionPlot_->replot(QCustomPlot::rpQueuedReplot);
        scaledInput_ = QImage();
        return;
    }
    const FeatureFrame& f = frame.features;
    status_->setText(tr("Frame %1: %2 of %3 channels of %4x%5 travelled").arg(frame.sequence)
                         .arg(f.keptChannels.size()).arg(f.channels).arg(f.height).arg(f.width));

    // Input: an integer nearest-neighbour factor, so each pixel stays a square.
    if (frame.input.isNull()) {
        scaledInput_ = QImage();
        input_->setPixmap({});
        input_->setText(tr("no image"));
    } else {
        const int factor = std::max(1, kInputSize / std::max(frame.input.width(), frame.input.height()));
        scaledInput_ = frame.input.scaled(frame.input.size() * factor, Qt::KeepAspectRatio, Qt::FastTransformation);
        input_->setPixmap(QPixmap::fromImage(scaledInput_));
    }
    inputCaption_->setText(frame.inputCaption);
    const bool known = frame.label >= 0 && frame.predicted >= 0;
    const QString colour = !known ? QStringLiteral("#444") : frame.label == frame.predicted ? QStringLiteral("#1a7f37")
                                                                                          : QStringLiteral("#c62828");
    prediction_->setText(QStringLiteral("<span style='color:%1'>%2</span>")
                             .arg(colour, predictionText().toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>"))));

    const QString problem = f.validate();
    if (!problem.isEmpty()) {
        received_->clear();
        recovered_->clear();
        status_->setText(status_->text() + QStringLiteral(" - ") + tr("cannot show the features: %1").arg(problem));
    } else {
        HeatMapTiles kept;
        kept.count = static_cast<int>(f.keptChannels.size());
        kept.height = f.height;
        kept.width = f.width;
        kept.values = f.received;
        for (int c : f.keptChannels)
            kept.labels.push_back(QString::number(c));
        received_->setTitle(tr("received: %1 channels (label: index in X_l)").arg(kept.count));
        received_->setTiles(kept);
        const bool decoder = frame.rebuiltBy == DeviceFrame::Rebuilt::Decoder;
        if (f.recovered.empty()) {
            recovered_->setTitle(decoder ? tr("BottleNet++ decoder output: not available")
                                         : tr("after feature recovery: not available for this mode"));
            recovered_->clear();
        } else {
            HeatMapTiles all;
            all.count = f.channels;
            all.height = f.height;
            all.width = f.width;
            all.values = f.recovered;
            recovered_->setTitle(decoder ? tr("BottleNet++ decoder output: all %1 channels").arg(f.channels)
                                         : tr("FR-recovered: all %1 channels").arg(f.channels));
            recovered_->setTiles(all);
        }
    }

    attentionPlot_->clearPlottables();
    if (frame.keptAttention.size() == f.keptChannels.size() && !f.keptChannels.empty()) {
        auto* bars = new QCPBars(attentionPlot_->xAxis, attentionPlot_->yAxis);
        bars->setName(frame.attentionCaption);
        bars->setBrush(QColor(214, 39, 40));
        bars->setPen(Qt::NoPen);
        bars->setWidth(0.7);
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (size_t i = 0; i < f.keptChannels.size(); ++i) {
            bars->addData(static_cast<double>(i), frame.keptAttention[i]);
            ticker->addTick(static_cast<double>(i), QString::number(f.keptChannels[i]));
        }
        attentionPlot_->xAxis->setTicker(ticker);
        attentionPlot_->rescaleAxes();
        attentionPlot_->xAxis->setRange(-0.6, static_cast<double>(f.keptChannels.size()) - 0.4);
        attentionPlot_->yAxis->setRangeLower(0);
        attentionPlot_->plotLayout()->setAutoMargins(QCP::msAll);
        attentionPlot_->yAxis->setLabel(tr("attention"));
        attentionPlot_->xAxis->setLabel(tr("transmitted channel (index in X_l); %1")
                                            .arg(frame.attentionCaption.isEmpty() ? tr("attention") : frame.attentionCaption));
    } else {
        attentionPlot_->yAxis->setLabel(tr("attention"));
        attentionPlot_->xAxis->setLabel(tr("attention of the transmitted channels: compute channel attention (Fig. 4)"));
    }
    attentionPlot_->replot(QCustomPlot::rpQueuedReplot);
}

CsvTable DeviceView::table() const
{
    CsvTable table;
    table.columns = QStringList{QStringLiteral("channel"), QStringLiteral("attention"),
                                QStringLiteral("received_mean (activation)")};
    table.extraComments << QStringLiteral("sequence: %1").arg(frame_.sequence)
                        << QStringLiteral("label: %1").arg(frame_.label)
                        << QStringLiteral("predicted: %1").arg(frame_.predicted)
                        << QStringLiteral("input: %1").arg(frame_.inputCaption)
                        << QStringLiteral("attention: %1").arg(frame_.attentionCaption);
    const FeatureFrame& f = frame_.features;
    const size_t plane = static_cast<size_t>(std::max(0, f.height)) * std::max(0, f.width);
    for (size_t i = 0; i < f.keptChannels.size(); ++i) {
        double sum = 0.0;
        for (size_t k = 0; k < plane && (i + 1) * plane <= f.received.size(); ++k)
            sum += f.received[i * plane + k];
        table.addRow({QString::number(f.keptChannels[i]),
                      i < frame_.keptAttention.size() ? csvNumber(frame_.keptAttention[i]) : QString(),
                      plane ? csvNumber(sum / static_cast<double>(plane)) : QString()});
    }
    return table;
}

} // namespace aecnn::widgets
