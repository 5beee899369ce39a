#pragma once

// Quantization-aware fine-tuning (QAT) of Algorithm 1's last stage: fake quantization of
// the transmitted tensor with a straight-through estimator, exactly the codec's uniform
// quantizer (codec/quantizer.h) at one bit depth and range mode, so that what the tail
// learns to read is, bit for bit, what the edge dequantizes from a live frame.

#include <string>
#include <vector>

#include <torch/torch.h>

#include "aecnn/codec/quantizer.h"

namespace aecnn {

class AecnnModelImpl;
struct ImageSet;

// What QAT quantizes like; bits = 0 switches QAT off.
struct QatOptions {
    int bits = 0;                     // 2..4 (the codec allows 2..8; QAT is meant for few bits)
    bool calibrated = true;           // ranges fixed per channel, calibrated once (the session layout's
                                      // fixed ranges: frames carry no ranges); false = per frame and channel
    codec::RangeChoice range = codec::RangeChoice::MinMse; // how each range is chosen (codec's choice)
    int64_t calibrationImages = 2000; // first N training images, as `aecnn edge --calibrate N`
    // Calibrated ranges only. 0: the head is frozen, so the ranges calibrated before the stage
    // stay the edge's. N > 0: the head trains too and the ranges are recalibrated (same images,
    // head in eval mode, as the edge does) every N steps and once more after the last step,
    // so the recorded ranges and accuracy are again those of the saved model.
    int64_t recalibrateEvery = 0;
    // Head trained only. > 0 adds weight x transmittedSparsity(tensor) to the loss: fewer
    // non-zero symbols, so fewer bytes from the context coder, traded against accuracy.
    double sparsityWeight = 0.0;

    bool trainsHead() const { return calibrated && recalibrateEvery > 0; }

    bool enabled() const { return bits > 0; }
};

// Throws aecnn::Error naming the bad field.
void validate(const QatOptions& options);

// Fake quantization of a batch of transmitted tensors (N x C x H x W, float32, CPU):
// every element is quantized and dequantized exactly as codec::toSymbols /
// codec::toSymbolsWithRanges followed by codec::fromSymbols would (round half away
// from zero, clamp to 0..2^bits-1, (q - zero point) * scale, in float32). The
// backward pass is the straight-through estimator: the gradient passes unchanged.
class TransportFakeQuant {
public:
    // Per-frame ranges: each image's channels get the range the codec would choose for them.
    TransportFakeQuant(int bits, codec::RangeChoice range);
    // Fixed ranges, one per channel (or one for the whole tensor), e.g. calibrated.
    TransportFakeQuant(int bits, std::vector<codec::QuantRange> fixedRanges);

    torch::Tensor operator()(const torch::Tensor& transmitted) const;
    // The forward value without the estimator (no autograd graph).
    torch::Tensor quantizeDequantize(const torch::Tensor& transmitted) const;

    int bits() const { return bits_; }
    const std::vector<codec::QuantRange>& fixedRanges() const { return fixed_; }
    std::string describe() const; // e.g. "2-bit, calibrated mse ranges"

private:
    int bits_ = 8;
    codec::RangeChoice range_ = codec::RangeChoice::MinMax;
    std::vector<codec::QuantRange> fixed_; // empty = per frame
};

// A scale-free sparsity measure of a batch of transmitted tensors (N x C x H x W), with
// gradients: per channel, Hoyer's ||x||_1 / (sqrt(M) ||x||_2) over its M = N*H*W elements
// (1 when all have the same magnitude, 1/sqrt(M) for a single non-zero one), averaged over
// the channels; an all-zero channel counts 0. Scale-free on purpose: the calibrated ranges
// follow the head as it trains, so an L1 penalty would only shrink tensor and ranges together
// and leave the symbols (and the bytes) as they were.
torch::Tensor transmittedSparsity(const torch::Tensor& transmitted);

// The fake quantizer for `model`'s transmitted tensor: with calibrated ranges, the ranges
// `aecnn edge --calibrate N --range R --bits B --framing session` computes for this model
// (calibrateTransportRanges on the first N images of `train`), else per frame.
TransportFakeQuant makeTransportFakeQuant(AecnnModelImpl& model, const QatOptions& options, const ImageSet& train,
                                          int inputHeight, int inputWidth);

} // namespace aecnn
