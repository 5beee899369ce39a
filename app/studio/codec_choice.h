#pragma once

#include <QString>
#include <vector>

namespace aecnn::studio {

// One measured point of resources/results/codec-accuracy.csv: a trained model set at
// one split and V, coded with one representation, bit depth and coder.
struct CodecAccuracyRow {
    QString models; // which trained model set ("table1", "long")
    int split = 0;
    int ratio = 0;
    QString repr;   // "uint", "float32", "float16"
    QString coder;  // "zstd", "context", ...
    int bits = 0;   // uint only
    double accuracyPct = 0.0;
    double frameBytes = 0.0; // mean whole frame (header and CRC included)
    QString codecName() const; // the studio's name: "uint4+context", "float32+zstd"
};

// The best measured codec for a split and V: the fewest bytes per frame among the
// points within `maxLossPoints` of lossless (the float32 frames of the same model set).
struct CodecChoice {
    QString codec;           // a codec name for StudioConfig
    bool measured = false;   // false: no measurement, `codec` is the built-in default
    double accuracyPct = 0.0;
    double losslessPct = 0.0;
    double frameBytes = 0.0;
    QString models;
    QString source;          // the file read
    QString description() const; // one line for the controls
};

// Reads codec-accuracy.csv (comment lines '#', a header naming the columns). Empty with
// *error set when the file is missing or has none of the needed columns.
std::vector<CodecAccuracyRow> readCodecAccuracy(const QString& path, QString* error);

// Chooses among `rows`; when nothing was measured for (split, ratio), returns
// `fallback` with measured = false.
CodecChoice bestMeasuredCodec(const std::vector<CodecAccuracyRow>& rows, int split, int ratio, const QString& fallback,
                              double maxLossPoints = 0.5);

} // namespace aecnn::studio
