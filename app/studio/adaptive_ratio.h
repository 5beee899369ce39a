#pragma once

#include <cstdint>
#include <memory>

#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/ratio_selection.h"
#include "studio_config.h"

namespace aecnn::studio {

// Adaptive V during a live stream: each frame's bytes over its transfer time feed the
// throughput estimate of latency::AdaptiveRatioSelector, which picks the most accurate
// V whose predicted completion time meets the deadline.
class AdaptiveRatioFollower {
public:
    // Active only with "adaptive V" on in a split mode; keeps its estimate while the
    // split point, the deadline and `profileKey` (names the profile: a new one, e.g. the
    // connected device's instead of the Pi 4 table, means a new selector) stay the same.
    void configure(const StudioConfig& config, const latency::DeviceProfile& profile, const QString& profileKey = {});
    bool active() const { return selector_ != nullptr; }

    // The V to switch to after this frame, or 0 to keep `currentRatio`.
    int observe(int64_t bytes, double transferMs, int currentRatio);
    double estimatedMbps() const { return selector_ ? selector_->estimatedMbps() : 0.0; }

private:
    std::unique_ptr<latency::AdaptiveRatioSelector> selector_;
    int split_ = 0;
    double deadlineMs_ = 0.0;
    QString profileKey_;
};

} // namespace aecnn::studio
