#pragma once

#include <QString>
#include <optional>
#include <vector>

namespace aecnn::widgets {

// One (split, V) row of Table I; NaN where a file does not have the column.
struct Table1Row {
    int split = 0;
    int ratio = 0;
    int keptChannels = 0;
    double bottlenetppAcc = 0.0;
    double caPrunedAcc = 0.0;
    double aecnnAcc = 0.0;
    double entropyBits = 0.0;
    double encMs = 0.0;
    double decMs = 0.0;
};

// Parses the CSV of the paper (resources/reference/table1.csv) or of
// `aecnn reproduce table1`: '#' comment lines, a header row, columns found by
// name (split, V and aecnn_acc are required). On failure returns nothing and
// sets *error to what is wrong and where.
std::optional<std::vector<Table1Row>> parseTable1Csv(const QByteArray& text, const QString& origin, QString* error);
std::optional<std::vector<Table1Row>> readTable1Csv(const QString& path, QString* error);

} // namespace aecnn::widgets
