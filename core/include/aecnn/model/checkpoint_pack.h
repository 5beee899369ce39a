#pragma once

#include <string>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "aecnn/model/checkpoint.h"

namespace aecnn {

// Packed checkpoints: a model fine-tuned from a base model (every tensor changed a
// little, as after Algorithm 1) stored as small differences to that base, in format
// version 2 (checkpoint.h); readCheckpoint loads them like any other checkpoint.
//
// Per tensor (packed_tensor.h for the encodings):
//   * the reference is the base tensor nearest to it (least squared difference) among
//     those of the same shape and, when the model lists "kept_channels" of
//     "feature_channels" C, the base tensors of size C along one dim reduced to the kept
//     channels there (the pruned model's base after the same surgery); a reference is
//     used only when it is nearer than zero;
//   * float32 of rank >= 2 with a reference: int_delta with `bits`;
//     float32 of rank < 2 with a reference (BN, biases): float16_delta;
//     float32 of rank >= 2 without one (added modules: FR, BottleNet++ encoder/decoder): float16;
//     everything else: exact.
struct PackOptions {
    int bits = 8;        // int_delta precision, 2..16
    int zstdLevel = 19;  // 1..22
};

struct PackedTensorReport {
    std::string name;
    std::string encoding;
    std::string reference;   // base tensor name, empty without one
    int referenceDim = -1;   // >= 0: kept channels along this dim
    qint64 payloadBytes = 0; // before zstd
    double maxAbs = 0;       // max |value|
    double maxAbsError = 0;  // max |decoded - value|
};

struct PackReport {
    QString path;
    QString basePath;
    qint64 fileBytes = 0;
    qint64 float32Bytes = 0; // the model's tensors as float32 / their own dtype
    double maxAbsError = 0;
    double maxRelativeError = 0; // max over tensors of maxAbsError / maxAbs
    std::vector<PackedTensorReport> tensors;

    QJsonObject toJson(bool withTensors) const;
};

// The packed file's bytes; `baseBytes` is the base checkpoint file (plain or itself
// derived, resolved through `basePath`), `baseRecordFile` the base's path relative to
// the packed file. The report's errors come from decoding the packed tensors again.
QByteArray packCheckpoint(const Checkpoint& checkpoint, const Checkpoint& base, const QByteArray& baseBytes,
                          const QString& baseRecordFile, const PackOptions& options, PackReport& report);

// Reads the base at `basePath`, packs, writes `path` atomically; throws aecnn::Error.
PackReport writePackedCheckpoint(const QString& path, const Checkpoint& checkpoint, const QString& basePath,
                                 const PackOptions& options = {});

} // namespace aecnn
