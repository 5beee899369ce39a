#include "training_cache.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>

#include "analysis_worker.h"

namespace aecnn::studio {
namespace {

QString indexPath(const TrainingRequest& request)
{
    return QDir(trainingCacheDir(request)).filePath(QStringLiteral("split%1-v%2.json").arg(request.split).arg(request.ratio));
}

// The base model as it is on disk: a retrained checkpoint at the same path gets a new key.
QString modelIdentity(const QString& spec)
{
    const QString file = modelFileForSpec(spec);
    const QFileInfo info(file);
    if (file.isEmpty() || !info.exists())
        return spec;
    return QStringLiteral("%1;%2;%3").arg(info.absoluteFilePath()).arg(info.size()).arg(
        info.lastModified().toMSecsSinceEpoch());
}

} // namespace

QString defaultTrainingCacheRoot()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).filePath(QStringLiteral("split-models"));
}

QString trainingCacheDir(const TrainingRequest& request)
{
    const QString identity = QStringLiteral("model=%1\ndataset=%2\nbudget=%3")
                                 .arg(modelIdentity(request.model), request.dataset, request.budget.key());
    const QString key = QString::fromLatin1(
        QCryptographicHash::hash(identity.toUtf8(), QCryptographicHash::Sha256).toHex().left(16));
    const QString root = request.cacheRoot.isEmpty() ? defaultTrainingCacheRoot() : request.cacheRoot;
    return QDir(root).filePath(key);
}

std::optional<TrainingOutcome> cachedOutcome(const TrainingRequest& request)
{
    QFile file(indexPath(request));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    TrainingOutcome outcome;
    outcome.split = json.value(QStringLiteral("split")).toInt();
    outcome.ratio = json.value(QStringLiteral("ratio")).toInt();
    outcome.baseAccuracy = json.value(QStringLiteral("base_accuracy")).toDouble();
    outcome.directory = trainingCacheDir(request);
    if (outcome.split != request.split || outcome.ratio != request.ratio)
        return std::nullopt;
    const QDir dir(outcome.directory);
    for (const QJsonValue& value : json.value(QStringLiteral("models")).toArray()) {
        const QJsonObject entry = value.toObject();
        TrainedModel model;
        model.variant = entry.value(QStringLiteral("variant")).toString();
        model.path = dir.filePath(entry.value(QStringLiteral("file")).toString());
        model.accuracy = entry.value(QStringLiteral("accuracy")).toDouble();
        model.evaluated = entry.value(QStringLiteral("evaluated")).toInteger();
        model.resumed = true;
        if (!QFileInfo::exists(model.path))
            return std::nullopt; // deleted by hand: train again
        outcome.models.push_back(model);
    }
    if (outcome.models.empty())
        return std::nullopt;
    return outcome;
}

bool storeOutcome(const TrainingRequest& request, const TrainingOutcome& outcome, QString* error)
{
    QJsonArray models;
    for (const TrainedModel& model : outcome.models)
        models.append(QJsonObject{{QStringLiteral("variant"), model.variant},
                                  {QStringLiteral("file"), QFileInfo(model.path).fileName()},
                                  {QStringLiteral("accuracy"), model.accuracy},
                                  {QStringLiteral("evaluated"), model.evaluated}});
    const QJsonObject json{{QStringLiteral("split"), outcome.split},
                           {QStringLiteral("ratio"), outcome.ratio},
                           {QStringLiteral("base_accuracy"), outcome.baseAccuracy},
                           {QStringLiteral("model"), request.model},
                           {QStringLiteral("dataset"), request.dataset},
                           {QStringLiteral("budget"), request.budget.key()},
                           {QStringLiteral("models"), models}};
    QSaveFile file(indexPath(request));
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(json).toJson()) < 0 || !file.commit()) {
        if (error)
            *error = QObject::tr("Cannot write the training cache index %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

} // namespace aecnn::studio
