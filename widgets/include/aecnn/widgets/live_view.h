#pragma once

#include <vector>

#include "aecnn/widgets/live_stats.h"
#include "aecnn/widgets/plot_view.h"

class QCustomPlot;
class QLabel;
class QPushButton;
class QTimer;

namespace aecnn::widgets {

// Live stream: accuracy over frames and the per-frame time breakdown measured vs
// predicted. Samples are appended at any rate; the plots are redrawn at most
// every 40 ms (<= 25 Hz), coalescing everything that arrived in between.
class LiveView : public PlotView {
    Q_OBJECT
public:
    explicit LiveView(QWidget* parent = nullptr, int window = 50);

    void appendSample(const LiveSample& sample);
    void clear();
    // Where the predicted times come from, e.g. "latency model, Pi 4B profile"; shown in
    // the summary line, with `details` (where the profile came from) as its tooltip.
    void setPredictionSource(const QString& source, const QString& details = {});
    QString predictionSource() const { return predictionSource_; }
    QString predictionDetails() const { return predictionDetails_; }

    // "Record": every sample appended from now on goes to `path`.part at once
    // (flushed per row); stopRecording() renames it to `path`.
    bool startRecording(const QString& path, QString* error = nullptr);
    void stopRecording();
    bool isRecording() const { return recorder_.isRecording(); }
    long long recordedRows() const { return recorder_.rows(); }

    const LiveStats& stats() const { return stats_; }
    const std::vector<LiveSample>& history() const { return history_; }
    int replotCount() const { return replots_; }
    QString summaryText() const;
    CsvTable table() const override;

    static constexpr int kReplotIntervalMs = 40;
    static constexpr int kMaxHistory = 100000; // oldest frames are dropped beyond this

protected:
    QCustomPlot* mainPlot() const override { return timePlot_; }

Q_SIGNALS:
    void recordingChanged(bool recording, const QString& message);

private:
    void refresh();
    CsvTable header() const;
    QStringList row(const LiveSample& sample) const;

    LiveStats stats_;
    std::vector<LiveSample> history_;
    QCustomPlot* accuracyPlot_;
    QCustomPlot* timePlot_;
    QLabel* summary_;
    QTimer* replotTimer_;
    int replots_ = 0;
    QString predictionSource_ = QStringLiteral("latency model");
    QString predictionDetails_;
    CsvRecorder recorder_;
    QPushButton* recordButton_;
};

} // namespace aecnn::widgets
