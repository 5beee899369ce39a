#include "presentation_tour.h"

#include <QApplication>
#include <QFile>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace aecnn::studio {

std::optional<Tour> readTour(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QObject::tr("cannot read the tour %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parse;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parse);
    if (!document.isObject()) {
        *error = QObject::tr("the tour %1 is not a JSON object: %2").arg(path, parse.errorString());
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    Tour tour;
    tour.stepMs = root.value(QStringLiteral("step_ms")).toInt(tour.stepMs);
    if (tour.stepMs < 100) {
        *error = QObject::tr("the tour %1: step_ms must be at least 100").arg(path);
        return std::nullopt;
    }
    const QStringList tabs{QStringLiteral("attention"), QStringLiteral("live"), QStringLiteral("entropy"),
                           QStringLiteral("tradeoffs"), QStringLiteral("features"), QStringLiteral("device")};
    const QJsonArray stops = root.value(QStringLiteral("stops")).toArray();
    for (int i = 0; i < stops.size(); ++i) {
        const QJsonObject o = stops[i].toObject();
        TourStop stop;
        stop.split = o.value(QStringLiteral("split")).toInt(0);
        stop.ratio = o.value(QStringLiteral("ratio")).toInt(0);
        stop.rateMbps = o.value(QStringLiteral("rate_mbps")).toDouble(0.0);
        stop.tab = o.value(QStringLiteral("tab")).toString();
        stop.caption = o.value(QStringLiteral("caption")).toString();
        QString problem;
        if (stop.split < 1 || stop.ratio < 1)
            problem = QObject::tr("split and ratio must be positive integers");
        else if (!(stop.rateMbps > 0.0))
            problem = QObject::tr("rate_mbps must be positive");
        else if (!stop.tab.isEmpty() && !tabs.contains(stop.tab))
            problem = QObject::tr("tab must be one of %1").arg(tabs.join(QStringLiteral(", ")));
        else if (stop.caption.isEmpty())
            problem = QObject::tr("a caption is needed");
        if (!problem.isEmpty()) {
            *error = QObject::tr("the tour %1, stop %2: %3").arg(path).arg(i + 1).arg(problem);
            return std::nullopt;
        }
        tour.stops.push_back(stop);
    }
    if (tour.stops.empty()) {
        *error = QObject::tr("the tour %1 has no stops").arg(path);
        return std::nullopt;
    }
    return tour;
}

TourPlayer::TourPlayer(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<TourStop>();
    connect(&timer_, &QTimer::timeout, this, &TourPlayer::next);
}

void TourPlayer::start(const Tour& tour, int stepMs)
{
    tour_ = tour;
    index_ = -1;
    reached_ = 0;
    if (tour_.stops.empty())
        return;
    timer_.start(stepMs > 0 ? stepMs : tour_.stepMs);
    next();
}

void TourPlayer::stop()
{
    timer_.stop();
}

void TourPlayer::next()
{
    if (tour_.stops.empty())
        return;
    index_ = (index_ + 1) % static_cast<int>(tour_.stops.size());
    ++reached_;
    Q_EMIT stopReached(index_, tour_.stops[static_cast<size_t>(index_)]);
}

void applyPresentationFont(QApplication& app, double factor)
{
    QFont font = QApplication::font();
    if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * factor);
    else
        font.setPixelSize(static_cast<int>(font.pixelSize() * factor));
    app.setFont(font);
}

} // namespace aecnn::studio
