#include "aecnn/widgets/csv_table.h"

#include <QSaveFile>

namespace aecnn::widgets {
namespace {

QString quoted(const QString& field)
{
    if (!field.contains(QLatin1Char(',')) && !field.contains(QLatin1Char('"')) && !field.contains(QLatin1Char('\n')))
        return field;
    QString escaped = field;
    escaped.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

QByteArray line(const QStringList& fields)
{
    QStringList out;
    out.reserve(fields.size());
    for (const QString& field : fields)
        out << quoted(field);
    return out.join(QLatin1Char(',')).toUtf8() + '\n';
}

} // namespace

QString csvNumber(double value)
{
    return QString::number(value, 'g', 15);
}

bool writeCsv(const QString& path, const CsvTable& table, const ExportContext& context, QString* error)
{
    auto fail = [&](const QString& why) {
        if (error)
            *error = QStringLiteral("Cannot export to %1: %2").arg(path, why);
        return false;
    };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return fail(file.errorString());
    QByteArray bytes;
    for (const QString& comment : context.commentLines())
        bytes += comment.toUtf8() + '\n';
    for (const QString& comment : table.extraComments)
        bytes += "# " + comment.toUtf8() + '\n';
    bytes += line(table.columns);
    for (const QStringList& row : table.rows) {
        if (row.size() != table.columns.size())
            return fail(QStringLiteral("row with %1 fields under %2 columns").arg(row.size()).arg(table.columns.size()));
        bytes += line(row);
    }
    if (file.write(bytes) != bytes.size())
        return fail(file.errorString());
    if (!file.commit())
        return fail(file.errorString());
    return true;
}

} // namespace aecnn::widgets
