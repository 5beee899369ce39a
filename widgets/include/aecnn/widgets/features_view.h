#pragma once

#include <QImage>
#include <vector>

#include "aecnn/widgets/plot_view.h"

class QLabel;

namespace aecnn::widgets {

// One frame's feature tensors at the split point, row-major float buffers.
struct FeatureFrame {
    int channels = 0; // C of the unpruned tensor
    int height = 0;
    int width = 0;
    std::vector<int> keptChannels;  // ascending original indices
    std::vector<float> received;    // kept x H x W, after decoding
    std::vector<float> recovered;   // C x H x W, after feature recovery (FR); empty = not available
    std::vector<float> unpruned;    // C x H x W, the head's output without pruning; empty for live frames
    bool recoveredByDecoder = false; // `recovered` is BottleNet++'s decoder output, not FR's

    // Empty when consistent, else what is wrong.
    QString validate() const;
};

// Tiles `count` channels of h x w into a grid; each channel scaled to its own min..max.
QImage channelMosaic(const std::vector<float>& values, int count, int height, int width, int columns);

class FeaturesView : public PlotView {
    Q_OBJECT
public:
    explicit FeaturesView(QWidget* parent = nullptr);

    void setFrame(const FeatureFrame& frame);
    const FeatureFrame& frame() const { return frame_; }
    QImage receivedImage() const { return received_; }
    QImage recoveredImage() const { return recovered_; }
    QImage unprunedImage() const { return unpruned_; }
    QString recoveredTitle() const; // names what rebuilt the C x H x W map (FR or BottleNet++'s decoder)
    QImage composite() const; // the three mosaics side by side

    CsvTable table() const override; // per channel: kept, means and FR error
    bool exportPlot(const QString& path, QString* error = nullptr) const override;

protected:
    QCustomPlot* mainPlot() const override { return nullptr; }

private:
    FeatureFrame frame_;
    QImage received_;
    QImage recovered_;
    QImage unpruned_;
    QLabel* status_;
    QLabel* receivedLabel_;
    QLabel* recoveredLabel_;
    QLabel* recoveredTitle_ = nullptr;
    QLabel* unprunedLabel_;
};

} // namespace aecnn::widgets
