#pragma once

#include <cstdint>
#include <vector>

#include <QByteArray>
#include <QString>

#include <torch/nn.h>

#include "aecnn/split/split_model.h"
#include "aecnn/model/classifier.h"
#include "aecnn/split/split_transport.h"

namespace aecnn::edge {

// What a device needs of a split model: the head on the kept channels (AECNN /
// CA_Pruned) or the full head plus the BottleNet++ encoder, with the usage fields
// to feed it images. Deployed to the agent as a checkpoint of kind SplitHead
// ("aecnn-head", model/checkpoint_kind.h): the split model's metadata (variant,
// config, split, ratio, kept channels) and only the tensors named "head.*" and, for
// BottleNet++, "bottleneck.encoder_*". The tail, FR and the BottleNet++ decoder stay
// on the edge.

struct SplitHeadModel {
    SplitVariant variant = SplitVariant::Aecnn;
    int split = 0;
    int ratio = 1;
    int featureChannels = 0;     // C of X_l
    std::vector<int64_t> kept;   // ascending, empty for BottleNet++
    ModelUsage usage{{}, {}, 28, 28, {}};
    SplitHead head{nullptr};
    BottleNetPP bottleneck{nullptr}; // BottleNet++ only; only its encoder is loaded
    codec::ZstdDictionary codecDictionary; // the split model's, if it has one (zstd coders use it)

    int inChannels() const { return static_cast<int>(usage.normalization.mean.size()); }
    // Images (normalized, N x C x H x W) -> the transmitted tensor, exactly what
    // AecnnModelImpl::encode computes. Runs without gradients.
    torch::Tensor encode(const torch::Tensor& x);
};

// What the head transmits per image; equals transmittedLayout() of the split model
// it came from, so the edge's SplitTransport accepts the device's frames.
TransmittedLayout transmittedLayout(SplitHeadModel& model);

// The head checkpoint of a split model (bytes of a checkpoint file), with its codec
// dictionary when it has one ("codec_dictionary": id, size, base64, as in split models).
QByteArray serializeSplitHead(const AecnnClassifier& model);
// Parses and builds a head; `source` names the data in errors. Throws aecnn::Error.
SplitHeadModel parseSplitHead(const QByteArray& bytes, const QString& source);

} // namespace aecnn::edge
