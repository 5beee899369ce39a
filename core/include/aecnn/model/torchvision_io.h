#pragma once

#include <string>
#include <utility>
#include <vector>

#include <QByteArray>
#include <QString>

#include "aecnn/model/classifier.h"

namespace aecnn {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// The state_dict in a file written by Python's torch.save (zip or legacy format):
// the top-level dict (OrderedDict or dict), or its "state_dict" or "model" entry,
// with a DataParallel "module." prefix removed and floating-point tensors (fp16,
// bf16, fp64) converted to float32. Throws aecnn::Error naming the file, e.g. for
// a pickled whole model (save model.state_dict() instead).
NamedTensors readTorchvisionStateDict(const QString& path);

// The ResNet-50-family configuration that torchvision names and shapes describe;
// throws aecnn::Error naming `source` and the first key that does not fit.
ResNetConfig inferResNetConfig(const NamedTensors& state, const std::string& source);

// A classifier from a torchvision ResNet-50-family state_dict file (strict: every
// tensor of the network present with its shape, nothing else). Class names are
// "0".."N-1", normalization ImageNet's for 3 channels.
Classifier importTorchvisionFile(const QString& path);

// The network's parameters and buffers under torchvision's names (num_batches_tracked
// included), as Python's torch.save(model.state_dict()) writes them (zip format): a
// torchvision resnet50 of the same widths loads it with load_state_dict(strict=True).
QByteArray torchvisionStateDictBytes(const ResNet& net);
// Writes torchvisionStateDictBytes atomically; throws aecnn::Error naming the file.
void exportTorchvision(const ResNet& net, const QString& path);

// Whether `config` is torchvision's resnet50(num_classes=config.numClasses) layout.
bool isTorchvisionResNet50(const ResNetConfig& config);

} // namespace aecnn
