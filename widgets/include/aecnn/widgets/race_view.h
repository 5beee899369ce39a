#pragma once

#include <QTimer>
#include <vector>

#include "aecnn/widgets/plot_view.h"
#include "aecnn/widgets/race_stats.h"

class QCustomPlot;
class QLabel;
class QTableWidget;
class QVBoxLayout;

namespace aecnn::widgets {

// The race: the same frames through several modes at once. Live plots per racer
// (running accuracy, bytes per frame, measured and predicted completion time), a
// summary row per mode, and the capture size full offloading sends, on screen.
// Samples may come at any rate; plots and summary are redrawn at most every 100 ms.
class RaceView : public PlotView {
    Q_OBJECT
public:
    static constexpr int kRefreshMs = 100;

    explicit RaceView(QWidget* parent = nullptr);

    // Starts a new race: clears plots and summary.
    void setRacers(const std::vector<Racer>& racers);
    void addSample(const RaceSample& sample);
    void refresh(); // redraws now (the timer does it otherwise)
    // A line under the plots (what is racing, how it ended).
    void setStatus(const QString& text);

    const RaceStats& stats() const { return stats_; }
    std::vector<RaceSummaryRow> summary() const { return stats_.summary(); }
    QTableWidget* summaryTable() const { return summaryTable_; } // as shown
    QCustomPlot* accuracyPlot() const { return accuracy_; }
    QCustomPlot* bytesPlot() const { return bytes_; }
    QCustomPlot* timePlot() const { return time_; }
    QString captureText() const;
    QString statusText() const;

    // The summary, one row per mode (raceSummaryColumns()).
    CsvTable table() const override;
    // How a summary value is shown (and written): fixed decimals per column.
    static QString formatSummary(const RaceSummaryRow& row, int column);

protected:
    QCustomPlot* mainPlot() const override { return time_; }

private:
    void rebuildGraphs();
    void redraw();

    RaceStats stats_;
    std::vector<size_t> drawn_; // samples already in the graphs, per racer
    QLabel* status_;
    QLabel* capture_;
    QCustomPlot* accuracy_;
    QCustomPlot* bytes_;
    QCustomPlot* time_;
    QTableWidget* summaryTable_;
    QTimer refreshTimer_;
    bool dirty_ = false;
};

} // namespace aecnn::widgets
