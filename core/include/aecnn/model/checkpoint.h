#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <QJsonObject>
#include <QString>

#include <torch/types.h>

#include "aecnn/model/checkpoint_kind.h"
#include "aecnn/model/packed_tensor.h"

#include "aecnn/io/file_io.h" // writeFileAtomically, readWholeFile (were declared here)

namespace aecnn {

// The on-disk container for every model the project saves.
//
// Layout (little endian):
//   "AECNNCKP" | u32 format version | u32 reserved (0) | u64 metadata length |
//   metadata (UTF-8 JSON) | tensor data | SHA-256 of all preceding bytes (32 bytes)
// The metadata lists each tensor's name, dtype, shape, offset and byte count
// inside the data section.
//
// Derived checkpoints: a model made from a base model by training a few layers
// (e.g. feature recovery on a frozen backbone) stores only what differs. Each
// tensor bitwise equal to a tensor of the base is written as a reference
// ({"base_tensor": name in the base}, no data), and metadata "base" records the
// base file (relative to the derived file) and the SHA-256 trailer of that file.
//
// Packed checkpoints (format version 2, checkpoint_pack.h): the bytes after the 16-byte
// header up to the SHA-256 trailer are one zstd frame whose content is what version 1
// stores there (u64 metadata length | metadata | data). Tensor entries may then carry
// "encoding" (packed_tensor.h) and "bits"; an entry with "reference" stores its
// difference to that tensor of the base model, and with "reference_dim" d to that
// tensor with only the metadata's "kept_channels" along dim d (a pruned model's base
// after the same filter surgery). readCheckpoint decodes them; no caller sees packing.
struct Checkpoint {
    static constexpr quint32 formatVersion = 1;
    static constexpr quint32 packedFormatVersion = 2;

    QJsonObject metadata;
    std::vector<std::pair<std::string, torch::Tensor>> tensors;

    // Filled by parseCheckpoint for a derived checkpoint until readCheckpoint resolves them.
    struct BaseReference {
        size_t index = 0;       // into tensors
        std::string baseTensor; // name in the base
        // Packed entries: what is stored relative to the base tensor.
        bool packed = false;
        TensorEncoding encoding = TensorEncoding::Exact;
        int bits = 0;
        int referenceDim = -1; // >= 0: the base tensor's "kept_channels" along this dim
        QByteArray payload;
    };
    std::vector<BaseReference> baseReferences;

    const torch::Tensor* find(const std::string& name) const;
};

QByteArray serializeCheckpoint(const Checkpoint& checkpoint);
// `source` names the data in error messages (usually the file path). Base
// references stay unresolved (see Checkpoint::baseReferences).
Checkpoint parseCheckpoint(const QByteArray& bytes, const QString& source);

// Atomic: the file is written under a temporary name and renamed on success.
// With `basePath`, tensors equal to one of that checkpoint's are stored as references.
void writeCheckpoint(const QString& path, const Checkpoint& checkpoint, const QString& basePath = {});
// Resolves base references: the base is looked for at its recorded place relative
// to `path`, then at the default model's path; its SHA-256 must match the record.
Checkpoint readCheckpoint(const QString& path);
// The metadata alone (file checked, base references left unresolved).
QJsonObject readCheckpointMetadata(const QString& path);

// Typed readers, what every loader of a model uses: as above, and the file must hold
// a model of kind `expected` (checkpoint_kind.h; aliases accepted), checked before any
// base model is looked for. Otherwise aecnn::Error naming the file, what it holds,
// what was expected and where to get that.
Checkpoint readCheckpoint(const QString& path, CheckpointKind expected);
Checkpoint parseCheckpoint(const QByteArray& bytes, const QString& source, CheckpointKind expected);
// The kind of the model in a checkpoint file (metadata only); nullopt when the file
// names no kind this build knows. Throws aecnn::Error when the file is no checkpoint.
std::optional<CheckpointKind> readCheckpointKind(const QString& path);

// Writes `data` to `path` atomically (QSaveFile); throws aecnn::Error on failure.

} // namespace aecnn
