#pragma once

#include <cstdint>
#include <vector>

#include <QString>

#include "aecnn/widgets/plot_view.h"

class QCustomPlot;
class QLabel;

namespace aecnn::widgets {

// Bits of one transmitted tensor (filled from aecnn::codec::SymbolStats / CodingStats).
struct EntropyData {
    std::vector<int> channels;          // original index of each transmitted channel
    std::vector<double> h0Bits;         // order-0 entropy per channel, bits/element
    std::vector<double> codedBits;      // coded bits/element per channel; empty when the coder does not report it
    QString coder;                      // the codec in use, named in the legend (e.g. "uint4+context")
    double overallH0Bits = 0.0;
    double overallCodedBits = 0.0;
    std::vector<uint64_t> histogram;    // symbol or value counts
    double histogramMin = 0.0;          // value of the first bin's left edge
    double histogramMax = 0.0;          // value of the last bin's right edge
    double zeroFraction = 0.0;          // 0..1
    double bytesPerFrame = 0.0;
    double compressionRatio = 0.0;      // unpruned float32 bits / coded bits
};

class EntropyView : public PlotView {
    Q_OBJECT
public:
    explicit EntropyView(QWidget* parent = nullptr);

    void setData(const EntropyData& data);
    const EntropyData& data() const { return data_; }
    QString summaryText() const;
    CsvTable table() const override;

protected:
    QCustomPlot* mainPlot() const override { return channelPlot_; }

private:
    EntropyData data_;
    QCustomPlot* channelPlot_;
    QCustomPlot* histogramPlot_;
    QLabel* summary_;
};

} // namespace aecnn::widgets
