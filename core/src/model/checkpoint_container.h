#pragma once
// Internal to the model room: the container bytes of checkpoint files, shared by
// checkpoint.cpp (plain and derived checkpoints) and checkpoint_pack.cpp (packed ones).

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

namespace aecnn::checkpoint_container {

// "AECNNCKP" | u32 version | u32 0 | u64 section length | section | SHA-256 of all before.
// `metadata` must already list the tensors. Version 1: the section is the metadata
// (its length in the header) followed by `data`. Version 2: the section is one zstd
// frame of (u64 metadata length | metadata | data).
QByteArray containerBytes(quint32 version, const QJsonObject& metadata, const QByteArray& data, int zstdLevel = 19);

// The SHA-256 trailer of a checkpoint file's bytes (what a derived model records).
QByteArray trailerOf(const QByteArray& fileBytes);

// One zstd frame; decompression refuses frames without a recorded size or larger than
// `maxBytes`, errors name `source`.
QByteArray zstdCompressFrame(const QByteArray& bytes, int level);
QByteArray zstdDecompressFrame(QByteArrayView frame, qint64 maxBytes, const QString& source);

} // namespace aecnn::checkpoint_container
