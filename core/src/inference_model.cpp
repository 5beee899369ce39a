#include "aecnn/inference_model.h"

#include <torch/torch.h>

#include "aecnn/aecnn_model.h"
#include "aecnn/model_spec.h"

namespace aecnn {

InferenceModel loadInferenceModel(const std::string& spec)
{
    InferenceModel model;
    const QString path = QString::fromStdString(spec);
    if (spec != "default" && spec.rfind("torchvision:", 0) != 0 && checkpointKind(path) == kAecnnCheckpointKind) {
        auto split = loadAecnnClassifierFile(path);
        auto net = split.net;
        model.kind = kAecnnCheckpointKind;
        model.description = QString::fromStdString(toString(net->variant())) + " split " +
                            QString::number(net->split()) + " V=" + QString::number(net->ratio());
        model.module = net.ptr();
        model.forward = [net](const torch::Tensor& x) mutable { return net->forward(x); };
        model.classNames = split.classNames;
        model.normalization = split.normalization;
        model.inChannels = net->config().inChannels;
        model.inputHeight = split.inputHeight;
        model.inputWidth = split.inputWidth;
        return model;
    }
    auto classifier = loadClassifierSpec(spec);
    auto net = classifier.net;
    model.kind = "classifier";
    model.description = "ResNet-50 family classifier";
    model.module = net.ptr();
    model.forward = [net](const torch::Tensor& x) mutable { return net->forward(x); };
    model.classNames = classifier.classNames;
    model.normalization = classifier.normalization;
    model.inChannels = net->config().inChannels;
    model.inputHeight = classifier.inputHeight;
    model.inputWidth = classifier.inputWidth;
    return model;
}

} // namespace aecnn
