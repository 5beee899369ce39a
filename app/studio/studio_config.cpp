#include "studio_config.h"

#include <QStringList>

#include "aecnn/error.h"
#include "aecnn/split/transport_settings_json.h"

namespace aecnn::studio {

bool StudioConfig::operator==(const StudioConfig& o) const
{
    return model == o.model && split == o.split && ratio == o.ratio && mode == o.mode && codec == o.codec &&
           rateMbps == o.rateMbps && deadlineMs == o.deadlineMs && adaptiveRatio == o.adaptiveRatio;
}

QString SplitRow::label() const
{
    return QStringLiteral("%1: after %2   %3x%4x%5   S_l = %6 B").arg(point).arg(after).arg(channels).arg(height)
        .arg(width).arg(bytes);
}

bool isSplitMode(const QString& mode)
{
    return mode == QLatin1String("aecnn") || mode == QLatin1String("bottlenetpp");
}

QStringList modeNames()
{
    return {QStringLiteral("aecnn"), QStringLiteral("bottlenetpp"), QStringLiteral("full-offloading"),
            QStringLiteral("local")};
}

QStringList codecNames()
{
    // <representation>+<coder> with the codec's names (aecnn::codec quantizer / entropy_coder).
    return {QStringLiteral("uint8+zstd"), QStringLiteral("uint8+zstd-entropy"), QStringLiteral("uint8+context"),
            QStringLiteral("uint4+zstd"), QStringLiteral("float16+zstd"), QStringLiteral("float32+store")};
}

TransportSettings transportSettingsOfCodec(const QString& name)
{
    const qsizetype plus = name.indexOf(QLatin1Char('+'));
    if (plus < 0)
        throw Error("codec '" + name.toStdString() + "' must be <representation>+<coder>, e.g. uint8+zstd");
    const QString representation = name.left(plus);
    QJsonObject json{{QStringLiteral("codec"), name.mid(plus + 1)}};
    if (representation.startsWith(QLatin1String("uint"))) {
        bool isNumber = false;
        const int bits = representation.mid(4).toInt(&isNumber);
        if (!isNumber)
            throw Error("codec '" + name.toStdString() + "': uint needs its bit count, e.g. uint8+zstd");
        json.insert(QStringLiteral("repr"), QStringLiteral("uint"));
        json.insert(QStringLiteral("bits"), bits);
    } else {
        json.insert(QStringLiteral("repr"), representation);
    }
    return transportSettingsFromJson(json);
}

QJsonObject agentCodecSettings(const QString& name, QString* error)
{
    try {
        return transportSettingsToJson(transportSettingsOfCodec(name));
    } catch (const Error& e) {
        *error = QString::fromStdString(e.what());
        return {};
    }
}

QStringList ratioChoices()
{
    return {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("8"), QStringLiteral("16"),
            QStringLiteral("32"), QStringLiteral("64")};
}

} // namespace aecnn::studio
