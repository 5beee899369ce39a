#include "aecnn/model/checkpoint.h"

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
#include "aecnn/model/model_spec.h"

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

namespace {

// The name of a tensor of `base` bitwise equal to `tensor`, or empty.
std::string equalTensorIn(const Checkpoint& base, const torch::Tensor& tensor)
{
    for (const auto& [name, candidate] : base.tensors)
        if (candidate.defined() && candidate.scalar_type() == tensor.scalar_type() &&
            candidate.sizes() == tensor.sizes() && torch::equal(candidate, tensor))
            return name;
    return {};
}

QByteArray serialize(const Checkpoint& checkpoint, const Checkpoint* base, const QJsonObject& baseRecord)
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
        QJsonObject entry{{"name", QString::fromStdString(name)}, {"dtype", dtype->name}, {"shape", shape}};
        if (const auto baseName = base ? equalTensorIn(*base, contiguous) : std::string(); !baseName.empty()) {
            entry.insert("base_tensor", QString::fromStdString(baseName));
        } else {
            const qint64 nbytes = contiguous.numel() * dtype->size;
            entry.insert("offset", static_cast<qint64>(data.size()));
            entry.insert("bytes", nbytes);
            data.append(static_cast<const char*>(contiguous.data_ptr()), static_cast<qsizetype>(nbytes));
        }
        entries.append(entry);
    }
    QJsonObject meta = checkpoint.metadata;
    meta["tensors"] = entries;
    if (base)
        meta["base"] = baseRecord;
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

QByteArray trailerOf(const QByteArray& bytes)
{
    return bytes.size() >= kHashBytes ? bytes.right(kHashBytes) : QByteArray();
}

} // namespace

QByteArray serializeCheckpoint(const Checkpoint& checkpoint)
{
    return serialize(checkpoint, nullptr, {});
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
        if (entry.contains("base_tensor")) {
            const auto baseName = entry.value("base_tensor").toString().toStdString();
            if (baseName.empty() || !checkpoint.metadata.value("base").isObject())
                fail(source, "tensor '" + name + "' refers to a base checkpoint that the file does not name");
            checkpoint.baseReferences.emplace_back(checkpoint.tensors.size(), baseName);
            checkpoint.tensors.emplace_back(name, torch::empty(shape, torch::TensorOptions().dtype(dtype->type)));
            continue;
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

namespace {

constexpr int kMaxBaseDepth = 4;

Checkpoint checkpointFromBytes(const QByteArray& bytes, const QString& path, int depth,
                               std::optional<CheckpointKind> expected = std::nullopt);

// Fills the base references of `checkpoint` (read from `path`) from its base file.
void resolveBase(Checkpoint& checkpoint, const QString& path, int depth)
{
    const auto record = checkpoint.metadata.value("base").toObject();
    const QString file = record.value("file").toString();
    const QByteArray sha = QByteArray::fromHex(record.value("sha256").toString().toLatin1());
    if (file.isEmpty() || sha.size() != kHashBytes)
        fail(path, "the base model record is incomplete (needs file and sha256); re-create the model");
    if (depth >= kMaxBaseDepth)
        fail(path, "base models nest deeper than " + std::to_string(kMaxBaseDepth) + " levels");
    const QStringList candidates{QFileInfo(path).dir().filePath(file), defaultModelPath()};
    for (const auto& candidate : candidates) {
        if (!QFileInfo(candidate).isFile())
            continue;
        const QByteArray bytes = readWholeFile(candidate, kMaxCheckpointBytes);
        if (trailerOf(bytes) != sha)
            continue;
        const Checkpoint base = checkpointFromBytes(bytes, candidate, depth + 1);
        for (const auto& [index, baseName] : checkpoint.baseReferences) {
            auto& [name, tensor] = checkpoint.tensors[index];
            const auto* found = base.find(baseName);
            if (!found || found->scalar_type() != tensor.scalar_type() || found->sizes() != tensor.sizes())
                fail(path, "tensor '" + name + "' refers to '" + baseName + "' of base " + candidate.toStdString() +
                               ", which is missing there or has another dtype or shape");
            tensor = found->clone();
        }
        checkpoint.baseReferences.clear();
        return;
    }
    fail(path, "it was derived from the base model '" + file.toStdString() + "' (SHA-256 " +
                   record.value("sha256").toString().left(16).toStdString() +
                   "...), which is neither next to it nor the default model (" + defaultModelPath().toStdString() +
                   "); put that exact file next to it or re-create the model");
}

// `bytes` are the whole file at `path`. With `expected`, the kind is checked before
// the base is resolved (a file of the wrong kind is reported as such, not as a missing base).
Checkpoint checkpointFromBytes(const QByteArray& bytes, const QString& path, int depth,
                               std::optional<CheckpointKind> expected)
{
    auto checkpoint = expected ? parseCheckpoint(bytes, path, *expected) : parseCheckpoint(bytes, path);
    if (!checkpoint.baseReferences.empty())
        resolveBase(checkpoint, path, depth);
    return checkpoint;
}

} // namespace

void writeCheckpoint(const QString& path, const Checkpoint& checkpoint, const QString& basePath)
{
    if (basePath.isEmpty()) {
        writeFileAtomically(path, serializeCheckpoint(checkpoint));
        return;
    }
    const QByteArray baseBytes = readWholeFile(basePath, kMaxCheckpointBytes);
    const Checkpoint base = checkpointFromBytes(baseBytes, basePath, 0);
    const QString relative = QFileInfo(path).absoluteDir().relativeFilePath(QFileInfo(basePath).absoluteFilePath());
    const QJsonObject record{{"file", relative}, {"sha256", QString::fromLatin1(trailerOf(baseBytes).toHex())}};
    writeFileAtomically(path, serialize(checkpoint, &base, record));
}

Checkpoint readCheckpoint(const QString& path)
{
    return checkpointFromBytes(readWholeFile(path, kMaxCheckpointBytes), path, 0);
}

QJsonObject readCheckpointMetadata(const QString& path)
{
    return parseCheckpoint(readWholeFile(path, kMaxCheckpointBytes), path).metadata;
}

Checkpoint parseCheckpoint(const QByteArray& bytes, const QString& source, CheckpointKind expected)
{
    auto checkpoint = parseCheckpoint(bytes, source);
    requireCheckpointKind(checkpoint.metadata, expected, "checkpoint " + source);
    return checkpoint;
}

Checkpoint readCheckpoint(const QString& path, CheckpointKind expected)
{
    return checkpointFromBytes(readWholeFile(path, kMaxCheckpointBytes), path, 0, expected);
}

std::optional<CheckpointKind> readCheckpointKind(const QString& path)
{
    return checkpointKindOf(readCheckpointMetadata(path));
}

} // namespace aecnn
