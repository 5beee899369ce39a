#pragma once

#include <vector>

#include "aecnn/latency/latency_model.h"
#include "aecnn/widgets/plot_view.h"
#include "aecnn/widgets/table1_rows.h"

class QComboBox;
class QCustomPlot;
class QLabel;
class QTableWidget;
class QTabWidget;

namespace aecnn::widgets {

class InputBaselinePlot;

// Table I (ours next to the paper's), Fig. 5 (completion time vs data rate) from a chosen
// device profile, and the input-codec baseline (bytes per frame vs accuracy).
class TradeoffView : public PlotView {
    Q_OBJECT
public:
    // The profile Fig. 5 predicts with, as offered by the chooser above the plot.
    enum ProfileChoice { ConnectedDevice = 0, ProfileFile = 1, PaperPi4 = 2 };

    explicit TradeoffView(QWidget* parent = nullptr);

    // Where Fig. 5's numbers come from (always shown above the plot), and a warning shown
    // with it when they are not comparable with what was measured here (empty: none).
    void setProfileSource(const QString& label, const QString& warning);
    QString profileSourceText() const; // label and warning as shown
    // The chooser's state: the choice in effect and which sources exist now.
    void setProfileChoice(ProfileChoice choice, bool connectedAvailable, bool fileAvailable);
    ProfileChoice profileChoice() const;
    InputBaselinePlot* inputBaseline() const { return baseline_; }

    void setTable1(const std::vector<Table1Row>& ours, const std::vector<Table1Row>& paper);
    // Curves from aecnn::latency::fig5Curves; deadline <= 0 hides the line; chosenRatio 0 = none.
    void setFig5(const latency::Fig5Curves& curves, double deadlineMs, int chosenRatio);

    const latency::Fig5Curves& fig5() const { return curves_; }
    int tableRowCount() const;
    CsvTable table() const override; // Table I, ours and paper side by side
    CsvTable fig5Table() const;
    bool exportFig5Csv(const QString& path, QString* error = nullptr) const;

Q_SIGNALS:
    // The user picked a source in the chooser (ProfileFile: a file is to be chosen).
    void profileChoiceRequested(int choice);

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
    QComboBox* profileChooser_;
    QLabel* profileSource_;
    QTabWidget* plots_;
    InputBaselinePlot* baseline_;
};

} // namespace aecnn::widgets
