#pragma once
// Files as whole units, shared by every room and app that writes results or models
// (Qt Core only, no LibTorch). Errors are aecnn::Error naming the file.

#include <QByteArray>
#include <QString>

namespace aecnn {

// Writes `data` to `path` through a temporary file renamed over it (QSaveFile), creating
// the folder if needed: a reader sees the old file or the new one, never a part.
void writeFileAtomically(const QString& path, const QByteArray& data);

// The whole file, refused when it is larger than `maxBytes`.
QByteArray readWholeFile(const QString& path, qint64 maxBytes);

// SHA-256 of the file's bytes, lower-case hex.
QString fileSha256(const QString& path);

} // namespace aecnn
