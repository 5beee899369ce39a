#include "aecnn/model/transfer_learning.h"

#include <array>
#include <map>

#include <torch/torch.h>

#include "aecnn/error.h"

namespace aecnn {
namespace {

constexpr std::array<std::pair<FrozenPart, const char*>, 6> kFrozenPartNames{{{FrozenPart::None, "none"},
                                                                             {FrozenPart::Stem, "stem"},
                                                                             {FrozenPart::Stage1, "stage1"},
                                                                             {FrozenPart::Stage2, "stage2"},
                                                                             {FrozenPart::Stage3, "stage3"},
                                                                             {FrozenPart::Stage4, "stage4"}}};

bool isClassifierTensor(const std::string& name)
{
    return name.rfind("fc.", 0) == 0;
}

int64_t elementCount(const std::vector<torch::Tensor>& tensors)
{
    int64_t count = 0;
    for (const auto& t : tensors)
        count += t.numel();
    return count;
}

} // namespace

std::string toString(FrozenPart part)
{
    for (const auto& [value, name] : kFrozenPartNames)
        if (value == part)
            return name;
    return "?";
}

std::string frozenPartNames()
{
    std::string names;
    for (const auto& item : kFrozenPartNames)
        names += (names.empty() ? "" : ", ") + std::string(item.second);
    return names;
}

FrozenPart frozenPartFromString(const std::string& name)
{
    for (const auto& [value, text] : kFrozenPartNames)
        if (name == text)
            return value;
    throw Error("unknown frozen part '" + name + "'; valid: " + frozenPartNames() +
                " (the stem, or the stem and every stage up to and including the one named)");
}

ResNet withNewClassifier(const ResNet& pretrained, int numClasses, uint64_t seed)
{
    if (numClasses < 1)
        throw Error("a new classifier needs at least one class");
    auto config = pretrained->config();
    config.numClasses = numClasses;
    torch::manual_seed(seed);
    ResNet fresh(config); // fc gets LibTorch's default Linear initialisation from this seed

    std::map<std::string, torch::Tensor> source;
    for (const auto& p : pretrained->named_parameters())
        source.emplace(p.key(), p.value());
    for (const auto& b : pretrained->named_buffers())
        source.emplace(b.key(), b.value());
    torch::NoGradGuard noGrad;
    auto copyInto = [&](const std::string& name, torch::Tensor& target) {
        if (isClassifierTensor(name))
            return;
        const auto it = source.find(name);
        if (it == source.end() || !it->second.sizes().equals(target.sizes()))
            throw Error("withNewClassifier: tensor '" + name + "' does not match the pretrained network");
        target.copy_(it->second);
    };
    for (auto& p : fresh->named_parameters())
        copyInto(p.key(), p.value());
    for (auto& b : fresh->named_buffers())
        copyInto(b.key(), b.value());
    fresh->eval();
    return fresh;
}

PartlyFrozenResNet::PartlyFrozenResNet(ResNet net, FrozenPart part) : net_(std::move(net)), part_(part)
{
    register_module("net", net_);
    if (part == FrozenPart::None)
        return;
    frozen_ = {net_->conv1.ptr(), net_->bn1.ptr()};
    const std::array<torch::nn::Sequential, 4> stages{net_->layer1, net_->layer2, net_->layer3, net_->layer4};
    const int frozenStages = static_cast<int>(part) - static_cast<int>(FrozenPart::Stem);
    for (int s = 0; s < frozenStages; ++s)
        frozen_.push_back(stages[static_cast<size_t>(s)].ptr());
    for (const auto& module : frozen_)
        for (auto& p : module->parameters())
            p.set_requires_grad(false);
}

void PartlyFrozenResNet::train(bool on)
{
    torch::nn::Module::train(on);
    for (const auto& module : frozen_)
        module->eval();
}

std::vector<torch::Tensor> PartlyFrozenResNet::trainableParameters() const
{
    std::vector<torch::Tensor> trainable;
    for (const auto& p : net_->parameters())
        if (p.requires_grad())
            trainable.push_back(p);
    return trainable;
}

int64_t PartlyFrozenResNet::trainableParameterCount() const
{
    return elementCount(trainableParameters());
}

int64_t PartlyFrozenResNet::frozenParameterCount() const
{
    return elementCount(net_->parameters()) - trainableParameterCount();
}

} // namespace aecnn
