#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace aecnn::studio {

class SweepController;

// The "sweep" tab: one Algorithm 1 sweep folder (`aecnn sweep plan --out DIR`), a table of
// its tasks with their state (the folder's, Slurm's where submitted), the counts, the log of
// the selected task, and the actions of SweepController (run here, retry failed, collect)
// with their output.
class SweepPanel : public QWidget {
    Q_OBJECT
public:
    explicit SweepPanel(QWidget* parent = nullptr);
    SweepController* controller() const { return controller_; }
    void setFolder(const QString& dir);

private:
    void showStatus();
    void showSelectedLog();
    void act(bool (SweepController::*action)(int, QString*));

    SweepController* controller_;
    QLineEdit* folder_;
    QLabel* counts_;
    QTableWidget* table_;
    QPlainTextEdit* log_;
    QPlainTextEdit* output_;
    QSpinBox* jobs_;
    QPushButton* run_;
    QPushButton* retry_;
    QPushButton* collect_;
    QPushButton* stop_;
};

} // namespace aecnn::studio
