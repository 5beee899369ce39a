#include "feature_file.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include "aecnn/codec/npy_io.h"
#include "aecnn/error.h"

namespace aecnn::cli {

std::string sidecarPath(const std::string& npyPath)
{
    return npyPath + ".json";
}

std::vector<codec::FeatureTensor> loadFeatureFile(const std::string& npyPath)
{
    const codec::NpyArray array = codec::readNpy(npyPath);
    std::vector<uint64_t> shape = array.shape;
    if (shape.size() == 3)
        shape.insert(shape.begin(), 1);
    if (shape.size() != 4)
        throw Error(npyPath + ": expected a [N, C, H, W] or [C, H, W] array, got " + std::to_string(shape.size()) +
                    " dimensions");
    for (uint64_t d : shape)
        if (d == 0 || d > 0xFFFFFFFFu)
            throw Error(npyPath + ": array has an empty or huge dimension");
    codec::FeatureTensor prototype;
    prototype.channels = prototype.originalChannels = uint32_t(shape[1]);
    prototype.height = uint32_t(shape[2]);
    prototype.width = uint32_t(shape[3]);
    QFile sidecar(QString::fromStdString(sidecarPath(npyPath)));
    if (sidecar.exists()) {
        if (!sidecar.open(QIODevice::ReadOnly))
            throw Error("cannot read " + sidecar.fileName().toStdString());
        const QJsonObject json = QJsonDocument::fromJson(sidecar.readAll()).object();
        prototype.originalChannels = uint32_t(json.value("original_channels").toInt(int(prototype.channels)));
        for (const auto& v : json.value("kept_channels").toArray())
            prototype.keptChannels.push_back(uint16_t(v.toInt()));
        if (prototype.originalChannels == prototype.channels)
            prototype.keptChannels.clear();
    }
    const size_t per = size_t(prototype.elementCount());
    std::vector<codec::FeatureTensor> tensors;
    for (uint64_t n = 0; n < shape[0]; ++n) {
        codec::FeatureTensor t = prototype;
        t.values.assign(array.values.begin() + std::ptrdiff_t(n * per), array.values.begin() + std::ptrdiff_t((n + 1) * per));
        codec::validate(t); // a sidecar that does not fit the array is an error here
        tensors.push_back(std::move(t));
    }
    return tensors;
}

void saveFeatureFile(const std::string& npyPath, const std::vector<codec::FeatureTensor>& tensors,
                     QJsonObject sidecar)
{
    if (tensors.empty())
        throw Error("no feature tensors to write to " + npyPath);
    const auto& first = tensors.front();
    codec::NpyArray array;
    array.shape = {tensors.size(), first.channels, first.height, first.width};
    for (const auto& t : tensors) {
        if (t.channels != first.channels || t.height != first.height || t.width != first.width ||
            t.keptChannels != first.keptChannels || t.originalChannels != first.originalChannels)
            throw Error("feature tensors written to one file must share shape and kept channels");
        array.values.insert(array.values.end(), t.values.begin(), t.values.end());
    }
    codec::writeNpy(npyPath, array);
    sidecar["original_channels"] = int(first.originalChannels);
    QJsonArray kept;
    if (first.keptChannels.empty())
        for (uint32_t c = 0; c < first.channels; ++c)
            kept.append(int(c));
    else
        for (uint16_t c : first.keptChannels)
            kept.append(int(c));
    sidecar["kept_channels"] = kept;
    QSaveFile file(QString::fromStdString(sidecarPath(npyPath)));
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(sidecar).toJson()) < 0 || !file.commit())
        throw Error("cannot write " + sidecarPath(npyPath));
}

} // namespace aecnn::cli
