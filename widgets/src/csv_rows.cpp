#include "csv_rows.h"

#include <QList>

namespace aecnn::widgets {

bool forEachCsvRow(const QByteArray& text, const QString& origin, const QStringList& required, const QString& expected,
                   QString* error, const CsvRowVisitor& row)
{
    auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(origin, why);
        return false;
    };
    QStringList header;
    const QList<QByteArray> lines = text.split('\n');
    for (int lineNo = 0; lineNo < lines.size(); ++lineNo) {
        const QString line = QString::fromUtf8(lines[lineNo]).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList fields = line.split(QLatin1Char(','));
        if (header.isEmpty()) {
            header = fields;
            for (const QString& name : required)
                if (!header.contains(name))
                    return fail(QStringLiteral("the header has no '%1' column%2").arg(name, expected));
            continue;
        }
        if (fields.size() != header.size())
            return fail(QStringLiteral("line %1 has %2 fields, the header %3")
                            .arg(lineNo + 1)
                            .arg(fields.size())
                            .arg(header.size()));
        const QString why = row([&](const char* name) { return fields.value(header.indexOf(QLatin1String(name))); });
        if (!why.isEmpty())
            return fail(QStringLiteral("line %1: %2").arg(lineNo + 1).arg(why));
    }
    if (header.isEmpty())
        return fail(QStringLiteral("no header row%1").arg(expected));
    return true;
}

} // namespace aecnn::widgets
