#pragma once

#include <QWidget>

#include "training_request.h"

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace aecnn::studio {

// "Train split models": the Algorithm 1 budget, whether the models of the chosen
// (split, V) are cached already, and the progress of a run (bar, stage, ETA,
// cancel). Only collects input and shows state: TrainingController runs it.
class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    // The (model, split, V) the next run trains; updates the cache line.
    void setTarget(const QString& model, int split, int ratio);
    void setDataset(const QString& dataset);
    void setBudget(const TrainingBudget& budget); // every field, also those without an input
    void setCacheRoot(const QString& root); // empty = the per-user cache
    TrainingBudget budget() const;
    TrainingRequest request() const;
    QString cacheText() const;
    bool isTraining() const { return training_; }

    void showStarted();
    void showProgress(const aecnn::studio::TrainingStatus& status);
    void showFinished(const aecnn::studio::TrainingOutcome& outcome);
    void showStopped(const QString& message); // failed or cancelled

Q_SIGNALS:
    void trainRequested(const aecnn::studio::TrainingRequest& request);
    void cancelRequested();

private:
    void refreshCache();
    void setTraining(bool training);

    QString model_ = QStringLiteral("default");
    int split_ = 1;
    int ratio_ = 4;
    QString cacheRoot_;
    TrainingBudget hidden_; // the budget fields without an input (batch size, limits, threads)
    bool training_ = false;
    QLineEdit* dataset_;
    QDoubleSpinBox* epochsCa_;
    QDoubleSpinBox* epochsFinetune_;
    QDoubleSpinBox* epochsFr_;
    QSpinBox* trainLimit_;
    QCheckBox* bottleNet_;
    QLabel* cache_;
    QPushButton* train_;
    QProgressBar* progress_;
    QLabel* stage_;
    QPushButton* cancel_;
};

QString formatEta(double seconds); // "1 min 05 s", "12 s", "" when unknown

} // namespace aecnn::studio
