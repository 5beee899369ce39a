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
#include "checkpoint_container.h"

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
    return checkpoint_container::containerBytes(Checkpoint::formatVersion, meta, data);
}

} // namespace

namespace checkpoint_container {

QByteArray containerBytes(quint32 version, const QJsonObject& metadata, const QByteArray& data, int zstdLevel)
{
    const QByteArray metaBytes = QJsonDocument(metadata).toJson(QJsonDocument::Compact);
    QByteArray section;
    if (version == 1) {
        section = metaBytes + data;
    } else {
        QByteArray inner;
        appendLE<quint64>(inner, static_cast<quint64>(metaBytes.size()));
        inner.append(metaBytes);
        inner.append(data);
        section = zstdCompressFrame(inner, zstdLevel);
    }
    QByteArray out(kMagic, sizeof(kMagic));
    appendLE<quint32>(out, version);
    appendLE<quint32>(out, 0);
    appendLE<quint64>(out, static_cast<quint64>(version == 1 ? metaBytes.size() : section.size()));
    out.append(section);
    out.append(QCryptographicHash::hash(out, QCryptographicHash::Sha256));
    return out;
}

QByteArray trailerOf(const QByteArray& bytes)
{
    return bytes.size() >= kHashBytes ? bytes.right(kHashBytes) : QByteArray();
}

} // namespace checkpoint_container

namespace {

using checkpoint_container::trailerOf;

} // namespace

QByteArray serializeCheckpoint(const Checkpoint& checkpoint)
{
    return serialize(checkpoint, nullptr, {});
}

namespace {

// The version-1 body (u64-less: metadata then data) of a checkpoint whose header and
// trailer were checked: for version 2 the decompressed zstd frame.
struct CheckpointBody {
    QByteArray storage; // version 2 only: the decompressed frame
    const char* metadata = nullptr;
    qint64 metadataLength = 0;
    const char* data = nullptr;
    qint64 dataSize = 0;
};

CheckpointBody checkpointBody(const QByteArray& bytes, quint32 version, quint64 sectionLength, const QString& source)
{
    CheckpointBody body;
    const qint64 end = bytes.size() - kHashBytes;
    if (version == Checkpoint::formatVersion) {
        body.metadata = bytes.constData() + kHeaderBytes;
        body.metadataLength = static_cast<qint64>(sectionLength);
        body.data = body.metadata + body.metadataLength;
        body.dataSize = end - kHeaderBytes - body.metadataLength;
        return body;
    }
    body.storage = checkpoint_container::zstdDecompressFrame(
        QByteArrayView(bytes.constData() + kHeaderBytes, static_cast<qsizetype>(sectionLength)), kMaxCheckpointBytes,
        source);
    const qint64 size = body.storage.size();
    const auto metaLength = size >= 8 ? readLE<quint64>(body.storage.constData()) : quint64(-1);
    if (metaLength > static_cast<quint64>(std::max<qint64>(size - 8, 0)))
        fail(source, "packed content: metadata length exceeds the content (corrupt file); re-create it");
    body.metadata = body.storage.constData() + 8;
    body.metadataLength = static_cast<qint64>(metaLength);
    body.data = body.metadata + body.metadataLength;
    body.dataSize = size - 8 - body.metadataLength;
    return body;
}

std::vector<int64_t> entryShape(const QJsonObject& entry, const std::string& name, const QString& source)
{
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
    return shape;
}

} // namespace

Checkpoint parseCheckpoint(const QByteArray& bytes, const QString& source)
{
    if (bytes.size() < kHeaderBytes + kHashBytes)
        fail(source, "file is too short to be a checkpoint (truncated?)");
    if (std::memcmp(bytes.constData(), kMagic, sizeof(kMagic)) != 0)
        fail(source, "not an AECNN checkpoint (bad magic); pass a file written by `aecnn train` or use torchvision:FILE");
    const auto version = readLE<quint32>(bytes.constData() + 8);
    if (version == 0 || version > Checkpoint::packedFormatVersion)
        fail(source, "format version " + std::to_string(version) + " is not supported (this build reads up to " +
                         std::to_string(Checkpoint::packedFormatVersion) + "); upgrade aecnn");
    const auto sectionLength = readLE<quint64>(bytes.constData() + 16);
    const qint64 end = bytes.size() - kHashBytes;
    if (sectionLength > static_cast<quint64>(end - kHeaderBytes))
        fail(source, "metadata length exceeds the file size (truncated or corrupt file)");
    const QByteArray expected = QCryptographicHash::hash(QByteArrayView(bytes.constData(), end), QCryptographicHash::Sha256);
    if (std::memcmp(expected.constData(), bytes.constData() + end, kHashBytes) != 0)
        fail(source, "checksum mismatch: the file is truncated, corrupt or was modified; re-create it");
    const CheckpointBody body = checkpointBody(bytes, version, sectionLength, source);

    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(QByteArray(body.metadata, static_cast<qsizetype>(body.metadataLength)),
                                             &parseError);
    if (doc.isNull() || !doc.isObject())
        fail(source, "metadata is not a JSON object: " + parseError.errorString().toStdString());

    Checkpoint checkpoint;
    checkpoint.metadata = doc.object();
    const bool hasBase = checkpoint.metadata.value("base").isObject();
    for (const auto& value : checkpoint.metadata.value("tensors").toArray()) {
        const auto entry = value.toObject();
        const auto name = entry.value("name").toString().toStdString();
        const auto* dtype = dtypeByName(entry.value("dtype").toString());
        if (name.empty() || !dtype)
            fail(source, "tensor entry without a name or with an unknown dtype");
        const auto shape = entryShape(entry, name, source);
        const auto placeholder = [&] { return torch::empty(shape, torch::TensorOptions().dtype(dtype->type)); };
        if (entry.contains("base_tensor")) {
            Checkpoint::BaseReference reference;
            reference.index = checkpoint.tensors.size();
            reference.baseTensor = entry.value("base_tensor").toString().toStdString();
            if (reference.baseTensor.empty() || !hasBase)
                fail(source, "tensor '" + name + "' refers to a base checkpoint that the file does not name");
            checkpoint.baseReferences.push_back(std::move(reference));
            checkpoint.tensors.emplace_back(name, placeholder());
            continue;
        }
        const std::string what = "checkpoint " + source.toStdString() + ": tensor '" + name + "'";
        const auto encoding = tensorEncodingFromString(entry.value("encoding").toString("exact").toStdString(), what);
        const int bits = entry.value("bits").toInt(0);
        const auto offset = entry.value("offset").toInteger(-1);
        const auto nbytes = entry.value("bytes").toInteger(-1);
        if (nbytes != encodedPayloadBytes(encoding, bits, shape, dtype->type) || offset < 0 ||
            offset > body.dataSize || nbytes > body.dataSize - offset)
            fail(source, "tensor '" + name + "' lies outside the data section or disagrees with its shape");
        const QByteArrayView payload(body.data + offset, static_cast<qsizetype>(nbytes));
        if (!needsReference(encoding)) {
            checkpoint.tensors.emplace_back(name, decodeTensor(encoding, bits, shape, dtype->type, payload, {}, what));
            continue;
        }
        Checkpoint::BaseReference reference;
        reference.index = checkpoint.tensors.size();
        reference.baseTensor = entry.value("reference").toString().toStdString();
        if (reference.baseTensor.empty() || !hasBase)
            fail(source, "tensor '" + name + "' is stored relative to a base checkpoint that the file does not name");
        reference.packed = true;
        reference.encoding = encoding;
        reference.bits = bits;
        reference.referenceDim = entry.value("reference_dim").toInt(-1);
        reference.payload = payload.toByteArray();
        checkpoint.baseReferences.push_back(std::move(reference));
        checkpoint.tensors.emplace_back(name, placeholder());
    }
    checkpoint.metadata.remove("tensors");
    return checkpoint;
}

namespace {

constexpr int kMaxBaseDepth = 4;

Checkpoint checkpointFromBytes(const QByteArray& bytes, const QString& path, int depth,
                               std::optional<CheckpointKind> expected = std::nullopt);

// The base tensor with only the model's "kept_channels" along `dim` (the pruned
// model's base after the same filter surgery).
torch::Tensor keptChannelsOf(const torch::Tensor& baseTensor, int dim, const Checkpoint& checkpoint,
                             const QString& path, const std::string& name)
{
    std::vector<int64_t> kept;
    for (const auto& c : checkpoint.metadata.value("kept_channels").toArray())
        kept.push_back(c.toInteger(-1));
    if (dim >= baseTensor.dim() || kept.empty())
        fail(path, "tensor '" + name + "' is stored relative to the kept channels along dim " + std::to_string(dim) +
                       " of its base tensor, but the file has no kept_channels or the base tensor no such dim");
    for (auto c : kept)
        if (c < 0 || c >= baseTensor.size(dim))
            fail(path, "kept_channels holds " + std::to_string(c) + ", outside the base tensor's " +
                           std::to_string(baseTensor.size(dim)) + " channels (tensor '" + name + "')");
    return baseTensor.index_select(dim, torch::tensor(kept, torch::kInt64));
}

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
    QStringList mismatched;
    for (const auto& candidate : candidates) {
        if (!QFileInfo(candidate).isFile())
            continue;
        const QByteArray bytes = readWholeFile(candidate, kMaxCheckpointBytes);
        if (trailerOf(bytes) != sha) {
            mismatched.append(candidate);
            continue;
        }
        const Checkpoint base = checkpointFromBytes(bytes, candidate, depth + 1);
        for (const auto& reference : checkpoint.baseReferences) {
            auto& [name, tensor] = checkpoint.tensors[reference.index];
            const auto* found = base.find(reference.baseTensor);
            if (!found || (!reference.packed && (found->scalar_type() != tensor.scalar_type() ||
                                                 found->sizes() != tensor.sizes())))
                fail(path, "tensor '" + name + "' refers to '" + reference.baseTensor + "' of base " +
                               candidate.toStdString() + ", which is missing there or has another dtype or shape");
            if (!reference.packed) {
                tensor = found->clone();
                continue;
            }
            const auto referenceTensor = reference.referenceDim >= 0
                                  ? keptChannelsOf(*found, reference.referenceDim, checkpoint, path, name)
                                  : *found;
            tensor = decodeTensor(reference.encoding, reference.bits, tensor.sizes().vec(), tensor.scalar_type(),
                                  reference.payload, referenceTensor,
                                  "checkpoint " + path.toStdString() + ": tensor '" + name + "' (relative to '" +
                                      reference.baseTensor + "' of base " + candidate.toStdString() + ")");
        }
        checkpoint.baseReferences.clear();
        return;
    }
    std::string found;
    for (const auto& candidate : mismatched)
        found += "; " + candidate.toStdString() + " exists but is another or a modified model (SHA-256 differs)";
    fail(path, "it was derived from the base model '" + file.toStdString() + "' (SHA-256 " +
                   record.value("sha256").toString().left(16).toStdString() +
                   "...), which is neither next to it nor the default model (" + defaultModelPath().toStdString() +
                   ")" + found + "; put that exact file next to it or re-create the model");
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
