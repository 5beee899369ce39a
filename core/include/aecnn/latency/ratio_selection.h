#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "aecnn/latency/latency_model.h"

namespace aecnn::latency {

struct RatioChoice {
    int ratio = 0;
    double accuracy = 0.0;
    Prediction prediction;
};

// The most accurate V of the profile's split whose predicted completion time is
// <= deadline at rate r; ties go to the smaller V. Empty when no V meets the deadline.
// edgeQueueMs: time a frame waits at a shared edge before its tail runs (many agents,
// one edge); added to the edge-side time t_es of every candidate (Eq. 3-4).
// allowedRatios: only these V are candidates (e.g. those a split model exists for); empty = all.
std::optional<RatioChoice> selectRatio(const DeviceProfile& profile, int split, double rateMbps, double deadlineMs,
                                       double edgeQueueMs = 0.0, const std::vector<int>& allowedRatios = {});

// Uplink throughput from (bytes, seconds) observations, exponentially weighted.
class ThroughputEstimator {
public:
    explicit ThroughputEstimator(double smoothing = 0.3); // weight of the newest sample, (0, 1]
    void addSample(int64_t bytes, double seconds);       // ignores non-positive durations
    bool hasEstimate() const { return samples_ > 0; }
    double mbps() const { return mbps_; }
    int samples() const { return samples_; }

private:
    double smoothing_;
    double mbps_ = 0.0;
    int samples_ = 0;
};

// Online re-selection of V from measured throughput. Moves to a more compressed V
// as soon as the current one misses the deadline; moves back to a more accurate V
// only when it fits with `headroom` (a fraction of the deadline) to spare, so a
// noisy link does not make it flap.
class AdaptiveRatioSelector {
public:
    AdaptiveRatioSelector(DeviceProfile profile, int split, double deadlineMs, double headroom = 0.1,
                          double smoothing = 0.3);
    // Feeds one transfer measurement and, at a shared edge, the frame's measured wait
    // in the edge's queue (smoothed like the throughput; it lengthens every V's t_es,
    // so a busy edge pushes the choice to a smaller transfer). Returns true when the
    // chosen V changed.
    bool observe(int64_t bytes, double seconds, double edgeQueueMs = 0.0);
    // Chooses only among these V (those that can be deployed; 1 = uncompressed only when
    // listed); empty = every V of the profile's split. Throws aecnn::Error when none of
    // them is in the profile. Forgets the current choice.
    void restrictTo(std::vector<int> ratios);
    double estimatedQueueMs() const { return queueMs_; }
    int ratio() const { return ratio_; } // 0 until the first observation
    double estimatedMbps() const { return estimator_.mbps(); }
    bool meetsDeadline() const { return meets_; }

private:
    DeviceProfile profile_;
    int split_;
    double deadlineMs_;
    double headroom_;
    ThroughputEstimator estimator_;
    double smoothing_;
    double queueMs_ = 0.0;
    bool queueSampled_ = false;
    int ratio_ = 0;
    bool meets_ = false;
    std::vector<int> allowed_;
};

} // namespace aecnn::latency
