#include "aecnn/split/inference_model.h"

#include <torch/torch.h>

#include "aecnn/split/split_model.h"
#include "aecnn/model/model_spec.h"

namespace aecnn {

namespace {

// What eval/predict need from a loaded classifier or split model: both carry a network
// with forward() and config(), and a ModelUsage.
template <typename Loaded>
InferenceModel inferenceModelOf(const Loaded& loaded, QString kind, QString description)
{
    auto net = loaded.net;
    InferenceModel model;
    model.kind = std::move(kind);
    model.description = std::move(description);
    model.module = net.ptr();
    model.forward = [net](const torch::Tensor& x) mutable { return net->forward(x); };
    model.usage = loaded.usage;
    model.inChannels = net->config().inChannels;
    return model;
}

} // namespace

InferenceModel loadInferenceModel(const std::string& spec)
{
    const QString path = QString::fromStdString(spec);
    if (spec != "default" && spec.rfind("torchvision:", 0) != 0 && checkpointKind(path) == kAecnnCheckpointKind) {
        const auto split = loadAecnnClassifierFile(path);
        const auto& net = *split.net;
        return inferenceModelOf(split, kAecnnCheckpointKind,
                                QString::fromStdString(toString(net.variant())) + " split " +
                                    QString::number(net.split()) + " V=" + QString::number(net.ratio()));
    }
    return inferenceModelOf(loadClassifierSpec(spec), QStringLiteral("classifier"),
                            QStringLiteral("ResNet-50 family classifier"));
}

} // namespace aecnn
