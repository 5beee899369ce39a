#pragma once

#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <vector>

#include "aecnn/widgets/input_codec_baseline.h"

class QComboBox;
class QCustomPlot;
class QLabel;

namespace aecnn::widgets {

// Issue 15's input-codec baseline: bytes per frame (log x) against accuracy (y) of AECNN's
// measured frontier points (one series per split and V) next to the input image itself sent
// as PNG / lossless WebP / JPEG q50..90. The lossless codecs are labelled vertical reference
// lines (any AECNN point left of one sends fewer bytes than that input), the JPEGs labelled
// points at the unsplit model's accuracy on the decoded images, and the unsplit model's
// accuracy a horizontal reference line. A chooser above the plot picks which measured set is
// shown (e.g. Fashion-MNIST at 28 x 28 or the 224 x 224 repeat); the owner loads it on request.
class InputBaselinePlot : public QWidget {
    Q_OBJECT
public:
    explicit InputBaselinePlot(QWidget* parent = nullptr);

    // `origin`: where the numbers come from (shown under the plot).
    void setData(const std::vector<InputCodecPoint>& inputs, const std::vector<FrontierPoint>& aecnn,
                 const QString& origin);
    // The measured sets the chooser offers, and which one is shown (hidden with fewer than two).
    void setSources(const QStringList& names, int current);
    void setCurrentSource(int index);
    int currentSource() const;

    // What is drawn, read back from the plot: series names, and the (bytes, accuracy) points of one.
    QStringList seriesNames() const;
    QVector<QPointF> seriesPoints(const QString& name) const;
    // Labelled reference lines: label -> position (vertical: bytes; horizontal: accuracy).
    QStringList referenceLabels() const;
    QCustomPlot* plot() const { return plot_; }

Q_SIGNALS:
    void sourceRequested(int index); // the user chose another measured set in the chooser

private:
    QComboBox* source_;
    QCustomPlot* plot_;
    QLabel* origin_;
};

} // namespace aecnn::widgets
