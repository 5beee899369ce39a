#include "adaptive_ratio.h"

namespace aecnn::studio {

void AdaptiveRatioFollower::configure(const StudioConfig& config, const latency::DeviceProfile& profile)
{
    if (!config.adaptiveRatio || !isSplitMode(config.mode)) {
        selector_.reset();
        return;
    }
    if (selector_ && config.split == split_ && config.deadlineMs == deadlineMs_)
        return;
    split_ = config.split;
    deadlineMs_ = config.deadlineMs;
    selector_ = std::make_unique<latency::AdaptiveRatioSelector>(profile, split_, deadlineMs_);
}

int AdaptiveRatioFollower::observe(int64_t bytes, double transferMs, int currentRatio)
{
    if (!selector_ || bytes <= 0 || transferMs <= 0.0)
        return 0;
    selector_->observe(bytes, transferMs / 1000.0);
    const int chosen = selector_->ratio();
    return chosen > 0 && chosen != currentRatio ? chosen : 0;
}

} // namespace aecnn::studio
