#include "deployed_model_impl.h"

#include <QCryptographicHash>
#include <QTemporaryFile>

#include "aecnn/model/checkpoint.h"
#include "aecnn/error.h"

namespace aecnn::agent {

ModelGeometry geometryOf(const DeployedModel& model)
{
    if (model.head) {
        const auto& h = *model.head;
        return {h.usage.inputHeight, h.usage.inputWidth, h.inChannels(), static_cast<int>(h.usage.classNames.size())};
    }
    const auto& m = *model.whole;
    return {m.usage.inputHeight, m.usage.inputWidth, m.inChannels, static_cast<int>(m.usage.classNames.size())};
}

QString describe(const DeployedModel& model)
{
    const auto g = geometryOf(model);
    const QString what = model.head ? QString("split head (%1, split %2, V=%3)")
                                          .arg(QString::fromStdString(toString(model.head->variant)))
                                          .arg(model.head->split)
                                          .arg(model.head->ratio)
                                    : model.whole->description;
    return QString("model loaded: %1, input %2x%3x%4, %5 classes").arg(what).arg(g.width).arg(g.height).arg(g.channels).arg(g.classes);
}

void ModelReceiver::begin(const QString& name, quint64 size, const QByteArray& sha256)
{
    reset();
    if (size == 0)
        throw Error("model deployment '" + name.toStdString() + "' declares 0 bytes");
    if (size > static_cast<quint64>(maxBytes_))
        throw Error("model deployment '" + name.toStdString() + "' of " + std::to_string(size) +
                    " bytes is over this agent's cap of " + std::to_string(maxBytes_) +
                    " bytes (start the agent with a larger --max-model-mb)");
    active_ = true;
    name_ = name;
    size_ = size;
    sha256_ = sha256;
    data_.reserve(static_cast<qsizetype>(size));
}

void ModelReceiver::append(const QByteArray& chunk)
{
    if (!active_)
        throw Error("model data without a DeployBegin");
    if (static_cast<quint64>(data_.size() + chunk.size()) > size_) {
        reset();
        throw Error("model deployment sent more bytes than the " + std::to_string(size_) + " it declared");
    }
    data_.append(chunk);
}

std::shared_ptr<const DeployedModel> ModelReceiver::finish()
{
    if (!active_)
        throw Error("DeployEnd without a DeployBegin");
    const QByteArray data = data_;
    const QByteArray expected = sha256_;
    const QString name = name_;
    const quint64 size = size_;
    reset();
    if (static_cast<quint64>(data.size()) != size)
        throw Error("model deployment ended after " + std::to_string(data.size()) + " of " + std::to_string(size) +
                    " bytes");
    if (QCryptographicHash::hash(data, QCryptographicHash::Sha256) != expected)
        throw Error("model deployment '" + name.toStdString() + "': SHA-256 mismatch, the model was not loaded");
    auto model = std::make_shared<DeployedModel>();
    model->name = name;
    const QString source = "deployed model '" + name + "'";
    if (checkpointKindOf(parseCheckpoint(data, source).metadata) == CheckpointKind::SplitHead) {
        model->head = edge::parseSplitHead(data, source);
        return model;
    }
    QTemporaryFile file;
    if (!file.open() || file.write(data) != data.size() || !file.flush())
        throw Error("cannot store the deployed model in a temporary file: " + file.errorString().toStdString());
    model->whole = loadInferenceModel(file.fileName().toStdString());
    model->whole->module->eval();
    return model;
}

void ModelReceiver::reset()
{
    active_ = false;
    name_.clear();
    size_ = 0;
    sha256_.clear();
    data_.clear();
}

} // namespace aecnn::agent
