#include "aecnn/split/inference_model.h"

#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/split/split_model.h"
#include "aecnn/model/model_spec.h"

namespace aecnn {

namespace {

// What eval/predict need from a loaded classifier or split model: both carry a network
// with forward() and config(), and a ModelUsage.
template <typename Loaded>
InferenceModel inferenceModelOf(const Loaded& loaded, CheckpointKind kind, QString description)
{
    auto net = loaded.net;
    InferenceModel model;
    model.kind = kind;
    model.description = std::move(description);
    model.module = net.ptr();
    model.forward = [net](const torch::Tensor& x) mutable { return net->forward(x); };
    model.usage = loaded.usage;
    model.inChannels = net->config().inChannels;
    model.config = net->config();
    return model;
}

} // namespace

bool isSplitModelSpec(const std::string& spec)
{
    return spec != "default" && spec.rfind("torchvision:", 0) != 0 &&
           readCheckpointKind(QString::fromStdString(spec)) == CheckpointKind::SplitModel;
}

InferenceModel loadInferenceModel(const std::string& spec)
{
    if (isSplitModelSpec(spec)) {
        const auto split = loadAecnnClassifierFile(QString::fromStdString(spec));
        const auto& net = *split.net;
        return inferenceModelOf(split, CheckpointKind::SplitModel,
                                QString::fromStdString(toString(net.variant())) + " split " +
                                    QString::number(net.split()) + " V=" + QString::number(net.ratio()));
    }
    return inferenceModelOf(loadClassifierSpec(spec), CheckpointKind::Classifier,
                            QStringLiteral("ResNet-50 family classifier"));
}

} // namespace aecnn
