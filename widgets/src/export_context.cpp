#include "aecnn/widgets/export_context.h"

namespace aecnn::widgets {

QString appVersion()
{
    return QStringLiteral(AECNN_VERSION);
}

QStringList ExportContext::commentLines() const
{
    const QDateTime when = date.isValid() ? date : QDateTime::currentDateTimeUtc();
    return {
        QStringLiteral("# model: %1").arg(model),
        QStringLiteral("# split: %1").arg(split),
        QStringLiteral("# V: %1").arg(ratio),
        QStringLiteral("# mode: %1").arg(mode),
        QStringLiteral("# codec: %1").arg(codec),
        QStringLiteral("# rate_mbps: %1").arg(rateMbps),
        QStringLiteral("# date: %1").arg(when.toString(Qt::ISODate)),
        QStringLiteral("# app_version: aecnn-studio %1").arg(appVersion()),
    };
}

} // namespace aecnn::widgets
