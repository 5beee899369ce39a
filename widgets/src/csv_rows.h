#pragma once

// Private to the widgets library: the one reader of the '#'-commented result CSVs with a
// header row (table1.csv, input-codec-baseline.csv, frontier.csv).

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <functional>

namespace aecnn::widgets {

// Looks a field of the current row up by column name (empty when the column is absent).
using CsvFieldLookup = std::function<QString(const char*)>;
// Called per data row; returns an error text, empty when the row is fine.
using CsvRowVisitor = std::function<QString(const CsvFieldLookup&)>;

// Visits every data row of `text`. False with *error = "ORIGIN: why" when the header lacks a
// `required` column, a row has another field count than the header, `row` returns an error
// ("line N: ...") or there is no header; `expected` is appended to the header errors (e.g.
// "; expected a Table I CSV").
bool forEachCsvRow(const QByteArray& text, const QString& origin, const QStringList& required, const QString& expected,
                   QString* error, const CsvRowVisitor& row);

} // namespace aecnn::widgets
