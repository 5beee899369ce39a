#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <vector>

#include "aecnn/widgets/channel_attention_view.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"
#include "input_images.h"
#include "studio_config.h"

namespace aecnn::studio {

struct AttentionRequest {
    QString model = QStringLiteral("default");
    QString dataset = QStringLiteral("fashion-mnist");
    int split = 1;
    int batches = 4;      // sampled batches overlaid in Fig. 4 (>= 3)
    int batchSize = 64;
    int maxImages = 2000; // test images in the data-set mean
    int ratio = 4;        // V and codec of the example frame (entropy and features views)
    QString codec = QStringLiteral("uint8+zstd");
};

// The checkpoint file behind a model spec ("default" -> the shipped model), for
// deploying it to an agent; empty for specs that are not one file (torchvision:).
QString modelFileForSpec(const QString& spec);

// Loads the model, computes the channel attention statistics and analyzes one
// example frame with LibTorch.
// Lives in a worker QThread; every torch call stays in the .cpp file.
class AnalysisWorker : public QObject {
    Q_OBJECT
public:
    explicit AnalysisWorker(QObject* parent = nullptr) : QObject(parent) {}

    // Thread-safe: the running computation stops at its next batch.
    void cancel() { cancelled_.store(true); }
    // Thread-safe: like cancel(), and every later request is cancelled at once too
    // (for shutting down with requests still queued).
    void stop()
    {
        stopped_.store(true);
        cancelled_.store(true);
    }

public Q_SLOTS:
    void computeAttention(const aecnn::studio::AttentionRequest& request);

Q_SIGNALS:
    void progress(const QString& stage, qint64 done, qint64 total);
    void splitRowsReady(const std::vector<aecnn::studio::SplitRow>& rows);
    void attentionReady(const aecnn::widgets::AttentionData& data);
    // The data set's test images, for the device view (once per data set and geometry).
    void inputImagesReady(const aecnn::studio::InputImages& images);
    // One test image through head, pruning and codec at the requested V.
    void frameAnalyzed(const aecnn::widgets::EntropyData& entropy, const aecnn::widgets::FeatureFrame& features);
    void failed(const QString& message);
    void cancelled();

private:
    std::atomic<bool> cancelled_{false};
    std::atomic<bool> stopped_{false};
    QString imagesKey_; // data set and geometry of the last inputImagesReady (worker thread only)
};

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::AttentionRequest)
