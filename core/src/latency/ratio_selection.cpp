#include "aecnn/latency/ratio_selection.h"

#include <algorithm>
#include <utility>

#include "aecnn/error.h"

namespace aecnn::latency {
namespace {

double accuracyOf(const DeviceProfile& profile, const SplitTiming& split, int ratio)
{
    if (ratio == 1)
        return profile.unsplitAccuracy;
    for (const auto& r : split.ratios)
        if (r.ratio == ratio)
            return r.accuracy;
    return 0.0;
}

// Candidate V values, 1 (uncompressed) first, in ascending order; only those in `allowed`
// unless it is empty.
std::vector<int> candidates(const SplitTiming& split, const std::vector<int>& allowed = {})
{
    std::vector<int> list{1};
    for (const auto& r : split.ratios)
        if (r.ratio != 1)
            list.push_back(r.ratio);
    std::sort(list.begin(), list.end());
    if (!allowed.empty())
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](int v) { return std::find(allowed.begin(), allowed.end(), v) == allowed.end(); }),
                   list.end());
    return list;
}

} // namespace

std::optional<RatioChoice> selectRatio(const DeviceProfile& profile, int split, double rateMbps, double deadlineMs,
                                       double edgeQueueMs, const std::vector<int>& allowedRatios)
{
    const auto& s = profile.split(split);
    std::optional<RatioChoice> best;
    for (int v : candidates(s, allowedRatios)) {
        auto prediction = predictAecnn(profile, split, v, rateMbps);
        prediction.edgeMs += std::max(0.0, edgeQueueMs);
        if (prediction.totalMs() > deadlineMs)
            continue;
        const double accuracy = accuracyOf(profile, s, v);
        // Unknown accuracies (0) rank by V: less compression keeps more information.
        if (!best || accuracy > best->accuracy)
            best = RatioChoice{v, accuracy, prediction};
    }
    return best;
}

ThroughputEstimator::ThroughputEstimator(double smoothing) : smoothing_(smoothing)
{
    if (!(smoothing > 0 && smoothing <= 1))
        throw Error("throughput smoothing must be in (0, 1], got " + std::to_string(smoothing));
}

void ThroughputEstimator::addSample(int64_t bytes, double seconds)
{
    if (!(seconds > 0) || bytes < 0)
        return;
    const double sample = static_cast<double>(bytes) * 8.0 / seconds / 1e6;
    mbps_ = samples_ == 0 ? sample : smoothing_ * sample + (1.0 - smoothing_) * mbps_;
    ++samples_;
}

AdaptiveRatioSelector::AdaptiveRatioSelector(DeviceProfile profile, int split, double deadlineMs, double headroom,
                                             double smoothing)
    : profile_(std::move(profile)), split_(split), deadlineMs_(deadlineMs), headroom_(headroom), estimator_(smoothing),
      smoothing_(smoothing)
{
    profile_.split(split_); // validates
    if (!(deadlineMs > 0))
        throw Error("deadline must be positive, got " + std::to_string(deadlineMs) + " ms");
    if (!(headroom >= 0 && headroom < 1))
        throw Error("headroom must be in [0, 1), got " + std::to_string(headroom));
}

void AdaptiveRatioSelector::restrictTo(std::vector<int> ratios)
{
    if (!ratios.empty() && candidates(profile_.split(split_), ratios).empty())
        throw Error("none of the V values given is in the profile's split " + std::to_string(split_));
    allowed_ = std::move(ratios);
    ratio_ = 0;
}

bool AdaptiveRatioSelector::observe(int64_t bytes, double seconds, double edgeQueueMs)
{
    estimator_.addSample(bytes, seconds);
    if (edgeQueueMs >= 0) {
        queueMs_ = queueSampled_ ? smoothing_ * edgeQueueMs + (1.0 - smoothing_) * queueMs_ : edgeQueueMs;
        queueSampled_ = true;
    }
    if (!estimator_.hasEstimate() || !(estimator_.mbps() > 0))
        return false;
    const double rate = estimator_.mbps();
    const auto strict = selectRatio(profile_, split_, rate, deadlineMs_, queueMs_, allowed_);
    int next = ratio_;
    if (!strict) {
        // Nothing meets the deadline: send as little as possible.
        next = candidates(profile_.split(split_), allowed_).back();
        meets_ = false;
    } else if (ratio_ == 0) {
        next = strict->ratio;
        meets_ = true;
    } else {
        const bool currentFits = predictAecnn(profile_, split_, ratio_, rate).totalMs() + queueMs_ <= deadlineMs_;
        const auto relaxed = selectRatio(profile_, split_, rate, deadlineMs_ * (1.0 - headroom_), queueMs_, allowed_);
        if (!currentFits)
            next = strict->ratio; // must react now
        else if (relaxed && relaxed->ratio != ratio_ && relaxed->accuracy > accuracyOf(profile_, profile_.split(split_), ratio_))
            next = relaxed->ratio; // a more accurate V fits with room to spare
        meets_ = true;
    }
    const bool changed = next != ratio_;
    ratio_ = next;
    return changed;
}

} // namespace aecnn::latency
