#include "aecnn/widgets/input_codec_baseline.h"

#include <QFile>
#include <QStringList>
#include <cmath>
#include <functional>

#include "csv_rows.h"

namespace aecnn::widgets {
namespace {

bool readAll(const QString& path, QByteArray* text, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("Cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    *text = file.readAll();
    return true;
}

bool positiveNumber(const QString& text, double* value)
{
    bool ok = false;
    *value = text.toDouble(&ok);
    return ok && std::isfinite(*value) && *value >= 0;
}

} // namespace

QString InputCodecPoint::label() const
{
    if (codec == QLatin1String("png"))
        return QStringLiteral("PNG");
    if (codec == QLatin1String("webp-lossless"))
        return QStringLiteral("WebP lossless");
    if (codec == QLatin1String("jpeg"))
        return QStringLiteral("JPEG q%1").arg(quality);
    return codec;
}

std::optional<std::vector<InputCodecPoint>> parseInputCodecCsv(const QByteArray& text, const QString& origin,
                                                               QString* error)
{
    std::vector<InputCodecPoint> points;
    const bool ok = forEachCsvRow(
        text, origin, {QStringLiteral("codec"), QStringLiteral("mean_bytes"), QStringLiteral("accuracy")}, {}, error,
        [&](const auto& field) -> QString {
            InputCodecPoint p;
            p.codec = field("codec");
            p.quality = field("quality").toInt();
            p.lossless = field("lossless") == QLatin1String("true");
            if (!positiveNumber(field("mean_bytes"), &p.meanBytes))
                return QStringLiteral("mean_bytes is not a number");
            if (!positiveNumber(field("accuracy"), &p.accuracy) || p.accuracy > 1.0)
                return QStringLiteral("accuracy is not a fraction in 0..1");
            p.accuracy *= 100.0;
            points.push_back(p);
            return {};
        });
    if (!ok)
        return std::nullopt;
    return points;
}

std::optional<std::vector<FrontierPoint>> parseFrontierCsv(const QByteArray& text, const QString& origin, QString* error)
{
    std::vector<FrontierPoint> points;
    const bool ok = forEachCsvRow(
        text, origin,
        {QStringLiteral("split"), QStringLiteral("V"), QStringLiteral("accuracy"),
         QStringLiteral("wire_bytes_per_frame")},
        {}, error, [&](const auto& field) -> QString {
            FrontierPoint p;
            bool splitOk = false, ratioOk = false;
            p.split = field("split").toInt(&splitOk);
            p.ratio = field("V").toInt(&ratioOk);
            if (!splitOk || !ratioOk)
                return QStringLiteral("split and V must be integers");
            p.method = field("method");
            p.coder = field("coder");
            p.bits = field("bits").toInt();
            p.framing = field("framing");
            p.models = field("models");
            p.superseded = field("model").contains(QLatin1Char(':'));
            if (!positiveNumber(field("accuracy"), &p.accuracy) || p.accuracy > 1.0)
                return QStringLiteral("accuracy is not a fraction in 0..1");
            if (!positiveNumber(field("wire_bytes_per_frame"), &p.wireBytes) || p.wireBytes <= 0)
                return QStringLiteral("wire_bytes_per_frame is not a positive number");
            double baseline = 0;
            p.baselineAccuracy = positiveNumber(field("baseline_accuracy"), &baseline) ? baseline * 100.0 : 0.0;
            p.accuracy *= 100.0;
            points.push_back(p);
            return {};
        });
    if (!ok)
        return std::nullopt;
    return points;
}

std::optional<std::vector<InputCodecPoint>> readInputCodecCsv(const QString& path, QString* error)
{
    QByteArray text;
    if (!readAll(path, &text, error))
        return std::nullopt;
    return parseInputCodecCsv(text, path, error);
}

std::optional<std::vector<FrontierPoint>> readFrontierCsv(const QString& path, QString* error)
{
    QByteArray text;
    if (!readAll(path, &text, error))
        return std::nullopt;
    return parseFrontierCsv(text, path, error);
}

} // namespace aecnn::widgets
