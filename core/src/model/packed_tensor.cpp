#include "aecnn/model/packed_tensor.h"

#include <cstring>

#include <torch/torch.h>

#include "aecnn/error.h"

namespace aecnn {
namespace {

int64_t packedNumel(const std::vector<int64_t>& shape)
{
    int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return n;
}

QByteArray bytesOfTensor(const torch::Tensor& tensor)
{
    const auto contiguous = tensor.contiguous().cpu();
    return QByteArray(static_cast<const char*>(contiguous.data_ptr()),
                      static_cast<qsizetype>(contiguous.numel() * contiguous.element_size()));
}

torch::Tensor tensorOfBytes(const char* data, const std::vector<int64_t>& shape, torch::ScalarType dtype)
{
    auto tensor = torch::empty(shape, torch::TensorOptions().dtype(dtype));
    std::memcpy(tensor.data_ptr(), data, static_cast<size_t>(tensor.numel() * tensor.element_size()));
    return tensor;
}

int intDeltaLevels(int bits)
{
    return (1 << (bits - 1)) - 1;
}

void checkReference(const torch::Tensor& reference, const std::vector<int64_t>& shape, const std::string& what)
{
    if (!reference.defined())
        throw Error(what + ": this encoding needs a reference tensor from the base model, none was given");
    if (reference.scalar_type() != torch::kFloat32 || reference.sizes().vec() != shape)
        throw Error(what + ": the reference tensor from the base model has another shape or dtype than the stored one");
}

} // namespace

std::string toString(TensorEncoding encoding)
{
    switch (encoding) {
    case TensorEncoding::Exact:
        return "exact";
    case TensorEncoding::Float16:
        return "float16";
    case TensorEncoding::Float16Delta:
        return "float16_delta";
    case TensorEncoding::IntDelta:
        return "int_delta";
    }
    return "exact";
}

TensorEncoding tensorEncodingFromString(const std::string& name, const std::string& what)
{
    for (auto e : {TensorEncoding::Exact, TensorEncoding::Float16, TensorEncoding::Float16Delta, TensorEncoding::IntDelta})
        if (toString(e) == name)
            return e;
    throw Error(what + ": unknown tensor encoding '" + name +
                "' (this build knows exact, float16, float16_delta, int_delta); upgrade aecnn");
}

bool needsReference(TensorEncoding encoding)
{
    return encoding == TensorEncoding::Float16Delta || encoding == TensorEncoding::IntDelta;
}

qint64 encodedPayloadBytes(TensorEncoding encoding, int bits, const std::vector<int64_t>& shape,
                           torch::ScalarType dtype)
{
    const int64_t n = packedNumel(shape);
    switch (encoding) {
    case TensorEncoding::Exact:
        return n * static_cast<int64_t>(c10::elementSize(dtype));
    case TensorEncoding::Float16:
    case TensorEncoding::Float16Delta:
        return dtype == torch::kFloat32 ? n * 2 : -1;
    case TensorEncoding::IntDelta:
        if (dtype != torch::kFloat32 || shape.size() < 2 || bits < 2 || bits > 16)
            return -1;
        return shape[0] * 4 + n * (bits <= 8 ? 1 : 2);
    }
    return -1;
}

EncodedTensor encodeTensor(const torch::Tensor& value, const torch::Tensor& reference, TensorEncoding encoding, int bits)
{
    const auto v = value.detach().contiguous().cpu();
    const std::string what = "encoding a tensor as " + toString(encoding);
    if (encodedPayloadBytes(encoding, bits, v.sizes().vec(), v.scalar_type()) < 0)
        throw Error(what + ": not possible for this tensor's dtype, rank or bits " + std::to_string(bits));
    if (needsReference(encoding))
        checkReference(reference.detach().contiguous().cpu(), v.sizes().vec(), what);
    EncodedTensor out;
    out.encoding = encoding;
    switch (encoding) {
    case TensorEncoding::Exact:
        out.payload = bytesOfTensor(v);
        break;
    case TensorEncoding::Float16:
        out.payload = bytesOfTensor(v.to(torch::kFloat16));
        break;
    case TensorEncoding::Float16Delta:
        out.payload = bytesOfTensor((v - reference.detach().cpu()).to(torch::kFloat16));
        break;
    case TensorEncoding::IntDelta: {
        out.bits = bits;
        const int levels = intDeltaLevels(bits);
        const auto rows = v.reshape({v.size(0), -1});
        const auto delta = rows - reference.detach().cpu().reshape({v.size(0), -1});
        auto range = torch::maximum(rows.abs().amax(1), delta.abs().amax(1));
        const auto step = torch::where(range > 0, range / levels, torch::ones_like(range));
        const auto q = torch::round(delta / step.unsqueeze(1)).clamp(-levels, levels);
        out.payload = bytesOfTensor(step);
        if (bits <= 8) {
            out.payload += bytesOfTensor(q.to(torch::kInt8));
        } else {
            const auto planes = q.to(torch::kInt16).reshape({-1}).view(torch::kUInt8).reshape({-1, 2}).t();
            out.payload += bytesOfTensor(planes); // row 0: low bytes, row 1: high bytes
        }
        break;
    }
    }
    return out;
}

torch::Tensor decodeTensor(TensorEncoding encoding, int bits, const std::vector<int64_t>& shape, torch::ScalarType dtype,
                           QByteArrayView payload, const torch::Tensor& reference, const std::string& what)
{
    const qint64 expected = encodedPayloadBytes(encoding, bits, shape, dtype);
    if (expected < 0)
        throw Error(what + ": encoding " + toString(encoding) + " (bits " + std::to_string(bits) +
                    ") does not fit the tensor's dtype or rank (corrupt file?)");
    if (payload.size() != expected)
        throw Error(what + ": " + std::to_string(payload.size()) + " bytes stored, " + std::to_string(expected) +
                    " expected for its shape and encoding (corrupt file?)");
    if (needsReference(encoding))
        checkReference(reference, shape, what);
    const char* data = payload.data();
    switch (encoding) {
    case TensorEncoding::Exact:
        return tensorOfBytes(data, shape, dtype);
    case TensorEncoding::Float16:
        return tensorOfBytes(data, shape, torch::kFloat16).to(torch::kFloat32);
    case TensorEncoding::Float16Delta:
        return reference + tensorOfBytes(data, shape, torch::kFloat16).to(torch::kFloat32);
    case TensorEncoding::IntDelta: {
        const int64_t rows = shape[0];
        const int64_t n = packedNumel(shape);
        const auto step = tensorOfBytes(data, {rows}, torch::kFloat32);
        torch::Tensor q;
        if (bits <= 8) {
            q = tensorOfBytes(data + rows * 4, {rows, n / std::max<int64_t>(rows, 1)}, torch::kInt8);
        } else {
            const auto planes = tensorOfBytes(data + rows * 4, {2, n}, torch::kUInt8);
            q = planes.t().contiguous().view(torch::kInt16).reshape({rows, n / std::max<int64_t>(rows, 1)});
        }
        const auto delta = q.to(torch::kFloat32) * step.unsqueeze(1);
        return reference + delta.reshape(shape);
    }
    }
    throw Error(what + ": unknown encoding");
}

} // namespace aecnn
