#pragma once

#include <cstdint>
#include <map>

#include <QString>

#include "aecnn/protocol/token_bucket.h"

namespace aecnn::protocol {

// Failed authentications per source address, on the agent: the first `freeFailures`
// cost nothing, each further one doubles the wait before that address may try again
// (baseDelayMs, 2x, 4x ... up to maxDelayMs). An address with no failure for
// forgetAfterMs starts afresh; a success clears it. The clock is injected for tests.
class AuthThrottle {
public:
    struct Policy {
        int freeFailures = 3;
        int64_t baseDelayMs = 1000;
        int64_t maxDelayMs = 300000;
        int64_t forgetAfterMs = 600000;
        size_t maxTracked = 4096; // the oldest addresses are forgotten beyond this
    };
    explicit AuthThrottle(const Clock& clock) : AuthThrottle(clock, Policy{}) {}
    AuthThrottle(const Clock& clock, Policy policy) : clock_(clock), policy_(policy) {}

    // 0 when `source` may try to authenticate now, else the milliseconds to wait.
    int64_t retryAfterMs(const QString& source) const;
    void failed(const QString& source);
    void succeeded(const QString& source) { entries_.erase(source); }
    int failures(const QString& source) const;
    size_t tracked() const { return entries_.size(); }

private:
    struct Entry {
        int failures = 0;
        int64_t lastFailureMs = 0;
    };
    int64_t nowMs() const { return clock_.nowNs() / 1000000; }
    bool expired(const Entry& e, int64_t now) const { return now - e.lastFailureMs >= policy_.forgetAfterMs; }
    const Clock& clock_;
    Policy policy_;
    std::map<QString, Entry> entries_;
};

} // namespace aecnn::protocol
