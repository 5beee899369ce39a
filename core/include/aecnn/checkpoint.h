#pragma once

#include <string>
#include <utility>
#include <vector>

#include <QJsonObject>
#include <QString>

#include <torch/types.h>

namespace aecnn {

// The on-disk container for every model the project saves.
//
// Layout (little endian):
//   "AECNNCKP" | u32 format version | u32 reserved (0) | u64 metadata length |
//   metadata (UTF-8 JSON) | tensor data | SHA-256 of all preceding bytes (32 bytes)
// The metadata lists each tensor's name, dtype, shape, offset and byte count
// inside the data section.
struct Checkpoint {
    static constexpr quint32 formatVersion = 1;

    QJsonObject metadata;
    std::vector<std::pair<std::string, torch::Tensor>> tensors;

    const torch::Tensor* find(const std::string& name) const;
};

QByteArray serializeCheckpoint(const Checkpoint& checkpoint);
// `source` names the data in error messages (usually the file path).
Checkpoint parseCheckpoint(const QByteArray& bytes, const QString& source);

// Atomic: the file is written under a temporary name and renamed on success.
void writeCheckpoint(const QString& path, const Checkpoint& checkpoint);
Checkpoint readCheckpoint(const QString& path);

// Writes `data` to `path` atomically (QSaveFile); throws aecnn::Error on failure.
void writeFileAtomically(const QString& path, const QByteArray& data);
QByteArray readWholeFile(const QString& path, qint64 maxBytes);

} // namespace aecnn
