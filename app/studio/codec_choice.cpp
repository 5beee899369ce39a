#include "codec_choice.h"

#include <QFile>
#include <QHash>
#include <QStringList>
#include <algorithm>

#include "studio_config.h"

namespace aecnn::studio {

QString CodecAccuracyRow::codecName() const
{
    if (repr == QLatin1String("uint"))
        return QStringLiteral("uint%1+%2").arg(bits).arg(coder);
    return repr + QLatin1Char('+') + coder;
}

QString CodecChoice::description() const
{
    if (!measured)
        return QObject::tr("No codec-accuracy measurement for this split and V (%1): %2 is the built-in default")
            .arg(source.isEmpty() ? QObject::tr("file not found") : source, codec);
    return QObject::tr("Best measured: %1, %2 % (lossless %3 %), %4 B/frame - the fewest bytes within 0.5 point of "
                       "lossless (codec-accuracy.csv, %5 models)")
        .arg(codec)
        .arg(accuracyPct, 0, 'f', 2)
        .arg(losslessPct, 0, 'f', 2)
        .arg(frameBytes, 0, 'f', 0)
        .arg(models);
}

std::vector<CodecAccuracyRow> readCodecAccuracy(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = QObject::tr("cannot read %1: %2").arg(path, file.errorString());
        return {};
    }
    std::vector<CodecAccuracyRow> rows;
    QHash<QString, int> column;
    const QStringList needed{QStringLiteral("models"), QStringLiteral("split"), QStringLiteral("ratio"),
                             QStringLiteral("repr"), QStringLiteral("codec"), QStringLiteral("bits"),
                             QStringLiteral("accuracy_pct"), QStringLiteral("mean_frame_bytes")};
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList cells = line.split(QLatin1Char(','));
        if (column.isEmpty()) {
            for (int i = 0; i < cells.size(); ++i)
                column.insert(cells[i].trimmed(), i);
            for (const QString& name : needed)
                if (!column.contains(name)) {
                    *error = QObject::tr("%1 has no column '%2'").arg(path, name);
                    return {};
                }
            continue;
        }
        auto cell = [&](const char* name) { return cells.value(column.value(QLatin1String(name))).trimmed(); };
        CodecAccuracyRow row;
        bool ok[5] = {};
        row.models = cell("models");
        row.split = cell("split").toInt(&ok[0]);
        row.ratio = cell("ratio").toInt(&ok[1]);
        row.repr = cell("repr");
        row.coder = cell("codec");
        row.bits = cell("bits").toInt(&ok[2]);
        row.accuracyPct = cell("accuracy_pct").toDouble(&ok[3]);
        row.frameBytes = cell("mean_frame_bytes").toDouble(&ok[4]);
        if (std::all_of(std::begin(ok), std::end(ok), [](bool b) { return b; }))
            rows.push_back(row);
    }
    if (rows.empty())
        *error = QObject::tr("%1 has no measured rows").arg(path);
    return rows;
}

CodecChoice bestMeasuredCodec(const std::vector<CodecAccuracyRow>& rows, int split, int ratio, const QString& fallback,
                              double maxLossPoints)
{
    CodecChoice best;
    best.codec = fallback;
    // Lossless = the float32 frames of the same model set (the model alone, no quantization).
    QHash<QString, double> lossless;
    for (const CodecAccuracyRow& row : rows)
        if (row.split == split && row.ratio == ratio && row.repr == QLatin1String("float32"))
            lossless[row.models] = std::max(lossless.value(row.models, 0.0), row.accuracyPct);
    for (const CodecAccuracyRow& row : rows) {
        if (row.split != split || row.ratio != ratio || !lossless.contains(row.models))
            continue;
        const double reference = lossless.value(row.models);
        if (row.accuracyPct < reference - maxLossPoints - 1e-9)
            continue;
        if (best.measured && row.frameBytes >= best.frameBytes)
            continue;
        QString unused;
        if (agentCodecSettings(row.codecName(), &unused).isEmpty())
            continue; // a combination this studio cannot configure
        best.measured = true;
        best.codec = row.codecName();
        best.accuracyPct = row.accuracyPct;
        best.losslessPct = reference;
        best.frameBytes = row.frameBytes;
        best.models = row.models;
    }
    return best;
}

} // namespace aecnn::studio
