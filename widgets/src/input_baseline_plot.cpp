#include "aecnn/widgets/input_baseline_plot.h"

#include <QComboBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <algorithm>
#include <map>
#include <tuple>

#include "aecnn/widgets/qcustomplot_include.h"

namespace aecnn::widgets {
namespace {

QColor seriesColour(int index)
{
    static const QColor palette[] = {QColor(31, 119, 180), QColor(44, 160, 44), QColor(148, 103, 189),
                                     QColor(140, 86, 75), QColor(227, 119, 194), QColor(23, 190, 207)};
    return palette[index % 6];
}

QString bytesText(double bytes)
{
    return QString::number(bytes, 'f', bytes < 100 ? 1 : 0);
}

} // namespace

InputBaselinePlot::InputBaselinePlot(QWidget* parent)
    : QWidget(parent), source_(new QComboBox(this)), plot_(new QCustomPlot(this)), origin_(new QLabel(this))
{
    source_->setObjectName(QStringLiteral("inputBaselineSource"));
    source_->setToolTip(tr("which measured set to show: the input image and AECNN's frames at that scale"));
    source_->setVisible(false);
    connect(source_, &QComboBox::activated, this, &InputBaselinePlot::sourceRequested);
    plot_->setObjectName(QStringLiteral("inputBaselinePlot"));
    origin_->setObjectName(QStringLiteral("inputBaselineOrigin"));
    origin_->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(source_, 0, Qt::AlignLeft);
    layout->addWidget(plot_, 1);
    layout->addWidget(origin_);
    plot_->setMinimumHeight(260);
    plot_->legend->setVisible(true);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.8);
    plot_->legend->setFont(legendFont);
    plot_->legend->setBrush(QColor(255, 255, 255, 200));
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    plot_->xAxis->setLabel(tr("bytes per frame on the wire (log)"));
    plot_->yAxis->setLabel(tr("top-1 accuracy (%)"));
    plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    setData({}, {}, tr("no input-codec baseline loaded"));
}

void InputBaselinePlot::setData(const std::vector<InputCodecPoint>& inputs, const std::vector<FrontierPoint>& aecnn,
                                const QString& origin)
{
    plot_->clearGraphs();
    plot_->clearItems();
    origin_->setText(origin);
    double minBytes = 1e300, maxBytes = 0, minAcc = 100, maxAcc = 0;
    auto extend = [&](double bytes, double accuracy) {
        minBytes = std::min(minBytes, bytes);
        maxBytes = std::max(maxBytes, bytes);
        minAcc = std::min(minAcc, accuracy);
        maxAcc = std::max(maxAcc, accuracy);
    };

    // AECNN: one series per (split, V, models), every measured coder / bit depth / framing a
    // point. Points of superseded model files (an earlier commit's) are left out: the trade-off
    // shown is the one of the models a user has.
    std::map<std::tuple<int, int, QString>, std::vector<const FrontierPoint*>> bySplit;
    for (const auto& p : aecnn)
        if (!p.superseded)
            bySplit[{p.split, p.ratio, p.models}].push_back(&p);
    int index = 0;
    for (auto& [key, points] : bySplit) {
        std::sort(points.begin(), points.end(), [](auto* a, auto* b) { return a->wireBytes < b->wireBytes; });
        QVector<double> x, y;
        for (const auto* p : points) {
            x << p->wireBytes;
            y << p->accuracy;
            extend(p->wireBytes, p->accuracy);
        }
        QCPGraph* graph = plot_->addGraph();
        const auto& [split, ratio, models] = key;
        graph->setName(models.isEmpty() ? tr("AECNN split %1, V=%2").arg(split).arg(ratio)
                                        : tr("AECNN split %1, V=%2 (%3)").arg(split).arg(ratio).arg(models));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, seriesColour(index++), 7));
        graph->setData(x, y, true);
    }

    // The input image itself: JPEGs as labelled points, lossless codecs as labelled lines.
    double unsplit = 0;
    QVector<double> jpegX, jpegY;
    for (const auto& input : inputs) {
        if (input.codec == QLatin1String("raw"))
            continue; // 8 bits per pixel: not a codec
        extend(input.meanBytes, input.accuracy);
        if (input.lossless)
            unsplit = std::max(unsplit, input.accuracy);
        QCPGraph* graph = plot_->addGraph();
        graph->setName(tr("input %1: %2 B").arg(input.label(), bytesText(input.meanBytes)));
        graph->setLineStyle(QCPGraph::lsNone);
        graph->setScatterStyle(input.lossless ? QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(Qt::black), Qt::white, 8)
                                              : QCPScatterStyle(QCPScatterStyle::ssTriangle, QPen(Qt::darkRed), QBrush(Qt::darkRed), 9));
        graph->setData(QVector<double>{input.meanBytes}, QVector<double>{input.accuracy}, true);
        auto* label = new QCPItemText(plot_);
        label->setObjectName(input.label());
        label->setText(input.label());
        label->setColor(input.lossless ? Qt::black : Qt::darkRed);
        if (input.lossless) {
            // Along its vertical line, left of it, so that close sizes do not overlap.
            label->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
            label->position->setCoords(input.meanBytes, 0.5);
            label->setRotation(-90);
            label->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
            label->setText(tr("input %1: %2 B").arg(input.label(), bytesText(input.meanBytes)));
        } else {
            label->position->setCoords(input.meanBytes, input.accuracy);
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->setPadding(QMargins(4, 0, 0, 2));
        }
        if (input.lossless) {
            auto* line = new QCPItemStraightLine(plot_);
            line->setObjectName(input.label());
            line->setPen(QPen(Qt::gray, 1.2, Qt::DashLine));
            line->point1->setCoords(input.meanBytes, 0.0);
            line->point2->setCoords(input.meanBytes, 1.0);
        }
    }
    if (unsplit > 0) {
        auto* line = new QCPItemStraightLine(plot_);
        line->setObjectName(tr("unsplit model"));
        line->setPen(QPen(Qt::darkGreen, 1.2, Qt::DotLine));
        line->point1->setCoords(1.0, unsplit);
        line->point2->setCoords(2.0, unsplit);
        auto* label = new QCPItemText(plot_);
        label->setObjectName(tr("unsplit model"));
        label->setText(tr("unsplit model %1 %").arg(unsplit, 0, 'f', 2));
        label->setColor(Qt::darkGreen);
        label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
        label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
        label->position->setTypeY(QCPItemPosition::ptPlotCoords);
        label->position->setCoords(0.01, unsplit);
    }
    if (maxBytes > 0) {
        plot_->xAxis->setRange(minBytes / 1.5, maxBytes * 1.5);
        plot_->yAxis->setRange(std::max(0.0, minAcc - 3.0), std::min(100.0, maxAcc + 2.0));
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void InputBaselinePlot::setSources(const QStringList& names, int current)
{
    const QSignalBlocker blocker(source_); // showing a choice is not a request
    source_->clear();
    source_->addItems(names);
    source_->setCurrentIndex(current);
    source_->setVisible(names.size() > 1);
}

void InputBaselinePlot::setCurrentSource(int index)
{
    const QSignalBlocker blocker(source_);
    source_->setCurrentIndex(index);
}

int InputBaselinePlot::currentSource() const
{
    return source_->currentIndex();
}

QStringList InputBaselinePlot::seriesNames() const
{
    QStringList names;
    for (int i = 0; i < plot_->graphCount(); ++i)
        names << plot_->graph(i)->name();
    return names;
}

QVector<QPointF> InputBaselinePlot::seriesPoints(const QString& name) const
{
    QVector<QPointF> points;
    for (int i = 0; i < plot_->graphCount(); ++i)
        if (plot_->graph(i)->name() == name)
            for (auto it = plot_->graph(i)->data()->constBegin(); it != plot_->graph(i)->data()->constEnd(); ++it)
                points << QPointF(it->key, it->value);
    return points;
}

QStringList InputBaselinePlot::referenceLabels() const
{
    QStringList labels;
    for (int i = 0; i < plot_->itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(plot_->item(i)))
            labels << text->text();
    return labels;
}

} // namespace aecnn::widgets
