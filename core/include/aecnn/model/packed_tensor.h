#pragma once

#include <string>
#include <vector>

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>

#include <torch/types.h>

namespace aecnn {

// How one tensor of a packed checkpoint (checkpoint_pack.h) is stored. The payload
// is raw little-endian bytes; the whole data section of a packed file is one zstd frame.
//
//   exact    the tensor's own bytes (any dtype); lossless.
//   float16  a float32 tensor stored as float16 (relative error <= 2^-11).
//   float16_delta  float32: (value - reference) stored as float16; the error is
//            <= 2^-11 of the delta, i.e. far below the value's own float16 error.
//   int_delta float32 of rank >= 2 (conv/linear weights): for every output channel c
//            (index along dim 0) a float32 step s_c, then q = round((value - reference) / s_c)
//            for each element, as int8 (bits <= 8) or as int16 (bits <= 16, first all low
//            bytes, then all high bytes). s_c = max(max|value_c|, max|value_c - reference_c|) / L,
//            L = 2^(bits-1) - 1, so |q| <= L and |decoded - value| <= s_c / 2: at bits = 8 the
//            same bound as int8 per-channel quantization of the weights themselves, while q
//            of a fine-tuned weight is mostly near 0 and compresses well.
// The encodings with "delta" need a reference tensor of the same shape (from the base model).
enum class TensorEncoding { Exact, Float16, Float16Delta, IntDelta };

std::string toString(TensorEncoding encoding);
// Throws aecnn::Error naming `what` for an unknown name.
TensorEncoding tensorEncodingFromString(const std::string& name, const std::string& what);
bool needsReference(TensorEncoding encoding);

struct EncodedTensor {
    TensorEncoding encoding = TensorEncoding::Exact;
    int bits = 0; // int_delta only
    QByteArray payload;
};

// `reference` must be defined (same shape, float32) for the delta encodings; `bits` in 2..16.
EncodedTensor encodeTensor(const torch::Tensor& value, const torch::Tensor& reference, TensorEncoding encoding,
                           int bits = 8);

// Payload size an encoding must have for a tensor of `shape` and `dtype`; -1 when the
// combination is invalid (e.g. float16 of an int64 tensor, int_delta of rank < 2).
qint64 encodedPayloadBytes(TensorEncoding encoding, int bits, const std::vector<int64_t>& shape,
                           torch::ScalarType dtype);

// The decoded tensor (dtype `dtype`, shape `shape`). `reference`: as for encodeTensor.
// Throws aecnn::Error naming `what` when the payload size or the reference does not fit.
torch::Tensor decodeTensor(TensorEncoding encoding, int bits, const std::vector<int64_t>& shape,
                           torch::ScalarType dtype, QByteArrayView payload, const torch::Tensor& reference,
                           const std::string& what);

} // namespace aecnn
