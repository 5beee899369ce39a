#include "adaptive_ratio.h"

namespace aecnn::studio {

void AdaptiveRatioFollower::configure(const StudioConfig& config, const latency::DeviceProfile& profile,
                                      const QString& profileKey)
{
    if (!config.adaptiveRatio || !isSplitMode(config.mode)) {
        selector_.reset();
        return;
    }
    if (selector_ && config.split == split_ && config.deadlineMs == deadlineMs_ && profileKey == profileKey_)
        return;
    profileKey_ = profileKey;
    split_ = config.split;
    deadlineMs_ = config.deadlineMs;
    try {
        selector_ = std::make_unique<latency::AdaptiveRatioSelector>(profile, split_, deadlineMs_);
    } catch (const std::exception&) {
        selector_.reset(); // the profile has no such split point: nothing to choose from
    }
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
