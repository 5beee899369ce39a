#pragma once

#include <vector>

#include "aecnn/widgets/plot_view.h"

class QCustomPlot;
class QComboBox;
class QLabel;

namespace aecnn::widgets {

// Fig. 4 input: per-channel attention of sampled batches and of the whole data set.
struct AttentionData {
    int split = 1;
    long long samples = 0;                       // images in the data-set mean
    std::vector<double> datasetMean;             // Eq. 8, per channel
    std::vector<std::vector<double>> batchMeans; // per batch, per channel
    double spearmanMean = 0.0;                   // between batches
    double spearmanMin = 0.0;
    double spearmanToMean = 0.0;
    std::vector<int> topK;              // k values
    std::vector<double> topKOverlap;    // per k, averaged over batch pairs
};

class ChannelAttentionView : public PlotView {
    Q_OBJECT
public:
    enum class SortOrder { ByIndex, ByImportance };

    explicit ChannelAttentionView(QWidget* parent = nullptr);

    // Throws nothing; inconsistent data (batch length != channels) is shown as a message.
    void setData(const AttentionData& data);
    void setRatio(int ratio); // V: the C / V most important channels are highlighted
    void setSortOrder(SortOrder order);

    const AttentionData& data() const { return data_; }
    std::vector<int> highlightedChannels() const;
    std::vector<int> displayOrder() const; // channel shown at each x position
    QString summaryText() const;
    CsvTable table() const override;

protected:
    QCustomPlot* mainPlot() const override { return plot_; }

private:
    void rebuild();

    AttentionData data_;
    int ratio_ = 4;
    SortOrder order_ = SortOrder::ByIndex;
    QCustomPlot* plot_;
    QComboBox* sortBox_;
    QLabel* summary_;
};

} // namespace aecnn::widgets
