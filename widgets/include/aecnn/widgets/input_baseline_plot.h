#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <vector>

#include "aecnn/widgets/input_codec_baseline.h"

class QCustomPlot;
class QLabel;

namespace aecnn::widgets {

// Issue 15's input-codec baseline: bytes per frame (log x) against accuracy (y) of AECNN's
// measured frontier points (one series per split and V) next to the input image itself sent
// as PNG / lossless WebP / JPEG q50..90. The lossless codecs are labelled vertical reference
// lines (any AECNN point left of one sends fewer bytes than that input), the JPEGs labelled
// points at the unsplit model's accuracy on the decoded images, and the unsplit model's
// accuracy a horizontal reference line.
class InputBaselinePlot : public QWidget {
    Q_OBJECT
public:
    explicit InputBaselinePlot(QWidget* parent = nullptr);

    // `origin`: where the numbers come from (shown under the plot).
    void setData(const std::vector<InputCodecPoint>& inputs, const std::vector<FrontierPoint>& aecnn,
                 const QString& origin);

    // What is drawn, read back from the plot: series names, and the (bytes, accuracy) points of one.
    QStringList seriesNames() const;
    QVector<QPointF> seriesPoints(const QString& name) const;
    // Labelled reference lines: label -> position (vertical: bytes; horizontal: accuracy).
    QStringList referenceLabels() const;
    QCustomPlot* plot() const { return plot_; }

private:
    QCustomPlot* plot_;
    QLabel* origin_;
};

} // namespace aecnn::widgets
