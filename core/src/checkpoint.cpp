#include "aecnn/checkpoint.h"

#include <cstring>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <torch/torch.h>

#include "aecnn/error.h"

namespace aecnn {
namespace {

constexpr char kMagic[8] = {'A', 'E', 'C', 'N', 'N', 'C', 'K', 'P'};
constexpr int kHeaderBytes = 8 + 4 + 4 + 8;
constexpr int kHashBytes = 32;
constexpr qint64 kMaxCheckpointBytes = qint64(4) << 30;

struct DtypeInfo {
    const char* name;
    torch::ScalarType type;
    int size;
};
constexpr DtypeInfo kDtypes[] = {
    {"float32", torch::kFloat32, 4}, {"float16", torch::kFloat16, 2}, {"int64", torch::kInt64, 8},
    {"int32", torch::kInt32, 4},     {"uint8", torch::kUInt8, 1},     {"int8", torch::kInt8, 1},
};

const DtypeInfo* dtypeByType(torch::ScalarType type)
{
    for (const auto& d : kDtypes)
        if (d.type == type)
            return &d;
    return nullptr;
}

const DtypeInfo* dtypeByName(const QString& name)
{
    for (const auto& d : kDtypes)
        if (name == QLatin1String(d.name))
            return &d;
    return nullptr;
}

template <typename T> void appendLE(QByteArray& out, T value)
{
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T)); // all supported targets are little endian
    out.append(bytes, sizeof(T));
}

template <typename T> T readLE(const char* p)
{
    T value;
    std::memcpy(&value, p, sizeof(T));
    return value;
}

[[noreturn]] void fail(const QString& source, const std::string& what)
{
    throw Error("checkpoint " + source.toStdString() + ": " + what);
}

} // namespace

const torch::Tensor* Checkpoint::find(const std::string& name) const
{
    for (const auto& [n, t] : tensors)
        if (n == name)
            return &t;
    return nullptr;
}

QByteArray serializeCheckpoint(const Checkpoint& checkpoint)
{
    QJsonArray entries;
    QByteArray data;
    for (const auto& [name, tensor] : checkpoint.tensors) {
        const auto contiguous = tensor.detach().contiguous().cpu();
        const auto* dtype = dtypeByType(contiguous.scalar_type());
        if (!dtype)
            throw Error("cannot save tensor '" + name + "': unsupported dtype");
        QJsonArray shape;
        for (auto d : contiguous.sizes())
            shape.append(static_cast<qint64>(d));
        const qint64 nbytes = contiguous.numel() * dtype->size;
        QJsonObject entry{{"name", QString::fromStdString(name)},
                          {"dtype", dtype->name},
                          {"shape", shape},
                          {"offset", static_cast<qint64>(data.size())},
                          {"bytes", nbytes}};
        entries.append(entry);
        data.append(static_cast<const char*>(contiguous.data_ptr()), static_cast<qsizetype>(nbytes));
    }
    QJsonObject meta = checkpoint.metadata;
    meta["tensors"] = entries;
    const QByteArray metaBytes = QJsonDocument(meta).toJson(QJsonDocument::Compact);

    QByteArray out(kMagic, sizeof(kMagic));
    appendLE<quint32>(out, Checkpoint::formatVersion);
    appendLE<quint32>(out, 0);
    appendLE<quint64>(out, static_cast<quint64>(metaBytes.size()));
    out.append(metaBytes);
    out.append(data);
    out.append(QCryptographicHash::hash(out, QCryptographicHash::Sha256));
    return out;
}

Checkpoint parseCheckpoint(const QByteArray& bytes, const QString& source)
{
    if (bytes.size() < kHeaderBytes + kHashBytes)
        fail(source, "file is too short to be a checkpoint (truncated?)");
    if (std::memcmp(bytes.constData(), kMagic, sizeof(kMagic)) != 0)
        fail(source, "not an AECNN checkpoint (bad magic); pass a file written by `aecnn train` or use torchvision:FILE");
    const auto version = readLE<quint32>(bytes.constData() + 8);
    if (version == 0 || version > Checkpoint::formatVersion)
        fail(source, "format version " + std::to_string(version) + " is not supported (this build reads up to " +
                         std::to_string(Checkpoint::formatVersion) + "); upgrade aecnn");
    const auto metaLength = readLE<quint64>(bytes.constData() + 16);
    const qint64 body = bytes.size() - kHashBytes;
    if (metaLength > static_cast<quint64>(body - kHeaderBytes))
        fail(source, "metadata length exceeds the file size (truncated or corrupt file)");
    const QByteArray expected = QCryptographicHash::hash(QByteArrayView(bytes.constData(), body), QCryptographicHash::Sha256);
    if (std::memcmp(expected.constData(), bytes.constData() + body, kHashBytes) != 0)
        fail(source, "checksum mismatch: the file is truncated, corrupt or was modified; re-create it");

    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(
        QByteArray(bytes.constData() + kHeaderBytes, static_cast<qsizetype>(metaLength)), &parseError);
    if (doc.isNull() || !doc.isObject())
        fail(source, "metadata is not a JSON object: " + parseError.errorString().toStdString());

    Checkpoint checkpoint;
    checkpoint.metadata = doc.object();
    const qint64 dataStart = kHeaderBytes + static_cast<qint64>(metaLength);
    const qint64 dataSize = body - dataStart;
    for (const auto& value : checkpoint.metadata.value("tensors").toArray()) {
        const auto entry = value.toObject();
        const auto name = entry.value("name").toString().toStdString();
        const auto* dtype = dtypeByName(entry.value("dtype").toString());
        if (name.empty() || !dtype)
            fail(source, "tensor entry without a name or with an unknown dtype");
        std::vector<int64_t> shape;
        int64_t numel = 1;
        for (const auto& d : entry.value("shape").toArray()) {
            const auto dim = d.toInteger(-1);
            if (dim < 0 || dim > (int64_t(1) << 31))
                fail(source, "tensor '" + name + "' has an invalid shape");
            shape.push_back(dim);
            numel *= dim;
            if (numel > (int64_t(1) << 32))
                fail(source, "tensor '" + name + "' is too large");
        }
        const auto offset = entry.value("offset").toInteger(-1);
        const auto nbytes = entry.value("bytes").toInteger(-1);
        if (nbytes != numel * dtype->size || offset < 0 || offset > dataSize || nbytes > dataSize - offset)
            fail(source, "tensor '" + name + "' lies outside the data section or disagrees with its shape");
        auto tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype->type));
        std::memcpy(tensor.data_ptr(), bytes.constData() + dataStart + offset, static_cast<size_t>(nbytes));
        checkpoint.tensors.emplace_back(name, tensor);
    }
    checkpoint.metadata.remove("tensors");
    return checkpoint;
}

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

void writeCheckpoint(const QString& path, const Checkpoint& checkpoint)
{
    writeFileAtomically(path, serializeCheckpoint(checkpoint));
}

Checkpoint readCheckpoint(const QString& path)
{
    return parseCheckpoint(readWholeFile(path, kMaxCheckpointBytes), path);
}

} // namespace aecnn
