#include "aecnn/io/file_io.h"

#include <string>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include "aecnn/error.h"

namespace aecnn {

void writeFileAtomically(const QString& path, const QByteArray& data)
{
    const QFileInfo info(path);
    if (!info.absoluteDir().exists() && !QDir().mkpath(info.absolutePath()))
        throw Error("cannot create directory " + info.absolutePath().toStdString());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error("cannot write " + path.toStdString() + ": " + file.errorString().toStdString());
    if (file.write(data) != data.size() || !file.commit())
        throw Error("writing " + path.toStdString() + " failed: " + file.errorString().toStdString() +
                    " (the previous file, if any, is unchanged)");
}

QByteArray readWholeFile(const QString& path, qint64 maxBytes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot open " + path.toStdString() + ": " + file.errorString().toStdString());
    if (file.size() > maxBytes)
        throw Error(path.toStdString() + " is larger than the limit of " + std::to_string(maxBytes) + " bytes");
    return file.readAll();
}

QString fileSha256(const QString& path)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
        throw Error("cannot read " + path.toStdString() + ": " + file.errorString().toStdString());
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace aecnn
