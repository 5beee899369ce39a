#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn.h>

#include "aecnn/model/resnet.h"

namespace aecnn {

// Transfer learning as the paper did (Section V: an ImageNet-trained ResNet-50
// fine-tuned on Caltech-101): keep the pretrained backbone, give it a new
// classifier for the target classes, optionally freeze its first stages.

// How much of the backbone keeps its pretrained weights: nothing, the stem
// (conv1/bn1), or the stem and every stage up to and including stageN.
enum class FrozenPart { None, Stem, Stage1, Stage2, Stage3, Stage4 };

std::string toString(FrozenPart part);
FrozenPart frozenPartFromString(const std::string& name); // throws aecnn::Error listing the valid names
std::string frozenPartNames();                             // "none, stem, stage1, stage2, stage3, stage4"

// A copy of `pretrained` (every weight and BN statistic) whose final fc is replaced
// by a fresh Linear(featureChannels, numClasses) with LibTorch's default
// initialisation, drawn after torch::manual_seed(seed): the same seed gives the
// same new classifier. `pretrained` itself is left unchanged.
ResNet withNewClassifier(const ResNet& pretrained, int numClasses, uint64_t seed);

// `net` with the parts up to `part` frozen: their parameters stop requiring
// gradients, and train() leaves them in eval mode so that their BatchNorm layers
// keep the pretrained running statistics (a frozen part computes exactly what it
// computed before training). Pass this module to trainClassifier as the module
// whose mode it switches, with trainableParameters() as what it trains.
class PartlyFrozenResNet : public torch::nn::Module {
public:
    PartlyFrozenResNet(ResNet net, FrozenPart part);

    void train(bool on = true) override;
    torch::Tensor forward(const torch::Tensor& x) { return net_->forward(x); }

    std::vector<torch::Tensor> trainableParameters() const;
    int64_t trainableParameterCount() const; // elements, not tensors
    int64_t frozenParameterCount() const;
    FrozenPart frozenPart() const { return part_; }
    const ResNet& net() const { return net_; }

private:
    ResNet net_;
    FrozenPart part_;
    std::vector<std::shared_ptr<torch::nn::Module>> frozen_;
};

} // namespace aecnn
