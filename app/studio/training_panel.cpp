#include "training_panel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <cmath>

#include "aecnn/model/checkpoint.h"
#include "split_model_lookup.h"
#include "training_cache.h"

namespace aecnn::studio {
namespace {

QDoubleSpinBox* epochsBox(QWidget* parent, const QString& name)
{
    auto* box = new QDoubleSpinBox(parent);
    box->setObjectName(name);
    box->setRange(0.01, 100.0);
    box->setDecimals(2);
    box->setSingleStep(0.05);
    box->setSuffix(QObject::tr(" epochs"));
    return box;
}

} // namespace

QString formatEta(double seconds)
{
    if (seconds < 0 || !std::isfinite(seconds))
        return {};
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s < 60)
        return QObject::tr("%1 s").arg(s);
    return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

TrainingPanel::TrainingPanel(QWidget* parent)
    : QWidget(parent), dataset_(new QLineEdit(this)), epochsCa_(epochsBox(this, QStringLiteral("epochsCa"))),
      epochsFinetune_(epochsBox(this, QStringLiteral("epochsFinetune"))),
      epochsFr_(epochsBox(this, QStringLiteral("epochsFr"))), trainLimit_(new QSpinBox(this)),
      bottleNet_(new QCheckBox(tr("BottleNet++ baseline too"), this)), cache_(new QLabel(this)),
      train_(new QPushButton(tr("Train split models (Algorithm 1)"), this)), progress_(new QProgressBar(this)),
      stage_(new QLabel(this)), cancel_(new QPushButton(tr("Cancel training"), this))
{
    setObjectName(QStringLiteral("training"));
    dataset_->setObjectName(QStringLiteral("trainingDataset"));
    trainLimit_->setObjectName(QStringLiteral("trainLimit"));
    bottleNet_->setObjectName(QStringLiteral("bottleNet"));
    train_->setObjectName(QStringLiteral("train"));
    cancel_->setObjectName(QStringLiteral("cancelTraining"));
    dataset_->setToolTip(tr("fashion-mnist[:DIR], folder:DIR or synthetic[:N]"));
    epochsCa_->setToolTip(tr("CA training of the whole network, shared by every V of the split point"));
    epochsFinetune_->setToolTip(tr("CA_Pruned fine-tuning (and BottleNet++'s frozen-backbone phase)"));
    epochsFr_->setToolTip(tr("AECNN fine-tuning with feature recovery (and BottleNet++'s joint phase)"));
    trainLimit_->setRange(0, 1 << 30);
    trainLimit_->setSpecialValueText(tr("all"));
    cache_->setWordWrap(true);
    stage_->setWordWrap(true);

    auto* form = new QFormLayout(this);
    form->addRow(tr("Data set"), dataset_);
    form->addRow(tr("CA training"), epochsCa_);
    form->addRow(tr("Pruned fine-tuning"), epochsFinetune_);
    form->addRow(tr("FR fine-tuning"), epochsFr_);
    form->addRow(tr("Training images"), trainLimit_);
    form->addRow(QString(), bottleNet_);
    form->addRow(cache_);
    form->addRow(train_);
    auto* running = new QHBoxLayout;
    running->addWidget(progress_, 1);
    running->addWidget(cancel_);
    form->addRow(running);
    form->addRow(stage_);

    setDataset(QStringLiteral("fashion-mnist"));
    setBudget(TrainingBudget{});
    setTraining(false);
    connect(train_, &QPushButton::clicked, this, [this] { Q_EMIT trainRequested(request()); });
    connect(cancel_, &QPushButton::clicked, this, [this] {
        stage_->setText(tr("Cancelling at the next training step..."));
        Q_EMIT cancelRequested();
    });
    for (QDoubleSpinBox* box : {epochsCa_, epochsFinetune_, epochsFr_})
        connect(box, &QDoubleSpinBox::valueChanged, this, &TrainingPanel::refreshCache);
    connect(trainLimit_, &QSpinBox::valueChanged, this, &TrainingPanel::refreshCache);
    connect(bottleNet_, &QCheckBox::toggled, this, &TrainingPanel::refreshCache);
    connect(dataset_, &QLineEdit::editingFinished, this, &TrainingPanel::refreshCache);
}

void TrainingPanel::setTarget(const QString& model, int split, int ratio)
{
    model_ = model;
    split_ = split;
    ratio_ = ratio;
    refreshCache();
}

void TrainingPanel::setDataset(const QString& dataset)
{
    dataset_->setText(dataset);
    refreshCache();
}

void TrainingPanel::setBudget(const TrainingBudget& budget)
{
    hidden_ = budget;
    epochsCa_->setValue(budget.epochsCa);
    epochsFinetune_->setValue(budget.epochsFinetune);
    epochsFr_->setValue(budget.epochsFr);
    trainLimit_->setValue(budget.trainLimit);
    bottleNet_->setChecked(budget.bottleNet);
    refreshCache();
}

void TrainingPanel::setCacheRoot(const QString& root)
{
    cacheRoot_ = root;
    refreshCache();
}

TrainingBudget TrainingPanel::budget() const
{
    TrainingBudget budget = hidden_;
    budget.epochsCa = epochsCa_->value();
    budget.epochsFinetune = epochsFinetune_->value();
    budget.epochsFr = epochsFr_->value();
    budget.trainLimit = trainLimit_->value();
    budget.bottleNet = bottleNet_->isChecked();
    return budget;
}

TrainingRequest TrainingPanel::request() const
{
    TrainingRequest request;
    request.model = model_;
    request.dataset = dataset_->text().trimmed();
    request.split = split_;
    request.ratio = ratio_;
    request.budget = budget();
    request.cacheRoot = cacheRoot_;
    return request;
}

QString TrainingPanel::cacheText() const
{
    return cache_->text();
}

namespace {
// What a shipped demo model is, from the budget Algorithm 1 recorded in it
// (resources/models/demo/README.md: Table I models and frozen-backbone models).
QString shippedModelKind(const QString& path)
{
    try {
        const QJsonObject budget = readCheckpointMetadata(path).value(QStringLiteral("provenance")).toObject().value(
            QStringLiteral("budget")).toObject();
        return budget.value(QStringLiteral("frozen_backbone")).toBool()
                   ? QObject::tr("frozen backbone")
                   : QObject::tr("Table I model, full Algorithm 1");
    } catch (const std::exception& e) {
        return QObject::tr("unreadable: %1").arg(QString::fromUtf8(e.what()));
    }
}
} // namespace

void TrainingPanel::refreshCache()
{
    if (ratio_ < 2) {
        cache_->setText(tr("V=1 sends every channel: nothing to train"));
        train_->setEnabled(false);
        return;
    }
    const auto cached = cachedOutcome(request());
    if (cached)
        cache_->setText(tr("Split %1, V=%2 trained with this budget: %3").arg(split_).arg(ratio_).arg(cached->summary()));
    else if (const QString shipped = splitModelFile(request(), QStringLiteral("aecnn")); !shipped.isEmpty())
        cache_->setText(tr("Split %1, V=%2: the shipped demo model is used (%3); training here replaces it")
                            .arg(split_)
                            .arg(ratio_)
                            .arg(shippedModelKind(shipped)));
    else
        cache_->setText(tr("Split %1, V=%2: not trained with this budget yet").arg(split_).arg(ratio_));
    train_->setEnabled(!training_);
}

void TrainingPanel::setTraining(bool training)
{
    training_ = training;
    train_->setEnabled(!training && ratio_ >= 2);
    progress_->setVisible(training);
    cancel_->setVisible(training);
    for (QWidget* input : std::initializer_list<QWidget*>{dataset_, epochsCa_, epochsFinetune_, epochsFr_, trainLimit_,
                                                          bottleNet_})
        input->setEnabled(!training);
}

void TrainingPanel::showStarted()
{
    setTraining(true);
    progress_->setRange(0, 0); // busy until the first step reports a fraction
    stage_->setText(tr("Starting..."));
}

void TrainingPanel::showProgress(const TrainingStatus& status)
{
    if (status.fraction >= 0) {
        progress_->setRange(0, 1000);
        progress_->setValue(static_cast<int>(std::lround(1000 * status.fraction)));
    }
    const QString eta = formatEta(status.etaSeconds);
    stage_->setText(eta.isEmpty() ? status.stage : tr("%1   ETA %2").arg(status.stage, eta));
}

void TrainingPanel::showFinished(const TrainingOutcome& outcome)
{
    setTraining(false);
    stage_->setText(tr("Trained split %1, V=%2 (unsplit model %3 %)")
                        .arg(outcome.split)
                        .arg(outcome.ratio)
                        .arg(100.0 * outcome.baseAccuracy, 0, 'f', 2));
    refreshCache();
}

void TrainingPanel::showStopped(const QString& message)
{
    setTraining(false);
    stage_->setText(message);
    refreshCache();
}

} // namespace aecnn::studio
