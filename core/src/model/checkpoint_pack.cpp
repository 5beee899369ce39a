#include "aecnn/model/checkpoint_pack.h"

#include <limits>

#include <QFileInfo>
#include <QJsonArray>

#include <torch/torch.h>
#include <zstd.h>

#include "aecnn/error.h"
#include "aecnn/io/file_io.h"
#include "checkpoint_container.h"

namespace aecnn {

namespace checkpoint_container {

QByteArray zstdCompressFrame(const QByteArray& bytes, int level)
{
    QByteArray out(static_cast<qsizetype>(ZSTD_compressBound(static_cast<size_t>(bytes.size()))), Qt::Uninitialized);
    const size_t n = ZSTD_compress(out.data(), static_cast<size_t>(out.size()), bytes.constData(),
                                   static_cast<size_t>(bytes.size()), level);
    if (ZSTD_isError(n))
        throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
    out.truncate(static_cast<qsizetype>(n));
    return out;
}

QByteArray zstdDecompressFrame(QByteArrayView frame, qint64 maxBytes, const QString& source)
{
    const auto size = ZSTD_getFrameContentSize(frame.data(), static_cast<size_t>(frame.size()));
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN)
        throw Error("checkpoint " + source.toStdString() +
                    ": the packed content is no zstd frame with a recorded size (corrupt file); re-create it");
    if (size > static_cast<unsigned long long>(maxBytes))
        throw Error("checkpoint " + source.toStdString() + ": the packed content would be " + std::to_string(size) +
                    " bytes, more than the " + std::to_string(maxBytes) + " allowed");
    QByteArray out(static_cast<qsizetype>(size), Qt::Uninitialized);
    const size_t n = ZSTD_decompress(out.data(), static_cast<size_t>(size), frame.data(), static_cast<size_t>(frame.size()));
    if (ZSTD_isError(n) || n != size)
        throw Error("checkpoint " + source.toStdString() + ": the packed content does not decompress (" +
                    (ZSTD_isError(n) ? std::string(ZSTD_getErrorName(n)) : std::string("short frame")) +
                    "); the file is corrupt, re-create it");
    return out;
}

} // namespace checkpoint_container

namespace {

struct PackReference {
    std::string name;
    int dim = -1;
    torch::Tensor tensor; // undefined: none
};

std::vector<int64_t> packKeptChannels(const QJsonObject& metadata)
{
    std::vector<int64_t> kept;
    for (const auto& c : metadata.value("kept_channels").toArray())
        kept.push_back(c.toInteger(-1));
    return kept;
}

// The base tensor nearest to `value` (see checkpoint_pack.h); none when zero is nearer.
PackReference nearestPackReference(const torch::Tensor& value, const Checkpoint& base,
                                   const std::vector<int64_t>& kept, int64_t featureChannels)
{
    PackReference best;
    double bestError = value.pow(2).sum().item<double>();
    const auto consider = [&](const std::string& name, int dim, const torch::Tensor& candidate) {
        const double error = (value - candidate).pow(2).sum().item<double>();
        if (error < bestError) {
            bestError = error;
            best = {name, dim, candidate};
        }
    };
    const auto keptIndex = torch::tensor(kept, torch::kInt64);
    for (const auto& [name, candidate] : base.tensors) {
        if (candidate.scalar_type() != torch::kFloat32 || candidate.dim() != value.dim())
            continue;
        if (candidate.sizes() == value.sizes())
            consider(name, -1, candidate);
        if (kept.empty() || featureChannels <= 0)
            continue;
        for (int d = 0; d < value.dim(); ++d) {
            bool fits = candidate.size(d) == featureChannels && value.size(d) == static_cast<int64_t>(kept.size());
            for (int o = 0; fits && o < value.dim(); ++o)
                fits = o == d || candidate.size(o) == value.size(o);
            if (fits)
                consider(name, d, candidate.index_select(d, keptIndex));
        }
    }
    return best;
}

bool fitsFloat16(const torch::Tensor& t)
{
    return t.numel() == 0 || (torch::isfinite(t).all().item<bool>() && t.abs().max().item<double>() < 65000.0);
}

TensorEncoding packEncodingFor(const torch::Tensor& value, const PackReference& reference)
{
    if (value.scalar_type() != torch::kFloat32 || value.numel() == 0)
        return TensorEncoding::Exact;
    if (reference.tensor.defined()) {
        if (value.dim() >= 2)
            return TensorEncoding::IntDelta;
        return fitsFloat16(value - reference.tensor) ? TensorEncoding::Float16Delta : TensorEncoding::Exact;
    }
    return value.dim() >= 2 && fitsFloat16(value) ? TensorEncoding::Float16 : TensorEncoding::Exact;
}

const char* packDtypeName(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat32:
        return "float32";
    case torch::kFloat16:
        return "float16";
    case torch::kInt64:
        return "int64";
    case torch::kInt32:
        return "int32";
    case torch::kUInt8:
        return "uint8";
    case torch::kInt8:
        return "int8";
    default:
        throw Error("cannot pack a tensor of this dtype");
    }
}

} // namespace

QJsonObject PackReport::toJson(bool withTensors) const
{
    QJsonObject out{{"path", path},
                    {"base", basePath},
                    {"file_bytes", fileBytes},
                    {"unpacked_bytes", float32Bytes},
                    {"ratio", fileBytes > 0 ? double(float32Bytes) / double(fileBytes) : 0.0},
                    {"max_abs_error", maxAbsError},
                    {"max_relative_error", maxRelativeError},
                    {"tensors", static_cast<qint64>(tensors.size())}};
    QJsonObject counts;
    for (const auto& t : tensors)
        counts[QString::fromStdString(t.encoding)] = counts.value(QString::fromStdString(t.encoding)).toInt() + 1;
    out["encodings"] = counts;
    if (withTensors) {
        QJsonArray list;
        for (const auto& t : tensors)
            list.append(QJsonObject{{"name", QString::fromStdString(t.name)},
                                    {"encoding", QString::fromStdString(t.encoding)},
                                    {"reference", QString::fromStdString(t.reference)},
                                    {"reference_dim", t.referenceDim},
                                    {"payload_bytes", t.payloadBytes},
                                    {"max_abs", t.maxAbs},
                                    {"max_abs_error", t.maxAbsError}});
        out["tensor_reports"] = list;
    }
    return out;
}

QByteArray packCheckpoint(const Checkpoint& checkpoint, const Checkpoint& base, const QByteArray& baseBytes,
                          const QString& baseRecordFile, const PackOptions& options, PackReport& report)
{
    if (options.bits < 2 || options.bits > 16)
        throw Error("pack: bits must be 2..16, got " + std::to_string(options.bits));
    if (options.zstdLevel < 1 || options.zstdLevel > 22)
        throw Error("pack: zstd level must be 1..22, got " + std::to_string(options.zstdLevel));
    if (!checkpoint.baseReferences.empty())
        throw Error("pack: the model still has unresolved base references; read it with readCheckpoint");
    torch::NoGradGuard noGrad;
    const auto kept = packKeptChannels(checkpoint.metadata);
    const int64_t featureChannels = checkpoint.metadata.value("feature_channels").toInteger(-1);
    QJsonArray entries;
    QByteArray data;
    for (const auto& [name, raw] : checkpoint.tensors) {
        const auto value = raw.detach().contiguous().cpu();
        const auto reference = value.scalar_type() == torch::kFloat32 && value.numel() > 0
                                   ? nearestPackReference(value, base, kept, featureChannels)
                                   : PackReference{};
        const auto encoding = packEncodingFor(value, reference);
        const auto encoded = encodeTensor(value, reference.tensor, encoding, options.bits);
        const auto decoded = decodeTensor(encoding, encoded.bits, value.sizes().vec(), value.scalar_type(),
                                          encoded.payload, reference.tensor, "pack: tensor '" + name + "'");
        PackedTensorReport tensorReport{name, toString(encoding), reference.name, reference.dim,
                                        encoded.payload.size()};
        if (value.is_floating_point() && value.numel() > 0) {
            tensorReport.maxAbs = value.abs().max().item<double>();
            tensorReport.maxAbsError = (decoded - value).abs().max().item<double>();
        } else if (!torch::equal(decoded, value)) {
            throw Error("pack: tensor '" + name + "' does not decode to itself (bug)");
        }
        report.maxAbsError = std::max(report.maxAbsError, tensorReport.maxAbsError);
        if (tensorReport.maxAbs > 0)
            report.maxRelativeError = std::max(report.maxRelativeError, tensorReport.maxAbsError / tensorReport.maxAbs);
        report.float32Bytes += value.numel() * value.element_size();

        QJsonArray shape;
        for (auto d : value.sizes())
            shape.append(static_cast<qint64>(d));
        QJsonObject entry{{"name", QString::fromStdString(name)},
                          {"dtype", packDtypeName(value.scalar_type())},
                          {"shape", shape},
                          {"offset", static_cast<qint64>(data.size())},
                          {"bytes", static_cast<qint64>(encoded.payload.size())},
                          {"encoding", QString::fromStdString(toString(encoding))}};
        if (encoding == TensorEncoding::IntDelta)
            entry.insert("bits", encoded.bits);
        if (needsReference(encoding)) {
            entry.insert("reference", QString::fromStdString(reference.name));
            if (reference.dim >= 0)
                entry.insert("reference_dim", reference.dim);
        }
        entries.append(entry);
        data.append(encoded.payload);
        report.tensors.push_back(std::move(tensorReport));
    }
    QJsonObject meta = checkpoint.metadata;
    meta["tensors"] = entries;
    meta["base"] = QJsonObject{{"file", baseRecordFile},
                               {"sha256", QString::fromLatin1(checkpoint_container::trailerOf(baseBytes).toHex())}};
    meta["packing"] = QJsonObject{{"bits", options.bits},
                                  {"zstd_level", options.zstdLevel},
                                  {"max_abs_error", report.maxAbsError},
                                  {"max_relative_error", report.maxRelativeError},
                                  {"written_by", "aecnn pack-model (core/include/aecnn/model/checkpoint_pack.h)"}};
    const QByteArray bytes =
        checkpoint_container::containerBytes(Checkpoint::packedFormatVersion, meta, data, options.zstdLevel);
    report.fileBytes = bytes.size();
    return bytes;
}

PackReport writePackedCheckpoint(const QString& path, const Checkpoint& checkpoint, const QString& basePath,
                                 const PackOptions& options)
{
    const QByteArray baseBytes = readWholeFile(basePath, qint64(4) << 30);
    const Checkpoint base = readCheckpoint(basePath);
    const QString relative = QFileInfo(path).absoluteDir().relativeFilePath(QFileInfo(basePath).absoluteFilePath());
    PackReport report;
    report.path = path;
    report.basePath = basePath;
    const QByteArray bytes = packCheckpoint(checkpoint, base, baseBytes, relative, options, report);
    writeFileAtomically(path, bytes);
    return report;
}

} // namespace aecnn
