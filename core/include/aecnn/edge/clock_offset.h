#pragma once

#include <cstdint>

namespace aecnn::edge {

// NTP-style offset of the agent's clock against the edge's from Ping/Pong pairs:
// offset = agent - (sent + received) / 2, taken from the sample with the smallest
// round trip (the one least delayed by queueing, e.g. behind a shaped frame).
class ClockOffsetEstimator {
public:
    void addSample(int64_t edgeSentUs, int64_t agentUs, int64_t edgeReceivedUs); // ignores negative round trips
    bool hasEstimate() const { return samples_ > 0; }
    int64_t offsetUs() const { return offsetUs_; }      // agent clock - edge clock
    int64_t roundTripUs() const { return bestRttUs_; }  // of the chosen sample
    int samples() const { return samples_; }
    int64_t toEdgeUs(int64_t agentUs) const { return agentUs - offsetUs_; }
    void reset() { *this = ClockOffsetEstimator(); }    // a new agent (reconnect) has a new clock

private:
    int64_t offsetUs_ = 0;
    int64_t bestRttUs_ = 0;
    int samples_ = 0;
};

} // namespace aecnn::edge
