#pragma once

#include <QObject>
#include <QTimer>
#include <optional>

#include "aecnn/edge/frame_result.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"

namespace aecnn::studio {

// Feeds the entropy and features views from live frames at most every 40 ms
// (<= 25 Hz): frames are offered at any rate, only the newest one with features
// is converted when the interval ends.
class LiveFrameSampler : public QObject {
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 40;

    explicit LiveFrameSampler(QObject* parent = nullptr);

    void setSplitChannels(int channels) { splitChannels_ = channels; } // C of X_l, 0 = unknown
    void offer(const edge::EdgeFrameResult& frame);
    void clear();
    int published() const { return published_; }

Q_SIGNALS:
    void viewsReady(const aecnn::widgets::EntropyData& entropy, const aecnn::widgets::FeatureFrame& features);

private:
    void publish();

    std::optional<edge::EdgeFrameResult> latest_;
    QTimer timer_;
    int splitChannels_ = 0;
    int published_ = 0;
};

} // namespace aecnn::studio
