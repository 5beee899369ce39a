#pragma once

#include <QImage>
#include <QStringList>
#include <vector>

#include "aecnn/widgets/features_view.h"
#include "aecnn/widgets/plot_view.h"

class QCustomPlot;
class QLabel;

namespace aecnn::widgets {

class HeatMapWidget;

// One frame from the device's side and what the edge made of it (plain values).
struct DeviceFrame {
    long long sequence = -1;
    QImage input;          // the input image (grayscale or RGB); null = not available
    QString inputCaption;  // where `input` comes from, said honestly
    int label = -1;        // ground truth, -1 = unknown (camera)
    int predicted = -1;    // the edge's prediction, -1 = none
    QStringList classNames; // class index -> name; empty = show numbers
    FeatureFrame features; // received (kept channels) and X_l rebuilt on the edge (all channels)
    // What rebuilt X_l from the received channels: AECNN's feature recovery (FR), or
    // BottleNet++'s decoder (features.recovered is then the decoder's output).
    enum class Rebuilt { FeatureRecovery, Decoder };
    Rebuilt rebuiltBy = Rebuilt::FeatureRecovery;
    std::vector<double> keptAttention; // per kept channel, in features.keptChannels order; empty = unknown
    QString attentionCaption;
};

// Device view: the input image (nearest-neighbour scaled), the prediction and the
// ground truth, the received channels and X_l as the edge rebuilt it (FR-recovered, or
// BottleNet++'s decoder output) as heat maps with
// colour bars, and the attention of the transmitted channels as bars.
class DeviceView : public PlotView {
    Q_OBJECT
public:
    static constexpr int kInputSize = 224; // the input image is scaled up to about this many pixels

    explicit DeviceView(QWidget* parent = nullptr);

    void setFrame(const DeviceFrame& frame);
    const DeviceFrame& frame() const { return frame_; }
    QString className(int index) const;

    QString predictionText() const;
    QString inputCaptionText() const;
    QImage inputImage() const { return scaledInput_; } // as drawn
    HeatMapWidget* receivedMap() const { return received_; }
    HeatMapWidget* recoveredMap() const { return recovered_; }
    QCustomPlot* attentionPlot() const { return attentionPlot_; }

    CsvTable table() const override; // per transmitted channel: attention and received mean

protected:
    QCustomPlot* mainPlot() const override { return attentionPlot_; }

private:
    DeviceFrame frame_;
    QImage scaledInput_;
    QLabel* status_;
    QLabel* input_;
    QLabel* inputCaption_;
    QLabel* prediction_;
    HeatMapWidget* received_;
    HeatMapWidget* recovered_;
    QCustomPlot* attentionPlot_;
};

} // namespace aecnn::widgets
