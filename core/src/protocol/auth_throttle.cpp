#include "aecnn/protocol/auth_throttle.h"

#include <algorithm>

namespace aecnn::protocol {

int64_t AuthThrottle::retryAfterMs(const QString& source) const
{
    const auto it = entries_.find(source);
    const int64_t now = nowMs();
    if (it == entries_.end() || expired(it->second, now) || it->second.failures < policy_.freeFailures)
        return 0;
    const int doublings = std::min(it->second.failures - policy_.freeFailures, 30);
    const int64_t delay = std::min(policy_.maxDelayMs, policy_.baseDelayMs << doublings);
    return std::max<int64_t>(0, it->second.lastFailureMs + delay - now);
}

void AuthThrottle::failed(const QString& source)
{
    const int64_t now = nowMs();
    for (auto it = entries_.begin(); it != entries_.end();)
        it = expired(it->second, now) ? entries_.erase(it) : std::next(it);
    if (entries_.size() >= policy_.maxTracked && entries_.count(source) == 0) {
        const auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
            return a.second.lastFailureMs < b.second.lastFailureMs;
        });
        if (oldest != entries_.end())
            entries_.erase(oldest);
    }
    Entry& e = entries_[source];
    ++e.failures;
    e.lastFailureMs = now;
}

int AuthThrottle::failures(const QString& source) const
{
    const auto it = entries_.find(source);
    return it == entries_.end() || expired(it->second, nowMs()) ? 0 : it->second.failures;
}

} // namespace aecnn::protocol
