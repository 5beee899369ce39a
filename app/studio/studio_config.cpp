#include "studio_config.h"

#include <QStringList>

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

QStringList ratioChoices()
{
    return {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("4"), QStringLiteral("8"), QStringLiteral("16"),
            QStringLiteral("32"), QStringLiteral("64")};
}

} // namespace aecnn::studio
