#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace aecnn::widgets {

// What an exported file was made from; written as a comment block on top of every CSV.
struct ExportContext {
    QString model = QStringLiteral("default");
    int split = 1;
    int ratio = 1; // V
    QString mode = QStringLiteral("aecnn");
    QString codec = QStringLiteral("uint8+zstd");
    double rateMbps = 0.0;
    QDateTime date; // invalid = the time of the export

    QStringList commentLines() const; // "# model: default", ...
};

QString appVersion();

} // namespace aecnn::widgets
