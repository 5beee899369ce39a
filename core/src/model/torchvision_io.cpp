#include "aecnn/model/torchvision_io.h"

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/model/torch_file.h"

namespace aecnn {
namespace {

using torchfile::PickleRef;
using torchfile::PickleValue;

const char* const kSaveHint = "in Python, save the weights with torch.save(model.state_dict(), path)";
const char* const kStrictHint = "the file must hold exactly the tensors of a torchvision ResNet-50-family model, "
                                "as load_state_dict(strict=True) requires";

std::string shapeText(c10::IntArrayRef sizes)
{
    std::ostringstream s;
    s << sizes;
    return s.str();
}

bool holdsOnlyTensors(const PickleValue& dict)
{
    for (const auto& [key, value] : dict.entries)
        if (value->kind != PickleValue::Kind::Tensor)
            return false;
    return !dict.entries.empty();
}

const PickleValue* entry(const PickleValue& dict, const std::string& name)
{
    for (const auto& [key, value] : dict.entries)
        if (key->isString() && key->text == name)
            return value.get();
    return nullptr;
}

bool isPickledModule(const PickleValue& value)
{
    return value.kind == PickleValue::Kind::Object || value.kind == PickleValue::Kind::Global;
}

// The dict of tensors inside the file's top-level object.
const PickleValue& findStateDict(const PickleValue& root, const std::string& source)
{
    if (isPickledModule(root))
        throw Error(source + " holds a pickled whole model (" + torchfile::describe(root) +
                    "), not a state_dict; " + kSaveHint + " instead of torch.save(model, path)");
    if (root.kind != PickleValue::Kind::Dict)
        throw Error(source + " holds a " + torchfile::describe(root) + ", not a state_dict (a dict of tensors); " +
                    kSaveHint);
    if (holdsOnlyTensors(root))
        return root;
    for (const char* wrapper : {"state_dict", "model"}) {
        const PickleValue* inner = entry(root, wrapper);
        if (!inner)
            continue;
        if (isPickledModule(*inner))
            throw Error(source + ": its '" + wrapper + "' entry is a pickled whole model (" +
                        torchfile::describe(*inner) + "), not a state_dict; save model.state_dict() under that key");
        if (inner->kind == PickleValue::Kind::Dict)
            return *inner;
    }
    for (const auto& [key, value] : root.entries)
        if (value->kind != PickleValue::Kind::Tensor)
            throw Error(source + " holds a dict whose entry '" + (key->isString() ? key->text : "?") + "' is a " +
                        torchfile::describe(*value) + ", not a tensor, and no 'state_dict' or 'model' entry; " +
                        kSaveHint);
    throw Error(source + " holds an empty dict; " + kSaveHint);
}

void checkStrict(const NamedTensors& state, const ResNet& net, const std::string& source)
{
    std::map<std::string, c10::IntArrayRef> given;
    for (const auto& [name, tensor] : state)
        given.emplace(name, tensor.sizes());
    std::vector<std::string> missing;
    std::set<std::string> expectedNames;
    for (const auto& [name, tensor] : stateOf(*net)) {
        expectedNames.insert(name);
        auto it = given.find(name);
        if (it == given.end()) {
            missing.push_back(name + "' (expected shape " + shapeText(tensor.sizes()) + ")");
            continue;
        }
        if (it->second != tensor.sizes())
            throw Error(source + ": tensor '" + name + "' has shape " + shapeText(it->second) +
                        " but a ResNet-50-family model with the widths of this file expects " +
                        shapeText(tensor.sizes()) + "; " + kStrictHint);
    }
    if (!missing.empty())
        throw Error(source + ": tensor '" + missing.front() + " is missing" +
                    (missing.size() > 1 ? " (" + std::to_string(missing.size()) + " missing in all)" : "") + "; " +
                    kStrictHint);
    for (const auto& [name, tensor] : state)
        if (!expectedNames.count(name))
            throw Error(source + ": unexpected tensor '" + name + "' (shape " + shapeText(tensor.sizes()) +
                        "), which a torchvision ResNet-50-family model does not have; " + kStrictHint);
}

// The conv and fc weights a network of `config` has, computed without building it.
int64_t weightCount(const ResNetConfig& config)
{
    int64_t count = int64_t(config.inChannels) * config.stemChannels * (config.stem == StemKind::ImageNet ? 49 : 9);
    int64_t channels = config.stemChannels;
    for (int stage = 0; stage < 4; ++stage) {
        const int64_t planes = config.stagePlanes[stage];
        const int64_t out = planes * ResNetConfig::expansion;
        for (int b = 0; b < config.stageDepths[stage]; ++b) {
            count += channels * planes + 9 * planes * planes + planes * out;
            if (b == 0 && (stage > 0 || channels != out))
                count += channels * out;
            channels = out;
        }
    }
    return count + channels * config.numClasses + config.numClasses;
}

// Refuses configurations no real file describes before any memory is spent on them.
void checkPlausible(const ResNetConfig& config, const NamedTensors& state, const std::string& source)
{
    try {
        resNetConfigFromJson(toJson(config)); // the limits every saved model obeys
    } catch (const Error& e) {
        throw Error(source + ": its tensor shapes describe an implausible ResNet (" + e.what() + "); " + kStrictHint);
    }
    int64_t values = 0;
    for (const auto& item : state)
        values += item.second.numel();
    const int64_t needed = weightCount(config);
    if (needed > values)
        throw Error(source + ": its tensor shapes describe a ResNet with " + std::to_string(needed) +
                    " weights, but the file holds only " + std::to_string(values) + " values; " + kStrictHint);
}

} // namespace

NamedTensors readTorchvisionStateDict(const QString& path)
{
    const auto save = torchfile::readTorchSave(path);
    const auto& source = save.source;
    const auto& dict = findStateDict(*save.root, source);
    NamedTensors state;
    std::set<std::string> seen;
    bool allPrefixed = true;
    for (const auto& [key, value] : dict.entries) {
        if (!key->isString())
            throw Error(source + ": the state_dict has a " + torchfile::describe(*key) + " key; keys must be strings");
        if (value->kind != PickleValue::Kind::Tensor)
            throw Error(source + ": state_dict entry '" + key->text + "' is a " + torchfile::describe(*value) +
                        ", not a tensor; " + kSaveHint);
        if (!seen.insert(key->text).second)
            throw Error(source + ": state_dict key '" + key->text + "' appears twice; the file is damaged");
        auto tensor = save.tensor(value->tensor);
        if (tensor.is_floating_point() && tensor.scalar_type() != torch::kFloat)
            tensor = tensor.to(torch::kFloat);
        allPrefixed = allPrefixed && key->text.rfind("module.", 0) == 0;
        state.emplace_back(key->text, tensor);
    }
    if (allPrefixed) // saved from nn.DataParallel / DistributedDataParallel
        for (auto& item : state)
            item.first.erase(0, 7);
    return state;
}

ResNetConfig inferResNetConfig(const NamedTensors& state, const std::string& source)
{
    std::map<std::string, torch::Tensor> byName(state.begin(), state.end());
    auto require = [&](const std::string& name, int64_t dims) -> const torch::Tensor& {
        auto it = byName.find(name);
        if (it == byName.end()) {
            std::string example = state.empty() ? std::string("none") : "'" + state.front().first + "'";
            throw Error(source + " has no '" + name + "', so it is not a torchvision ResNet-50-family state_dict "
                        "(its first key is " + example + "); " + kStrictHint);
        }
        if (it->second.dim() != dims)
            throw Error(source + ": tensor '" + name + "' has shape " + shapeText(it->second.sizes()) + ", expected " +
                        std::to_string(dims) + " dimensions as in torchvision's ResNet-50");
        return it->second;
    };
    if (byName.count("layer1.0.conv1.weight") && !byName.count("layer1.0.conv3.weight"))
        throw Error(source + " is a ResNet-18/34 state_dict (BasicBlock: 'layer1.0.conv1.weight' but no "
                             "'layer1.0.conv3.weight'); only the ResNet-50 family (Bottleneck blocks, e.g. "
                             "torchvision's resnet50) is supported");
    ResNetConfig config;
    const auto& conv1 = require("conv1.weight", 4);
    config.stemChannels = static_cast<int>(conv1.size(0));
    config.inChannels = static_cast<int>(conv1.size(1));
    if (conv1.size(2) == 7 && conv1.size(3) == 7)
        config.stem = StemKind::ImageNet;
    else if (conv1.size(2) == 3 && conv1.size(3) == 3)
        config.stem = StemKind::Small;
    else
        throw Error(source + ": 'conv1.weight' has shape " + shapeText(conv1.sizes()) +
                    "; the stem convolution must be 7x7 (torchvision) or 3x3");
    config.numClasses = static_cast<int>(require("fc.weight", 2).size(0));
    const std::regex blockKey(R"(layer([1-4])\.(\d+)\.conv1\.weight)");
    config.stageDepths = {0, 0, 0, 0};
    for (const auto& [name, tensor] : byName) {
        std::smatch m;
        if (std::regex_match(name, m, blockKey) && m[2].length() < 4) {
            const int stage = std::stoi(m[1]) - 1;
            config.stageDepths[stage] = std::max(config.stageDepths[stage], std::stoi(m[2]) + 1);
        }
    }
    for (int i = 0; i < 4; ++i)
        config.stagePlanes[i] = static_cast<int>(require("layer" + std::to_string(i + 1) + ".0.conv1.weight", 4).size(0));
    return config;
}

Classifier importTorchvisionFile(const QString& path)
{
    const auto state = readTorchvisionStateDict(path);
    const auto source = "file " + path.toStdString();
    const auto config = inferResNetConfig(state, source);
    checkPlausible(config, state, source);
    Classifier model;
    model.net = ResNet(config);
    checkStrict(state, model.net, source);
    loadStateInto(*model.net, state, source);
    for (int i = 0; i < config.numClasses; ++i)
        model.usage.classNames.push_back(std::to_string(i));
    model.usage.normalization =
        config.inChannels == 3 ? Normalization::imageNet() : Normalization::identity(config.inChannels);
    model.usage.inputHeight = model.usage.inputWidth = config.stem == StemKind::ImageNet ? 224 : 32;
    model.usage.provenance = {{"imported_from", path}};
    model.net->eval();
    return model;
}

QByteArray torchvisionStateDictBytes(const ResNet& net)
{
    // torchvision's state_dict order: each module's own parameters, then its own
    // buffers, modules in registration order (pre-order).
    NamedTensors state;
    for (const auto& item : net->named_modules()) {
        const std::string prefix = item.key().empty() ? "" : item.key() + ".";
        for (const auto& p : item.value()->named_parameters(/*recurse=*/false))
            state.emplace_back(prefix + p.key(), p.value());
        for (const auto& b : item.value()->named_buffers(/*recurse=*/false))
            state.emplace_back(prefix + b.key(), b.value());
    }
    return torchfile::serializeTorchStateDict(state);
}

void exportTorchvision(const ResNet& net, const QString& path)
{
    writeFileAtomically(path, torchvisionStateDictBytes(net));
}

bool isTorchvisionResNet50(const ResNetConfig& config)
{
    return config == ResNetConfig::resnet50(config.numClasses, 3, 1.0, StemKind::ImageNet);
}

} // namespace aecnn
