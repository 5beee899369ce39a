#pragma once

#include <cstdint>

namespace aecnn::protocol {

// Monotonic time source, injected so that rate logic is tested with a fake clock.
class Clock {
public:
    virtual ~Clock() = default;
    virtual int64_t nowNs() const = 0;
};

class SteadyClock : public Clock {
public:
    int64_t nowNs() const override;
};

// Token bucket emulating an uplink of `rateMbps` (10^6 bit/s): tokens are bytes,
// refilled continuously up to `burstBytes`. Rate 0 means unshaped.
class TokenBucket {
public:
    TokenBucket(const Clock& clock, double rateMbps, int64_t burstBytes);

    void setRate(double rateMbps); // keeps the tokens already earned; throws aecnn::Error if negative
    double rateMbps() const { return rateMbps_; }
    int64_t burstBytes() const { return burst_; }
    bool unshaped() const { return rateMbps_ == 0.0; }

    // Nanoseconds until `bytes` (<= burst) can be sent; 0 = now.
    int64_t delayNs(int64_t bytes);
    // Takes `bytes` tokens if available now.
    bool tryConsume(int64_t bytes);
    // Forgets the tokens earned so far: an idle link does not bank capacity, so the
    // next message takes its full serialization time bytes / rate.
    void drain();

private:
    void refill();
    const Clock& clock_;
    double rateMbps_;
    int64_t burst_;
    double tokens_;
    int64_t lastNs_;
};

} // namespace aecnn::protocol
