#pragma once

// The one bridge between a split model (aecnn_model.h: AecnnModel::encode() on the
// device, AecnnModel::decode() on the edge) and the feature codec (codec/*): one
// image's transmitted tensor <-> one self-contained codec frame.
//
// The settings and layout are plain value types and this header needs no LibTorch
// (at::Tensor is only declared), so GUI code can hold settings; callers of the
// tensor functions include <torch/torch.h> themselves.

#include <cstdint>
#include <string>
#include <vector>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/feature_tensor.h"
#include "aecnn/codec/session_layout.h"

namespace at {
class Tensor;
}

namespace aecnn {

class AecnnModelImpl;
struct ImageSet;

// How the device codes each transmitted tensor. Names, not enums, so the settings travel through
// JSON (the wire keys: transport_settings_json.h), QSettings and command lines unchanged.
struct TransportSettings {
    std::string coder = "zstd-entropy";  // codec::coderNames(): store, zstd, zstd-entropy, context
    std::string representation = "uint"; // float32, float32-shuffled, float16, uint
    int bits = 8;                        // 2..8, "uint" only
    bool perChannel = true;              // "uint": one scale/zero point per kept channel
    std::string range = "minmax";        // "uint": codec::rangeChoiceName(), minmax or mse
    // "frame": every frame self-describing (bitstream.h); "session": layout-framed frames
    // (session_layout.h) against the layout both peers agreed on when the stream was configured.
    std::string framing = "frame";
    int zstdLevel = codec::kDefaultZstdLevel;
    codec::ZstdDictionary dictionary;    // empty = none; zstd coders only (AecnnClassifier::codecDictionary)
    // "session" framing, "uint" only: quantization ranges fixed for the session (calibrated,
    // calibrateTransportRanges), one per transmitted channel (per channel) or one; empty =
    // each frame carries its ranges. Not a wire key: the session layout carries them.
    std::vector<codec::QuantRange> fixedRanges;
    // "session" framing, coder "context" only: the context coder's starting probabilities for
    // the session (calibrateContextPriors); empty = none. Not a wire key either.
    codec::ContextPriors contextPriors;
};

// Throws aecnn::Error naming the bad field and the valid values.
void validate(const TransportSettings& settings);
// The codec settings behind them; `settings.dictionary` must outlive the result.
codec::CodecSettings toCodecSettings(const TransportSettings& settings);

// What one image's transmitted tensor looks like for a given split model.
struct TransmittedLayout {
    std::string variant;          // "aecnn", "ca_pruned" or "bottlenetpp"
    int split = 0;
    int ratio = 1;                // V
    uint32_t featureChannels = 0; // C of the unsplit feature map X_l
    uint32_t channels = 0;        // C' transmitted
    uint32_t height = 0, width = 0;
    // Indices of the transmitted channels in X_l (ascending) for aecnn/ca_pruned with
    // C' < C; empty for BottleNet++ (learned code channels) and unpruned models.
    std::vector<uint16_t> kept;

    uint64_t elements() const { return uint64_t(channels) * height * width; }
    // Bytes of the unsplit float32 feature map X_l: the reference of the total compression ratio.
    uint64_t unsplitBytes() const { return uint64_t(featureChannels) * height * width * 4; }
};

// Layout of `model` for inputs of inputHeight x inputWidth (no forward pass).
TransmittedLayout transmittedLayout(AecnnModelImpl& model, int inputHeight, int inputWidth);

// Sizes and coder of one coded frame.
struct TransportFrameInfo {
    codec::FrameSizes sizes;
    std::string coder;
};

// Device and edge halves for one model layout and one set of settings. Immutable
// after construction: the const methods may be called from several threads.
class SplitTransport {
public:
    // Throws aecnn::Error when the settings are invalid.
    SplitTransport(TransmittedLayout layout, TransportSettings settings);

    const TransmittedLayout& layout() const { return layout_; }
    const TransportSettings& settings() const { return settings_; }

    // Device: one image's transmitted tensor (C' x H x W or 1 x C' x H x W, any float
    // dtype, as returned by AecnnModel::encode()) -> one frame. The shape must match the layout.
    // `workspace` (optional, owned by the calling thread) reuses coder state between frames.
    std::vector<uint8_t> encode(const at::Tensor& transmitted, TransportFrameInfo* info = nullptr,
                                codec::CoderWorkspace* workspace = nullptr) const;
    // Edge: one frame -> 1 x C' x H x W float32 tensor ready for AecnnModel::decode().
    // Rejects frames that do not match the layout (shape, kept channels) or the
    // dictionary, with an aecnn::Error naming the mismatch.
    at::Tensor decode(const uint8_t* frame, size_t size, TransportFrameInfo* info = nullptr,
                      codec::CoderWorkspace* workspace = nullptr) const;

    bool sessionFramed() const { return settings_.framing == "session"; }
    // The session layout of this model and these settings (what "session" framing codes
    // against and what the edge sends the device in Configure).
    const codec::SessionLayout& sessionLayout() const { return sessionLayout_; }

    // The same without LibTorch: FeatureTensor <-> frame.
    codec::FeatureTensor toFeatureTensor(const at::Tensor& transmitted) const;
    std::vector<uint8_t> encodeFeatures(const codec::FeatureTensor& tensor, codec::FrameSizes* sizes = nullptr,
                                        codec::CoderWorkspace* workspace = nullptr) const;
    codec::FeatureTensor decodeFeatures(const uint8_t* frame, size_t size, codec::FrameSizes* sizes = nullptr,
                                        codec::CoderWorkspace* workspace = nullptr) const;

private:
    TransmittedLayout layout_;
    TransportSettings settings_;
    codec::SessionLayout sessionLayout_;
};

// Quantization ranges for "session" framing with fixed ranges: per transmitted channel
// (settings.perChannel) or for the whole tensor, the range the settings' range choice
// (minmax or mse) picks over the pooled values of the model's transmitted tensors of
// `calibration` (use training images). Put them into TransportSettings::fixedRanges.
std::vector<codec::QuantRange> calibrateTransportRanges(AecnnModelImpl& model, const TransmittedLayout& layout,
                                                        const TransportSettings& settings,
                                                        const ImageSet& calibration);

// Context priors for "session" framing with the context coder: its decisions counted on
// the symbols of the model's transmitted tensors of `calibration` (use training images),
// quantized as `settings` quantize them (its fixedRanges, if any: calibrate those first).
// Put them into TransportSettings::contextPriors.
codec::ContextPriors calibrateContextPriors(AecnnModelImpl& model, const TransmittedLayout& layout,
                                            const TransportSettings& settings, const ImageSet& calibration);

// A zstd dictionary for `transport`'s zstd frames: trained on the symbols (its
// representation, bits, per-channel setting) of the model's transmitted tensors of
// `calibration` (use training images). Store it with the model in
// AecnnClassifier::codecDictionary; put it into TransportSettings::dictionary on both sides.
codec::ZstdDictionary trainTransportDictionary(AecnnModelImpl& model, const SplitTransport& transport,
                                               const ImageSet& calibration, size_t capacity = 16 * 1024);

// Offline evaluation of exactly the live path: encode() -> frame -> decode() for every image.
struct TransportEvaluation {
    int64_t count = 0;
    int64_t correct = 0;
    uint64_t totalFrameBytes = 0;
    uint64_t totalPayloadBytes = 0; // the coder's output alone (no header, no CRC)
    uint64_t unsplitBytesPerImage = 0;
    double accuracy() const { return count ? double(correct) / double(count) : 0.0; }
    double meanFrameBytes() const { return count ? double(totalFrameBytes) / double(count) : 0.0; }
    double meanPayloadBytes() const { return count ? double(totalPayloadBytes) / double(count) : 0.0; }
    // Unsplit float32 X_l over the mean frame (header and CRC included).
    double compressionRatio() const
    {
        return totalFrameBytes ? double(unsplitBytesPerImage) * double(count) / double(totalFrameBytes) : 0.0;
    }
    // Unsplit float32 X_l over the mean payload: V x 32 / coded bits per element, the
    // paper's measure (which uses H0 for the coded bits).
    double payloadCompressionRatio() const
    {
        return totalPayloadBytes ? double(unsplitBytesPerImage) * double(count) / double(totalPayloadBytes) : 0.0;
    }
};

TransportEvaluation evaluateThroughTransport(AecnnModelImpl& model, const SplitTransport& transport,
                                             const ImageSet& images, int batchSize = 128);
// The same for several transports of one model at once: the device part runs once per
// image, and the edge part once per distinct received tensor (coders that deliver
// bitwise the same tensor share its logits). One result per transport, in order.
std::vector<TransportEvaluation> evaluateThroughTransports(AecnnModelImpl& model,
                                                           const std::vector<SplitTransport>& transports,
                                                           const ImageSet& images, int batchSize = 128);

} // namespace aecnn
