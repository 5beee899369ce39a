#pragma once

#include <QString>
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

} // namespace aecnn::widgets
