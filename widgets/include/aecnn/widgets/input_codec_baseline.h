#pragma once

#include <QByteArray>
#include <QString>
#include <optional>
#include <vector>

namespace aecnn::widgets {

// One way of sending the input image itself (resources/results/input-codec-baseline.csv,
// `aecnn baseline-input`): mean bytes per frame and the unsplit model's accuracy on the
// decoded images (lossless codecs: the unsplit model's own accuracy).
struct InputCodecPoint {
    QString codec;   // "png", "webp-lossless", "jpeg", "raw"
    int quality = 0; // JPEG quality; 0 = none
    bool lossless = false;
    double meanBytes = 0.0;
    double accuracy = 0.0; // in %
    QString label() const; // "PNG", "WebP lossless", "JPEG q75", "raw"
};

// One measured AECNN point of the compression frontier (resources/results/frontier.csv):
// all bytes the agent sends per frame and the accuracy at that split and V.
struct FrontierPoint {
    int split = 0;
    int ratio = 0;
    QString method;
    QString coder;
    int bits = 0;
    QString framing; // "frame" or "session"
    double accuracy = 0.0; // in %
    double baselineAccuracy = 0.0; // the unsplit model's, in %
    double wireBytes = 0.0;
    QString models;          // which models were measured ("Table I", "QAT"); empty if not given
    bool superseded = false; // the model file is an earlier commit's ("<commit>:<path>"), not the repository's
};

// '#' comment lines, a header row, columns found by name. Accuracies in the files are
// fractions (0..1) and are returned in %. On failure: nothing, *error says what and where.
std::optional<std::vector<InputCodecPoint>> parseInputCodecCsv(const QByteArray& text, const QString& origin,
                                                               QString* error);
std::optional<std::vector<FrontierPoint>> parseFrontierCsv(const QByteArray& text, const QString& origin,
                                                           QString* error);
std::optional<std::vector<InputCodecPoint>> readInputCodecCsv(const QString& path, QString* error);
std::optional<std::vector<FrontierPoint>> readFrontierCsv(const QString& path, QString* error);

} // namespace aecnn::widgets
