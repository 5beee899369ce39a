#include "sweep_plan.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include "aecnn/error.h"

namespace aecnn::sweep {
namespace {

constexpr const char* kFormat = "aecnn-sweep-plan/1";

QJsonObject toJson(const SweepTask& t)
{
    return {{"index", t.index}, {"split", t.split}, {"ratio", t.ratio},
            {"method", t.method}, {"seed", t.seed},  {"dir", t.dir}};
}

SweepTask taskFromJson(const QJsonObject& json, const QString& source)
{
    SweepTask t;
    t.index = json.value("index").toInt(-1);
    t.split = json.value("split").toInt(0);
    t.ratio = json.value("ratio").toInt(0);
    t.method = json.value("method").toString();
    t.seed = json.value("seed").toInt(-1);
    t.dir = json.value("dir").toString();
    if (t.index < 0 || t.split <= 0 || t.ratio <= 0 || t.seed < 0 || t.dir.isEmpty() ||
        !sweepMethods().contains(t.method))
        throw Error(source.toStdString() + ": malformed task entry " +
                    QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString());
    return t;
}

} // namespace

QStringList sweepMethods()
{
    return {"aecnn", "bottlenetpp"};
}

std::vector<SweepTask> expandTasks(const std::vector<int>& splits, const std::vector<int>& ratios,
                                   const QStringList& methods, const std::vector<int>& seeds)
{
    std::vector<SweepTask> tasks;
    for (int split : splits)
        for (int ratio : ratios)
            for (const auto& method : methods)
                for (int seed : seeds) {
                    SweepTask t;
                    t.index = static_cast<int>(tasks.size());
                    t.split = split;
                    t.ratio = ratio;
                    t.method = method;
                    t.seed = seed;
                    t.dir = QString("tasks/%1-split%2-v%3-%4-seed%5")
                                .arg(t.index, 4, 10, QChar('0'))
                                .arg(split)
                                .arg(ratio)
                                .arg(method)
                                .arg(seed);
                    tasks.push_back(t);
                }
    return tasks;
}

QJsonObject planContent(const SweepPlan& plan)
{
    QJsonArray tasks;
    for (const auto& t : plan.tasks)
        tasks.append(toJson(t));
    return {{"model", plan.model},          {"model_sha256", plan.modelSha256}, {"dataset", plan.dataset},
            {"threads", plan.threads},      {"codec_images", plan.codecImages}, {"options", plan.options},
            {"tasks", tasks}};
}

QString planHash(const SweepPlan& plan)
{
    const auto bytes = QJsonDocument(planContent(plan)).toJson(QJsonDocument::Compact);
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

QByteArray planToJson(const SweepPlan& plan)
{
    return QJsonDocument(QJsonObject{{"format", kFormat},
                                     {"hash", planHash(plan)},
                                     {"content", planContent(plan)},
                                     {"created", plan.created}})
        .toJson(QJsonDocument::Indented);
}

SweepPlan planFromJson(const QByteArray& json, const QString& source)
{
    QJsonParseError error{};
    const auto document = QJsonDocument::fromJson(json, &error);
    if (!document.isObject())
        throw Error(source.toStdString() + " is not a sweep plan: " + error.errorString().toStdString());
    const auto root = document.object();
    if (root.value("format").toString() != kFormat)
        throw Error(source.toStdString() + " is not a sweep plan of format " + kFormat + " (format '" +
                    root.value("format").toString().toStdString() + "')");
    const auto content = root.value("content").toObject();
    SweepPlan plan;
    plan.model = content.value("model").toString();
    plan.modelSha256 = content.value("model_sha256").toString();
    plan.dataset = content.value("dataset").toString();
    plan.threads = content.value("threads").toInt(0);
    plan.codecImages = content.value("codec_images").toInt(-1);
    plan.options = content.value("options").toObject();
    plan.created = root.value("created").toObject();
    for (const auto& t : content.value("tasks").toArray())
        plan.tasks.push_back(taskFromJson(t.toObject(), source));
    if (plan.model.isEmpty() || plan.dataset.isEmpty() || plan.threads < 1 || plan.codecImages < 0 ||
        plan.tasks.empty())
        throw Error(source.toStdString() + ": the plan lacks its model, dataset, threads, codec_images or tasks");
    for (size_t i = 0; i < plan.tasks.size(); ++i)
        if (plan.tasks[i].index != static_cast<int>(i))
            throw Error(source.toStdString() + ": task " + std::to_string(i) + " has index " +
                        std::to_string(plan.tasks[i].index));
    const QString stored = root.value("hash").toString();
    if (stored != planHash(plan))
        throw Error(source.toStdString() + " was edited after planning: its hash " + stored.toStdString() +
                    " does not match its content (" + planHash(plan).toStdString() +
                    "); plan the sweep again with `aecnn sweep plan` into a new folder");
    return plan;
}

QString planPath(const QString& sweepDir)
{
    return QDir(sweepDir).filePath("plan.json");
}

SweepPlan loadPlan(const QString& sweepDir)
{
    const QString path = planPath(sweepDir);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error("no sweep plan in " + sweepDir.toStdString() + " (cannot read " + path.toStdString() +
                    "): write one with `aecnn sweep plan --out " + sweepDir.toStdString() + " ...`");
    return planFromJson(file.readAll(), path);
}

PlanWrite writePlan(const QString& sweepDir, const SweepPlan& plan)
{
    const QString path = planPath(sweepDir);
    if (QFileInfo::exists(path)) {
        const auto existing = loadPlan(sweepDir);
        if (planHash(existing) == planHash(plan))
            return PlanWrite::Unchanged;
        throw Error(sweepDir.toStdString() + " holds another sweep (plan hash " + planHash(existing).toStdString() +
                    ", this plan " + planHash(plan).toStdString() +
                    "); its results would be mixed: choose another --out folder, or delete that one first");
    }
    const QDir dir(sweepDir);
    if (dir.exists() && !dir.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
        throw Error(sweepDir.toStdString() + " is not empty and holds no sweep plan; choose an empty or new folder");
    writeFileAtomically(path, planToJson(plan));
    return PlanWrite::Created;
}

} // namespace aecnn::sweep
