#include "aecnn/edge/clock_offset.h"

namespace aecnn::edge {

void ClockOffsetEstimator::addSample(int64_t edgeSentUs, int64_t agentUs, int64_t edgeReceivedUs)
{
    const int64_t rtt = edgeReceivedUs - edgeSentUs;
    if (rtt < 0)
        return;
    if (samples_ == 0 || rtt < bestRttUs_) {
        bestRttUs_ = rtt;
        // Midpoint of the exchange on the edge clock, in integers without overflow.
        offsetUs_ = agentUs - (edgeSentUs + rtt / 2);
    }
    ++samples_;
}

} // namespace aecnn::edge
