#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <QJsonObject>
#include <QString>

#include <torch/nn.h>

#include "aecnn/method/bottlenetpp.h"
#include "aecnn/model/classifier.h"
#include "aecnn/codec/entropy_coder.h"
#include "aecnn/method/feature_recovery.h"
#include "aecnn/model/image_set.h"
#include "aecnn/method/pruning.h"
#include "aecnn/model/resnet.h"

namespace aecnn {

enum class SplitVariant {
    CaPruned,    // head computing the kept channels -> tail whose first layer takes only those
    Aecnn,       // head computing the kept channels -> FR -> full tail
    BottleNetPP, // full head -> BottleNet++ encoder | decoder -> full tail
};

std::string toString(SplitVariant variant);
SplitVariant splitVariantFromString(const std::string& name); // throws aecnn::Error

// A split ResNet in one of the three forms of Table I. encode() is what the device
// computes and transmits; decode() is what the edge server computes from it.
class AecnnModelImpl : public torch::nn::Module {
public:
    // Builds the structure from `source` and copies its weights (source is untouched).
    // CaPruned/Aecnn need the ascending `kept` channel list; BottleNetPP ignores it and
    // uses `ratio`. `recoveryWidth` is FR's hidden width (Aecnn only).
    AecnnModelImpl(SplitVariant variant, const ResNetImpl& source, int split, std::vector<int64_t> kept, int ratio,
                   int recoveryWidth = 0);

    torch::Tensor encode(const torch::Tensor& x);
    torch::Tensor decode(const torch::Tensor& transmitted);
    torch::Tensor forward(const torch::Tensor& x) { return decode(encode(x)); }

    SplitVariant variant() const { return variant_; }
    const ResNetConfig& config() const { return config_; }
    int split() const { return split_; }
    int ratio() const { return ratio_; }
    int featureChannels() const { return channels_; }   // C of X_l
    int transmittedChannels() const;                    // C' = C / V
    const std::vector<int64_t>& kept() const { return kept_; }
    int recoveryWidth() const { return recoveryWidth_; }

    SplitHead head{nullptr};
    FeatureRecovery recovery{nullptr}; // Aecnn only
    BottleNetPP bottleneck{nullptr};   // BottleNetPP only
    SplitTail tail{nullptr};

private:
    SplitVariant variant_;
    ResNetConfig config_;
    int split_ = 0;
    int ratio_ = 1;
    int channels_ = 0;
    std::vector<int64_t> kept_;
    int recoveryWidth_ = 0;
};
TORCH_MODULE(AecnnModel);

// Algorithm 1, "insert FR": an Aecnn model whose head and tail weights come from a
// fine-tuned CA_Pruned model; the tail's entry filters for the pruned channels come
// from `reference` (the network before pruning). FR starts by regenerating zeros, so
// the new model initially computes exactly what `caPruned` computes.
AecnnModel insertFeatureRecovery(AecnnModelImpl& caPruned, const ResNetImpl& reference, int recoveryWidth);

// Compute and size of a split model for a given input size.
struct SplitModelCost {
    int featureHeight = 0, featureWidth = 0;
    int64_t transmittedElements = 0; // C' x H x W
    int64_t headMacs = 0, headParams = 0;
    int64_t codecMacs = 0, codecParams = 0; // FR or BottleNet++ (encoder + decoder)
    int64_t tailMacs = 0, tailParams = 0;
};
SplitModelCost describeSplitModel(AecnnModelImpl& model, int inputHeight, int inputWidth);

// A saved split model with what is needed to run it on images (checkpoint kind "aecnn").
struct AecnnClassifier {
    AecnnModel net{nullptr};
    ModelUsage usage{{}, {}, 28, 28, {}};
    // Optional zstd dictionary trained on this model's transmitted tensors (`aecnn codec
    // train-dict --model`), saved with the model; SplitTransport uses it with the zstd
    // coders. Empty = none. codecDictionaryInfo says how it was trained.
    codec::ZstdDictionary codecDictionary;
    QJsonObject codecDictionaryInfo;
};

// The "codec_dictionary" metadata entry of split-model and split-head checkpoints:
// base64 bytes with the zstd id and size, checked on reading (throws aecnn::Error).
QJsonObject codecDictionaryToJson(const codec::ZstdDictionary& dictionary, const QJsonObject& trainedOn = {});
codec::ZstdDictionary codecDictionaryFromJson(const QJsonObject& json);

// With `basePath`, tensors equal to one of that checkpoint's are stored as references (see checkpoint.h).
void saveAecnnClassifier(const QString& path, const AecnnClassifier& model, const QString& basePath = {});
AecnnClassifier loadAecnnClassifierFile(const QString& path); // throws aecnn::Error

} // namespace aecnn
