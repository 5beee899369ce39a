#include "analysis_worker.h"

#include <torch/torch.h>

#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/error.h"
#include "aecnn/method/importance.h"
#include "aecnn/model/model_spec.h"
#include "aecnn/model/split_info.h"
#include "frame_analysis.h"

namespace aecnn::studio {
namespace {

struct Cancelled {};

std::vector<SplitRow> splitRowsOf(const std::vector<SplitPointInfo>& infos)
{
    std::vector<SplitRow> rows;
    for (const SplitPointInfo& info : infos)
        rows.push_back(SplitRow{info.point, QString::fromStdString(info.after), info.channels, info.height,
                                info.width, static_cast<long long>(info.bytes)});
    return rows;
}

widgets::AttentionData attentionDataOf(const ImportanceReport& report)
{
    widgets::AttentionData data;
    data.split = report.split;
    data.samples = report.samples;
    data.datasetMean = report.importance;
    data.batchMeans = report.batchMeans;
    data.spearmanMean = report.stability.spearmanMean;
    data.spearmanMin = report.stability.spearmanMin;
    data.spearmanToMean = report.stability.spearmanToDatasetMean;
    data.topK = report.stability.topK;
    data.topKOverlap = report.stability.topKOverlap;
    return data;
}

// At most this many bytes of test images are copied for the device view (Fashion-MNIST's
// 10,000 test images are 7.8 MB); larger sets keep their first images only.
constexpr size_t kMaxInputImageBytes = size_t(64) << 20;

InputImages inputImagesOf(const QString& dataset, const ImageSet& test, int64_t testTotal)
{
    InputImages images;
    images.dataset = dataset;
    images.total = testTotal >= 0 ? testTotal : test.size();
    if (test.size() == 0)
        return images;
    images.channels = test.channels();
    images.height = test.height();
    images.width = test.width();
    const size_t perImage = static_cast<size_t>(images.channels) * images.height * images.width;
    const int64_t count = std::min<int64_t>(test.size(), static_cast<int64_t>(kMaxInputImageBytes / std::max<size_t>(1, perImage)));
    images.count = static_cast<int>(count);
    const torch::Tensor pixels = test.images.slice(0, 0, count).to(torch::kUInt8).contiguous();
    const uint8_t* data = pixels.data_ptr<uint8_t>();
    images.pixels = std::make_shared<const std::vector<uint8_t>>(data, data + perImage * static_cast<size_t>(count));
    const torch::Tensor labels = test.labels.slice(0, 0, count).to(torch::kInt64).contiguous();
    const int64_t* label = labels.data_ptr<int64_t>();
    images.labels.assign(label, label + count);
    for (const std::string& name : test.classNames)
        images.classNames << QString::fromStdString(name);
    return images;
}

} // namespace

QString modelFileForSpec(const QString& spec)
{
    if (spec == QLatin1String("default"))
        return defaultModelPath();
    if (spec.startsWith(QLatin1String("torchvision:")))
        return {};
    return spec;
}

void AnalysisWorker::computeAttention(const AttentionRequest& request)
{
    cancelled_.store(stopped_.load());
    torch::NoGradGuard noGrad; // thread-local: must be created in the worker thread
    try {
        if (cancelled_.load())
            throw Cancelled{}; // stopped: queued behind a request that was running at shutdown
        Q_EMIT progress(tr("loading model %1").arg(request.model), 0, 0);
        Classifier model = loadClassifierSpec(request.model.toStdString());
        model.net->eval();
        Q_EMIT splitRowsReady(
            splitRowsOf(describeSplitPoints(*model.net, model.usage.inputHeight, model.usage.inputWidth)));
        if (cancelled_.load())
            throw Cancelled{};

        Q_EMIT progress(tr("loading data set %1").arg(request.dataset), 0, 0);
        datasets::DatasetRequest dataRequest;
        dataRequest.height = model.usage.inputHeight;
        dataRequest.width = model.usage.inputWidth;
        dataRequest.channels = model.net->config().inChannels;
        dataRequest.needTrain = false;
        // The data-set mean needs `maxImages`; the device view holds as many as fit in
        // kMaxInputImageBytes (all 10,000 Fashion-MNIST test images at 28 x 28), since the
        // agent streams the whole test split, not only the first `maxImages`.
        const int64_t perImage = int64_t(dataRequest.channels) * dataRequest.height * dataRequest.width;
        dataRequest.testLimit = request.maxImages > 0
                                    ? std::max<int64_t>(request.maxImages, int64_t(kMaxInputImageBytes) / std::max<int64_t>(1, perImage))
                                    : 0;
        DataSplit loaded = datasets::loadDataset(request.dataset.toStdString(), dataRequest);
        ImageSet test = std::move(loaded.test);
        const QString imagesKey = QStringLiteral("%1@%2x%3x%4").arg(request.dataset).arg(dataRequest.height)
                                      .arg(dataRequest.width).arg(dataRequest.channels);
        if (imagesKey != imagesKey_) {
            Q_EMIT inputImagesReady(inputImagesOf(request.dataset, test, loaded.testTotal));
            imagesKey_ = imagesKey;
        }
        if (request.maxImages > 0 && test.size() > request.maxImages)
            test = test.head(request.maxImages);

        const QString stage = tr("channel attention at split %1").arg(request.split);
        const ImportanceReport report = computeImportance(
            *model.net, request.split, test, std::max(3, request.batches), request.batchSize, 1, {2, 4, 8, 16, 32, 64},
            [&](int64_t done, int64_t total) {
                if (cancelled_.load())
                    throw Cancelled{};
                Q_EMIT progress(stage, done, total);
            });
        Q_EMIT attentionReady(attentionDataOf(report));

        Q_EMIT progress(tr("example frame at V=%1 with %2").arg(request.ratio).arg(request.codec), 0, 0);
        const FrameAnalysis frame = analyzeFrame(*model.net, test, 0, request.split, report.importance,
                                                 request.ratio, request.codec.toStdString());
        Q_EMIT frameAnalyzed(frame.entropy, frame.features);
    } catch (const Cancelled&) {
        Q_EMIT cancelled();
    } catch (const std::exception& e) {
        Q_EMIT failed(tr("Attention computation failed: %1").arg(QString::fromStdString(e.what())));
    }
}

} // namespace aecnn::studio
