#pragma once

// Internal to the edge runtime (includes LibTorch): the model the edge finishes frames with.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QByteArray>
#include <QString>

#include "aecnn/split/split_model.h"
#include "aecnn/edge/frame_result.h"
#include "aecnn/split/inference_model.h"
#include "aecnn/split/split_transport.h"

namespace aecnn::edge {

// What the device is sent for a mode.
struct Deployment {
    QString name;
    QByteArray bytes;
};

class EdgeModel {
public:
    // Loads a classifier or a split model checkpoint ("default" = the default model);
    // throws aecnn::Error.
    explicit EdgeModel(const QString& spec);

    QString path() const { return path_; }
    bool isSplit() const { return split_.has_value(); }
    int splitPoint() const; // 0 when not a split model
    int ratio() const;      // V; 0 when not a split model
    int inputHeight() const { return split_ ? split_->usage.inputHeight : whole_.usage.inputHeight; }
    int inputWidth() const { return split_ ? split_->usage.inputWidth : whole_.usage.inputWidth; }
    // Throws aecnn::Error naming what the mode needs when this model cannot serve it.
    void requireMode(const std::string& mode) const;
    // The head (aecnn / bottlenetpp) or the whole file (full / local).
    Deployment deploymentFor(const std::string& mode) const;

    // Prepares a stream: the codec transport for split modes. Throws aecnn::Error.
    void prepare(const std::string& mode, const TransportSettings& transport);
    // After prepare(): whether the stream uses framing "session", and its layout
    // (codec::serializeLayout, base64; empty when not session-framed).
    bool sessionFramed() const { return transport_ && transport_->sessionFramed(); }
    QByteArray sessionLayoutBase64() const;
    // Finishes one frame: fills predicted, decMs, esMs and (keepFeatures) the tensor.
    // Throws aecnn::Error when the payload cannot be decoded or does not fit the model.
    void finish(const std::string& kind, const QByteArray& payload, bool keepFeatures, EdgeFrameResult& result);

    // The same path split in two for a shared tail (tail_executor.h): decodeFeatures
    // decodes a "features" payload (fills decMs and, with keepFeatures, the views) and
    // returns the received tensor (1 x C' x H x W); tailPredict runs FR / decoder + tail
    // on a batch of them (N x C' x H x W) and returns one class per row. Throws aecnn::Error.
    torch::Tensor decodeFeatures(const QByteArray& payload, bool keepFeatures, EdgeFrameResult& result);
    std::vector<int> tailPredict(const torch::Tensor& batch);

private:
    void finishFeatures(const QByteArray& payload, bool keepFeatures, EdgeFrameResult& result);
    void finishJpeg(const QByteArray& payload, EdgeFrameResult& result);

    QString path_;
    QByteArray fileBytes_;
    InferenceModel whole_;
    std::optional<AecnnClassifier> split_;
    std::string mode_;
    std::optional<SplitTransport> transport_;
    codec::CoderWorkspace workspace_; // zstd contexts reused from frame to frame
};

} // namespace aecnn::edge
