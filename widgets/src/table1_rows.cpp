#include "aecnn/widgets/table1_rows.h"

#include <QFile>
#include <QStringList>
#include <cmath>
#include <limits>

namespace aecnn::widgets {

std::optional<std::vector<Table1Row>> parseTable1Csv(const QByteArray& text, const QString& origin, QString* error)
{
    auto fail = [&](const QString& why) -> std::optional<std::vector<Table1Row>> {
        if (error)
            *error = QStringLiteral("%1: %2").arg(origin, why);
        return std::nullopt;
    };
    QStringList header;
    std::vector<Table1Row> rows;
    const QList<QByteArray> lines = text.split('\n');
    for (int lineNo = 0; lineNo < lines.size(); ++lineNo) {
        const QString line = QString::fromUtf8(lines[lineNo]).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList fields = line.split(QLatin1Char(','));
        if (header.isEmpty()) {
            header = fields;
            for (const char* required : {"split", "V", "aecnn_acc"})
                if (!header.contains(QLatin1String(required)))
                    return fail(QStringLiteral("the header has no '%1' column; expected a Table I CSV").arg(
                        QLatin1String(required)));
            continue;
        }
        if (fields.size() != header.size())
            return fail(QStringLiteral("line %1 has %2 fields, the header %3").arg(lineNo + 1).arg(fields.size())
                            .arg(header.size()));
        auto number = [&](const char* name) {
            const int column = header.indexOf(QLatin1String(name));
            if (column < 0)
                return std::numeric_limits<double>::quiet_NaN();
            bool ok = false;
            const double value = fields[column].toDouble(&ok);
            return ok ? value : std::numeric_limits<double>::quiet_NaN();
        };
        Table1Row row;
        const double split = number("split");
        const double ratio = number("V");
        if (std::isnan(split) || std::isnan(ratio))
            return fail(QStringLiteral("line %1: split and V must be numbers").arg(lineNo + 1));
        row.split = static_cast<int>(split);
        row.ratio = static_cast<int>(ratio);
        const double kept = number("kept_C");
        row.keptChannels = std::isnan(kept) ? 0 : static_cast<int>(kept);
        row.bottlenetppAcc = number("bottlenetpp_acc");
        row.caPrunedAcc = number("ca_pruned_acc");
        row.aecnnAcc = number("aecnn_acc");
        row.entropyBits = number("entropy_bits");
        row.encMs = number("enc_ms");
        row.decMs = number("dec_ms");
        rows.push_back(row);
    }
    if (header.isEmpty())
        return fail(QStringLiteral("no header row; expected a Table I CSV"));
    return rows;
}

std::optional<std::vector<Table1Row>> readTable1Csv(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("Cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return parseTable1Csv(file.readAll(), path, error);
}

} // namespace aecnn::widgets
