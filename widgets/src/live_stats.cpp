#include "aecnn/widgets/live_stats.h"

#include <cmath>
#include <limits>

namespace aecnn::widgets {

void LiveStats::add(const LiveSample& sample)
{
    ++frames_;
    if (sample.correct >= 0) {
        ++labelled_;
        correct_ += sample.correct > 0 ? 1 : 0;
    }
    recent_.push_back(sample);
    while (static_cast<int>(recent_.size()) > window_)
        recent_.pop_front();
}

void LiveStats::clear()
{
    frames_ = labelled_ = correct_ = 0;
    recent_.clear();
}

double LiveStats::runningAccuracy() const
{
    return labelled_ == 0 ? std::numeric_limits<double>::quiet_NaN() : 100.0 * correct_ / labelled_;
}

double LiveStats::windowedAccuracy() const
{
    long long labelled = 0;
    long long correct = 0;
    for (const LiveSample& sample : recent_)
        if (sample.correct >= 0) {
            ++labelled;
            correct += sample.correct > 0 ? 1 : 0;
        }
    return labelled == 0 ? std::numeric_limits<double>::quiet_NaN() : 100.0 * correct / labelled;
}

double LiveStats::framesPerSecond() const
{
    if (recent_.size() < 2)
        return 0.0;
    const double spanMs = recent_.back().receivedMs - recent_.front().receivedMs;
    return spanMs > 0 ? 1000.0 * static_cast<double>(recent_.size() - 1) / spanMs : 0.0;
}

double LiveStats::megabitsPerSecond() const
{
    if (recent_.size() < 2)
        return 0.0;
    const double spanMs = recent_.back().receivedMs - recent_.front().receivedMs;
    double bytes = 0.0;
    for (auto it = std::next(recent_.begin()); it != recent_.end(); ++it) // the first frame opens the interval
        bytes += it->bytes;
    return spanMs > 0 ? bytes * 8.0 / (spanMs * 1000.0) : 0.0;
}

namespace {
template <typename Member>
TimeBreakdown meanOf(const std::deque<LiveSample>& samples, Member member)
{
    TimeBreakdown mean;
    if (samples.empty())
        return mean;
    for (const LiveSample& sample : samples) {
        const TimeBreakdown& t = sample.*member;
        mean.iotMs += t.iotMs;
        mean.encMs += t.encMs;
        mean.comMs += t.comMs;
        mean.decMs += t.decMs;
        mean.esMs += t.esMs;
    }
    const double n = static_cast<double>(samples.size());
    mean.iotMs /= n;
    mean.encMs /= n;
    mean.comMs /= n;
    mean.decMs /= n;
    mean.esMs /= n;
    return mean;
}
} // namespace

TimeBreakdown LiveStats::meanMeasured() const
{
    return meanOf(recent_, &LiveSample::measured);
}

TimeBreakdown LiveStats::meanPredicted() const
{
    return meanOf(recent_, &LiveSample::predicted);
}

} // namespace aecnn::widgets
