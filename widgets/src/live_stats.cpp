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
    if (frames_ == 1)
        firstArrivalMs_ = sample.receivedMs;
    arrivals_.emplace_back(sample.receivedMs, sample.bytes);
    while (!arrivals_.empty() && arrivals_.front().first <= sample.receivedMs - rateWindowMs_)
        arrivals_.pop_front();
    recent_.push_back(sample);
    while (static_cast<int>(recent_.size()) > window_)
        recent_.pop_front();
}

void LiveStats::clear()
{
    frames_ = labelled_ = correct_ = 0;
    recent_.clear();
    arrivals_.clear();
    firstArrivalMs_ = 0.0;
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

namespace {
// Over the last `window` ms once the stream is that old; before that from the
// first arrival, which only opens the interval (its frame and bytes not counted).
template <typename Value>
double perSecond(const std::deque<std::pair<double, double>>& arrivals, double firstMs, double window, Value value)
{
    if (arrivals.empty())
        return 0.0;
    const double last = arrivals.back().first;
    const bool full = last - firstMs >= window;
    const double span = full ? window : last - firstMs;
    if (span <= 0)
        return 0.0;
    double sum = 0.0;
    for (const auto& arrival : arrivals)
        if (full || arrival.first > firstMs)
            sum += value(arrival);
    return 1000.0 * sum / span;
}
} // namespace

double LiveStats::framesPerSecond() const
{
    return perSecond(arrivals_, firstArrivalMs_, rateWindowMs_, [](const auto&) { return 1.0; });
}

double LiveStats::megabitsPerSecond() const
{
    return perSecond(arrivals_, firstArrivalMs_, rateWindowMs_, [](const auto& a) { return a.second; }) * 8.0 / 1e6;
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
