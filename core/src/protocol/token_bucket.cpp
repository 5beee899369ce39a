#include "aecnn/protocol/token_bucket.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "aecnn/error.h"

namespace aecnn::protocol {

int64_t SteadyClock::nowNs() const
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

TokenBucket::TokenBucket(const Clock& clock, double rateMbps, int64_t burstBytes)
    : clock_(clock), rateMbps_(0), burst_(burstBytes), tokens_(static_cast<double>(burstBytes)),
      lastNs_(clock.nowNs())
{
    if (burstBytes <= 0)
        throw Error("token bucket burst must be positive, got " + std::to_string(burstBytes) + " bytes");
    setRate(rateMbps);
}

void TokenBucket::setRate(double rateMbps)
{
    if (!(rateMbps >= 0) || !std::isfinite(rateMbps))
        throw Error("uplink rate must be >= 0 Mbps (0 = unshaped), got " + std::to_string(rateMbps));
    refill();
    rateMbps_ = rateMbps;
}

void TokenBucket::drain()
{
    tokens_ = 0.0;
    lastNs_ = clock_.nowNs();
}

void TokenBucket::refill()
{
    const int64_t now = clock_.nowNs();
    const double bytesPerNs = rateMbps_ * 1e6 / 8.0 / 1e9;
    tokens_ = std::min(static_cast<double>(burst_), tokens_ + static_cast<double>(now - lastNs_) * bytesPerNs);
    lastNs_ = now;
}

int64_t TokenBucket::delayNs(int64_t bytes)
{
    if (unshaped())
        return 0;
    if (bytes > burst_)
        throw Error("cannot send " + std::to_string(bytes) + " bytes at once through a bucket of " +
                    std::to_string(burst_) + " bytes; send in smaller pieces");
    refill();
    const double missing = static_cast<double>(bytes) - tokens_;
    if (missing <= 1e-6) // rounding of the refill must not cost a whole extra wait
        return 0;
    const double bytesPerNs = rateMbps_ * 1e6 / 8.0 / 1e9;
    return static_cast<int64_t>(std::ceil(missing / bytesPerNs));
}

bool TokenBucket::tryConsume(int64_t bytes)
{
    if (unshaped())
        return true;
    if (delayNs(bytes) > 0)
        return false;
    tokens_ -= static_cast<double>(bytes);
    return true;
}

} // namespace aecnn::protocol
