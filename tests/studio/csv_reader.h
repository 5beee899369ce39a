#pragma once

#include <QFile>
#include <QStringList>
#include <vector>

// Reads back an exported CSV: comment lines, header, rows (no quoted commas in fixtures).
struct ParsedCsv {
    QStringList comments;
    QStringList header;
    std::vector<QStringList> rows;
};

inline ParsedCsv readCsv(const QString& path)
{
    ParsedCsv csv;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return csv;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.startsWith(QLatin1Char('#')))
            csv.comments << line;
        else if (csv.header.isEmpty())
            csv.header = line.split(QLatin1Char(','));
        else if (!line.isEmpty())
            csv.rows.push_back(line.split(QLatin1Char(',')));
    }
    return csv;
}
