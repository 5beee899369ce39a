#pragma once

#include <QFile>
#include <QString>
#include <memory>
#include <QStringList>
#include <vector>

#include "aecnn/widgets/export_context.h"

namespace aecnn::widgets {

// A table ready to be written: built by a view, serialized by writeCsv().
struct CsvTable {
    QStringList columns; // with units, e.g. "attention (0..1)"
    std::vector<QStringList> rows;
    QStringList extraComments; // appended after the context block, without "# "

    void addRow(QStringList row) { rows.push_back(std::move(row)); }
};

QString csvNumber(double value); // 15 significant digits

// Serializes the table with the context comment block. Returns false and sets
// *error (naming the file and the reason) when the file cannot be written;
// the previous file is left untouched (QSaveFile).
bool writeCsv(const QString& path, const CsvTable& table, const ExportContext& context, QString* error);

// Appends rows to a CSV as they come (live recording). While recording, the rows
// go to "<path>.part", each flushed to the file at once, so a killed app loses at
// most the row being written and leaves a readable .part file (context block,
// header, rows). stop() renames it to <path>, replacing an older file.
class CsvRecorder {
public:
    CsvRecorder() = default;
    CsvRecorder(const CsvRecorder&) = delete;
    CsvRecorder& operator=(const CsvRecorder&) = delete;
    ~CsvRecorder() { stop(); }

    // Writes the context block and the header; false + *error when the file cannot be created.
    bool start(const QString& path, const CsvTable& header, const ExportContext& context, QString* error);
    bool append(const QStringList& row, QString* error); // false when not recording or the write failed
    // Closes and renames the .part file to the final path; false + *error when that fails
    // (the rows stay in the .part file).
    bool stop(QString* error = nullptr);
    bool isRecording() const { return file_ != nullptr; }
    QString path() const { return path_; }        // the final file
    QString partialPath() const;                  // the file being written
    long long rows() const { return rows_; }

    static QString partialPathOf(const QString& path); // "<path>.part"

private:
    std::unique_ptr<QFile> file_;
    QString path_;
    int columns_ = 0;
    long long rows_ = 0;
};

} // namespace aecnn::widgets
