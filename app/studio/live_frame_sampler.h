#pragma once

#include <QObject>
#include <QTimer>
#include <optional>

#include "aecnn/edge/frame_result.h"
#include "aecnn/widgets/device_view.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"
#include "live_frame_views.h"

namespace aecnn::studio {

// Feeds the entropy, features and device views from live frames at most every 40 ms
// (<= 25 Hz): frames are offered at any rate, only the newest one with features
// is converted when the interval ends.
class LiveFrameSampler : public QObject {
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 40;

    explicit LiveFrameSampler(QObject* parent = nullptr);

    void setSplitChannels(int channels) { context_.splitChannels = channels; } // C of X_l, 0 = unknown
    void setCodec(const QString& codec) { context_.codec = codec; }            // the codec in use
    void setMode(const QString& mode) { context_.mode = mode; }                // the studio's mode in use
    void setInputImages(const InputImages& images) { images_ = images; }
    void setAttention(const std::vector<double>& attention) { context_.attention = attention; } // empty = none
    // `imagePosition`: the frame's position in the agent's source (-1 = unknown).
    void offer(const edge::EdgeFrameResult& frame, long long imagePosition = -1);
    void clear();
    int published() const { return published_; }

Q_SIGNALS:
    void viewsReady(const aecnn::widgets::EntropyData& entropy, const aecnn::widgets::FeatureFrame& features);
    void deviceFrameReady(const aecnn::widgets::DeviceFrame& frame);

private:
    void publish();

    std::optional<edge::EdgeFrameResult> latest_;
    long long latestPosition_ = -1;
    QTimer timer_;
    LiveFrameContext context_;
    InputImages images_;
    int published_ = 0;
};

} // namespace aecnn::studio
