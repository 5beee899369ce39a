#include "aecnn/widgets/table1_rows.h"

#include <QFile>
#include <QStringList>
#include <cmath>
#include <limits>

#include "csv_rows.h"

namespace aecnn::widgets {

std::optional<std::vector<Table1Row>> parseTable1Csv(const QByteArray& text, const QString& origin, QString* error)
{
    std::vector<Table1Row> rows;
    const bool ok = forEachCsvRow(
        text, origin, {QStringLiteral("split"), QStringLiteral("V"), QStringLiteral("aecnn_acc")},
        QStringLiteral("; expected a Table I CSV"), error, [&](const CsvFieldLookup& field) -> QString {
            auto number = [&](const char* name) {
                bool valid = false;
                const double value = field(name).toDouble(&valid); // an absent column is empty: NaN
                return valid ? value : std::numeric_limits<double>::quiet_NaN();
            };
            Table1Row row;
            const double split = number("split");
            const double ratio = number("V");
            if (std::isnan(split) || std::isnan(ratio))
                return QStringLiteral("split and V must be numbers");
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
            return {};
        });
    if (!ok)
        return std::nullopt;
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
