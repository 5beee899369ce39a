#include "aecnn/algorithm1/transport_fake_quant.h"

#include <cmath>
#include <sstream>

#include "aecnn/error.h"
#include "aecnn/model/image_set.h"
#include "aecnn/split/split_model.h"
#include "aecnn/split/split_transport.h"

namespace aecnn {
namespace {

void requireQatBits(int bits)
{
    if (bits < 2 || bits > 8)
        throw Error("quantization-aware training needs 2 to 8 bits, got " + std::to_string(bits));
}

// Scale, 1/scale (in float, as the codec computes it; 0 for an empty range) and zero point.
struct RangeTensors {
    std::vector<float> scale, inverse, zeroPoint;
    void add(const codec::QuantRange& r)
    {
        scale.push_back(r.scale);
        inverse.push_back(r.scale == 0.0f ? 0.0f : 1.0f / r.scale);
        zeroPoint.push_back(float(r.zeroPoint));
    }
};

torch::Tensor asTensor(std::vector<float>& values, int64_t n, int64_t c)
{
    return torch::from_blob(values.data(), {n, c, 1, 1}, torch::kFloat32).clone();
}

} // namespace

void validate(const QatOptions& options)
{
    if (!options.enabled()) {
        if (options.recalibrateEvery != 0)
            throw Error("--qat-recalibrate-every applies to the QAT stage: give --qat-bits B (2 to 8) too");
        return;
    }
    if (options.bits < 2 || options.bits > 8)
        throw Error("--qat-bits must be 2 to 8 (the codec's bit depths), got " +
                    std::to_string(options.bits));
    if (options.calibrated && options.calibrationImages < 1)
        throw Error("calibrated QAT ranges need at least one calibration image (--qat-calibrate N)");
    if (options.recalibrateEvery < 0)
        throw Error("--qat-recalibrate-every must be 0 (head frozen) or a number of steps, got " +
                    std::to_string(options.recalibrateEvery));
    if (!(options.sparsityWeight >= 0.0 && std::isfinite(options.sparsityWeight)))
        throw Error("--qat-sparsity must be a finite weight >= 0, got " + std::to_string(options.sparsityWeight));
    if (options.sparsityWeight > 0.0 && !options.trainsHead())
        throw Error("--qat-sparsity changes the transmitted tensor, so the head must train: add "
                    "--qat-recalibrate-every N (calibrated ranges)");
    if (options.recalibrateEvery > 0 && !options.calibrated)
        throw Error("--qat-recalibrate-every applies to calibrated ranges; with --qat-ranges per-frame the head "
                    "already trains (drop --qat-recalibrate-every or use --qat-ranges calibrated)");
}

TransportFakeQuant::TransportFakeQuant(int bits, codec::RangeChoice range) : bits_(bits), range_(range)
{
    requireQatBits(bits);
}

TransportFakeQuant::TransportFakeQuant(int bits, std::vector<codec::QuantRange> fixedRanges)
    : bits_(bits), fixed_(std::move(fixedRanges))
{
    requireQatBits(bits);
    if (fixed_.empty())
        throw Error("fixed quantization ranges: none given");
    const int levels = (1 << bits) - 1;
    for (const auto& r : fixed_)
        if (!std::isfinite(r.scale) || r.scale < 0.0f || r.zeroPoint > levels)
            throw Error("fixed quantization range has an invalid scale or zero point");
}

std::string TransportFakeQuant::describe() const
{
    std::ostringstream s;
    s << bits_ << "-bit, " << (fixed_.empty() ? "per-frame " + codec::rangeChoiceName(range_) : std::string("fixed"))
      << " ranges";
    return s.str();
}

torch::Tensor TransportFakeQuant::quantizeDequantize(const torch::Tensor& transmitted) const
{
    if (transmitted.dim() != 4)
        throw Error("fake quantization needs N x C x H x W tensors, got " + std::to_string(transmitted.dim()) +
                    " dimensions");
    const auto x = transmitted.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    const int64_t n = x.size(0), c = x.size(1), plane = x.size(2) * x.size(3);
    if (!fixed_.empty() && fixed_.size() != size_t(c) && fixed_.size() != 1)
        throw Error("fake quantization has " + std::to_string(fixed_.size()) + " fixed ranges for " +
                    std::to_string(c) + " channels");
    RangeTensors ranges;
    const float* data = x.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
        for (int64_t k = 0; k < c; ++k)
            ranges.add(fixed_.empty() ? codec::chooseRange(data + (i * c + k) * plane, size_t(plane), bits_, range_)
                                      : fixed_[fixed_.size() == 1 ? 0 : size_t(k)]);
    const auto scale = asTensor(ranges.scale, n, c);
    const auto inverse = asTensor(ranges.inverse, n, c);
    const auto zeroPoint = asTensor(ranges.zeroPoint, n, c);
    // codec quantizeInto: q = clamp(lround(x * (1/scale)) + zp, 0, levels), lround rounding
    // half away from zero; y - trunc(y) is exact in float, so this is lround bit for bit.
    const auto y = x * inverse;
    const auto whole = torch::trunc(y);
    const auto rounded = whole + torch::where((y - whole).abs() >= 0.5, torch::sign(y), torch::zeros_like(y));
    const auto q = torch::clamp(rounded + zeroPoint, 0.0, double((1 << bits_) - 1));
    // codec fromSymbols: float(q - zp) * scale
    return ((q - zeroPoint) * scale).to(transmitted.device());
}

torch::Tensor TransportFakeQuant::operator()(const torch::Tensor& transmitted) const
{
    const auto quantized = quantizeDequantize(transmitted);
    if (!transmitted.requires_grad())
        return quantized;
    // Straight-through: the value is `quantized` exactly (x - x is +0 for finite x), the
    // gradient with respect to `transmitted` is the identity.
    return quantized + (transmitted - transmitted.detach());
}

torch::Tensor transmittedSparsity(const torch::Tensor& transmitted)
{
    if (transmitted.dim() != 4 || transmitted.numel() == 0)
        throw Error("the sparsity measure needs a non-empty N x C x H x W tensor");
    const auto perChannel = transmitted.transpose(0, 1).flatten(1); // C x M
    const double rootM = std::sqrt(double(perChannel.size(1)));
    const auto l1 = perChannel.abs().sum(1);
    // The small constant keeps the gradient of an all-zero channel finite (its measure is 0).
    const auto l2 = torch::sqrt(perChannel.square().sum(1) + 1e-12);
    return (l1 / (rootM * l2)).mean();
}

TransportFakeQuant makeTransportFakeQuant(AecnnModelImpl& model, const QatOptions& options, const ImageSet& train,
                                          int inputHeight, int inputWidth)
{
    validate(options);
    if (!options.calibrated)
        return TransportFakeQuant(options.bits, options.range);
    TransportSettings settings; // what `aecnn edge --framing session --calibrate N` calibrates with
    settings.coder = "context";
    settings.representation = "uint";
    settings.bits = options.bits;
    settings.perChannel = true;
    settings.range = codec::rangeChoiceName(options.range);
    settings.framing = "session";
    const auto layout = transmittedLayout(model, inputHeight, inputWidth);
    const ImageSet calibration =
        options.calibrationImages < train.size() ? train.head(options.calibrationImages) : train;
    return TransportFakeQuant(options.bits, calibrateTransportRanges(model, layout, settings, calibration));
}

} // namespace aecnn
