#pragma once

#include <string>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "aecnn/model/image_set.h"
#include "aecnn/model/resnet.h"

namespace aecnn {

// What every saved model carries besides its weights, for all checkpoint kinds.
struct ModelUsage {
    std::vector<std::string> classNames;
    Normalization normalization;
    int inputHeight = 0;
    int inputWidth = 0;
    QJsonObject provenance; // how it was made: command, dataset, accuracy, time
};

// A trained (or imported) ResNet with what is needed to use it on images.
struct Classifier {
    ResNet net{nullptr};
    ModelUsage usage{{}, {}, 224, 224, {}};
};

void saveClassifier(const QString& path, const Classifier& model);
Classifier loadClassifierFile(const QString& path);
// Loads a torchvision ResNet-50 state_dict written by Python's torch.save; the
// configuration is inferred from the tensor shapes.
Classifier importTorchvision(const QString& path);

// Copies tensors into a module by name, requiring identical names and shapes.
// `source` names the origin in error messages.
void loadStateInto(torch::nn::Module& module, const std::vector<std::pair<std::string, torch::Tensor>>& state,
                   const std::string& source);
std::vector<std::pair<std::string, torch::Tensor>> stateOf(const torch::nn::Module& module);

void writeUsage(QJsonObject& metadata, const ModelUsage& usage);
// Reads the usage fields and checks them against the network's inputs and outputs;
// `source` names the file in errors.
ModelUsage readUsage(const QJsonObject& metadata, int inChannels, int numClasses, const std::string& source);

QJsonObject toJson(const ResNetConfig& config);
ResNetConfig resNetConfigFromJson(const QJsonObject& json); // throws aecnn::Error

} // namespace aecnn
