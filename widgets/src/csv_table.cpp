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

QString CsvRecorder::partialPathOf(const QString& path)
{
    return path + QStringLiteral(".part");
}

QString CsvRecorder::partialPath() const
{
    return file_ ? file_->fileName() : QString();
}

bool CsvRecorder::start(const QString& path, const CsvTable& header, const ExportContext& context, QString* error)
{
    stop();
    auto file = std::make_unique<QFile>(partialPathOf(path));
    if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error)
            *error = QStringLiteral("Cannot record to %1: %2").arg(file->fileName(), file->errorString());
        return false;
    }
    QByteArray bytes;
    for (const QString& comment : context.commentLines())
        bytes += comment.toUtf8() + '\n';
    for (const QString& comment : header.extraComments)
        bytes += "# " + comment.toUtf8() + '\n';
    bytes += line(header.columns);
    if (file->write(bytes) != bytes.size() || !file->flush()) {
        if (error)
            *error = QStringLiteral("Cannot record to %1: %2").arg(file->fileName(), file->errorString());
        file->remove();
        return false;
    }
    file_ = std::move(file);
    path_ = path;
    columns_ = header.columns.size();
    rows_ = 0;
    return true;
}

bool CsvRecorder::append(const QStringList& row, QString* error)
{
    if (!file_)
        return false;
    const QByteArray bytes = line(row);
    if (row.size() != columns_ || file_->write(bytes) != bytes.size() || !file_->flush()) {
        if (error)
            *error = QStringLiteral("Recording to %1 stopped: %2")
                         .arg(file_->fileName(), row.size() != columns_ ? QStringLiteral("row does not match the header")
                                                                        : file_->errorString());
        stop();
        return false;
    }
    ++rows_;
    return true;
}

bool CsvRecorder::stop(QString* error)
{
    if (!file_)
        return true;
    const QString partial = file_->fileName();
    file_->close();
    file_.reset();
    if (QFile::exists(path_) && !QFile::remove(path_)) {
        if (error)
            *error = QStringLiteral("Cannot replace %1; the recording is in %2").arg(path_, partial);
        return false;
    }
    if (!QFile::rename(partial, path_)) {
        if (error)
            *error = QStringLiteral("Cannot rename %1 to %2; the recording stays in the .part file").arg(partial, path_);
        return false;
    }
    return true;
}

} // namespace aecnn::widgets
