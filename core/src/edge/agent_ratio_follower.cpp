#include "aecnn/edge/agent_ratio_follower.h"

#include <algorithm>
#include <vector>

namespace aecnn::edge {
namespace {

constexpr double kComFloorMs = 0.1; // below the clock offset's precision

std::vector<int> ratiosWithModels(const AdaptiveRatioSpec& spec)
{
    std::vector<int> list;
    for (const auto& [ratio, path] : spec.models)
        list.push_back(ratio);
    return list;
}

} // namespace

AgentRatioFollower::AgentRatioFollower(const AdaptiveRatioSpec& spec)
    : spec_(spec), selector_(spec.profile, spec.split, spec.deadlineMs),
      rateOnly_(spec.profile, spec.split, spec.deadlineMs)
{
    selector_.restrictTo(ratiosWithModels(spec_));
    rateOnly_.restrictTo(ratiosWithModels(spec_));
}

std::optional<RatioSwitch> AgentRatioFollower::observe(const EdgeFrameResult& frame, int currentRatio)
{
    if (!frame.failure.empty() || frame.bytes <= 0)
        return std::nullopt; // no transfer measurement
    // t_com comes from the agent's send time mapped with the ping-estimated clock offset,
    // good to a fraction of a millisecond: a transfer measured shorter than that (even <= 0
    // on a fast link) counts as that floor, i.e. as a fast link, instead of no measurement.
    const double seconds = std::max(frame.comMs, kComFloorMs) / 1000.0;
    selector_.observe(frame.bytes, seconds, frame.queueMs);
    rateOnly_.observe(frame.bytes, seconds, 0.0);
    if (rateChoiceBefore_ == 0)
        rateChoiceBefore_ = currentRatio; // the V the agent started with
    // After a switch, the estimates need frames of the V now streamed before they may ask
    // for another: a switch stops, redeploys and restarts the agent, and the t_com of small
    // frames on a fast link is mostly latency, so without this the choice bounced frame by frame.
    if (framesSinceSwitch_ >= 0) {
        if (frame.ratio == currentRatio)
            ++framesSinceSwitch_;
        if (framesSinceSwitch_ < kSwitchDwellFrames)
            return std::nullopt;
    }
    const int chosen = selector_.ratio();
    if (!spec_.live || chosen == 0 || chosen == currentRatio || spec_.models.count(chosen) == 0)
        return std::nullopt;
    RatioSwitch s;
    s.afterFrame = frame.sequence;
    s.fromRatio = currentRatio;
    s.toRatio = chosen;
    // The rate alone still asks for what it asked for at the last switch: the queue moved the choice.
    const int rateChoice = rateOnly_.ratio();
    s.why = rateChoice == rateChoiceBefore_ ? "queue" : rateChoice == chosen ? "rate" : "rate+queue";
    rateChoiceBefore_ = rateChoice;
    s.mbps = selector_.estimatedMbps();
    s.queueMs = selector_.estimatedQueueMs();
    framesSinceSwitch_ = 0;
    return s;
}

AdaptiveRatioState AgentRatioFollower::state() const
{
    return {selector_.ratio(), selector_.meetsDeadline(), selector_.estimatedMbps(), selector_.estimatedQueueMs(),
            spec_.live};
}

} // namespace aecnn::edge
