#include "training_request.h"

#include <QStringList>

namespace aecnn::studio {

bool TrainingBudget::operator==(const TrainingBudget& o) const
{
    return key() == o.key();
}

QString TrainingBudget::key() const
{
    return QStringLiteral("ca=%1;ft=%2;fr=%3;batch=%4;train=%5;eval=%6;importance=%7;bottlenet=%8")
        .arg(epochsCa, 0, 'g', 6)
        .arg(epochsFinetune, 0, 'g', 6)
        .arg(epochsFr, 0, 'g', 6)
        .arg(batchSize)
        .arg(trainLimit)
        .arg(evalLimit)
        .arg(importanceImages)
        .arg(bottleNet ? 1 : 0);
}

QString TrainingOutcome::pathOf(const QString& variant) const
{
    for (const TrainedModel& model : models)
        if (model.variant == variant)
            return model.path;
    return {};
}

QString TrainingOutcome::summary() const
{
    QStringList parts;
    for (const TrainedModel& model : models)
        parts << QStringLiteral("%1 %2 %").arg(model.variant).arg(100.0 * model.accuracy, 0, 'f', 2);
    return parts.join(QStringLiteral(", "));
}

} // namespace aecnn::studio
