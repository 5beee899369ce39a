#pragma once

#include <vector>

#include "aecnn/latency/latency_model.h"
#include "aecnn/widgets/plot_view.h"
#include "aecnn/widgets/table1_rows.h"

class QCustomPlot;
class QTableWidget;

namespace aecnn::widgets {

// Table I (ours next to the paper's) and Fig. 5 (completion time vs data rate).
class TradeoffView : public PlotView {
    Q_OBJECT
public:
    explicit TradeoffView(QWidget* parent = nullptr);

    void setTable1(const std::vector<Table1Row>& ours, const std::vector<Table1Row>& paper);
    // Curves from aecnn::latency::fig5Curves; deadline <= 0 hides the line; chosenRatio 0 = none.
    void setFig5(const latency::Fig5Curves& curves, double deadlineMs, int chosenRatio);

    const latency::Fig5Curves& fig5() const { return curves_; }
    int tableRowCount() const;
    CsvTable table() const override; // Table I, ours and paper side by side
    CsvTable fig5Table() const;
    bool exportFig5Csv(const QString& path, QString* error = nullptr) const;

protected:
    QCustomPlot* mainPlot() const override { return plot_; }

private:
    std::vector<Table1Row> ours_;
    std::vector<Table1Row> paper_;
    latency::Fig5Curves curves_;
    double deadlineMs_ = 0.0;
    int chosenRatio_ = 0;
    QTableWidget* tableWidget_;
    QCustomPlot* plot_;
};

} // namespace aecnn::widgets
