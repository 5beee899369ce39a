#pragma once

#include <array>
#include <deque>
#include <utility>
#include <vector>

namespace aecnn::widgets {

// Per-frame times in ms, in the order of the paper's Eq. 3-4.
struct TimeBreakdown {
    double iotMs = 0.0;
    double encMs = 0.0;
    double comMs = 0.0;
    double decMs = 0.0;
    double esMs = 0.0;
    double totalMs() const { return iotMs + encMs + comMs + decMs + esMs; }
    std::array<double, 5> parts() const { return {iotMs, encMs, comMs, decMs, esMs}; }
};

struct LiveSample {
    long long sequence = 0;
    int correct = -1;          // 1 right, 0 wrong, -1 unknown label
    double receivedMs = 0.0;   // edge clock when the frame was complete
    double bytes = 0.0;        // uplink bytes of the frame
    TimeBreakdown measured;
    TimeBreakdown predicted;   // latency model for the same configuration
};

// Running and windowed statistics of a live stream (plain logic, no widgets).
class LiveStats {
public:
    // `window` frames for accuracy and times; `rateWindowMs` of arrivals for
    // frames/s and Mbps (frames arrive in bursts, so a frame count is not enough).
    explicit LiveStats(int window = 50, double rateWindowMs = 2000.0)
        : window_(window < 1 ? 1 : window), rateWindowMs_(rateWindowMs > 0 ? rateWindowMs : 2000.0)
    {
    }

    void add(const LiveSample& sample);
    void clear();

    int window() const { return window_; }
    long long frames() const { return frames_; }
    double runningAccuracy() const;  // % of labelled frames, NaN when none
    double windowedAccuracy() const; // same over the last `window` frames
    double framesPerSecond() const;  // over the rate window, 0 before two distinct arrival times
    double megabitsPerSecond() const;
    TimeBreakdown meanMeasured() const; // over the window
    TimeBreakdown meanPredicted() const;
    const std::deque<LiveSample>& recent() const { return recent_; }

private:
    int window_;
    long long frames_ = 0;
    long long labelled_ = 0;
    long long correct_ = 0;
    std::deque<LiveSample> recent_;
    double rateWindowMs_;
    double firstArrivalMs_ = 0.0;
    std::deque<std::pair<double, double>> arrivals_; // (receivedMs, bytes) within the rate window
};

} // namespace aecnn::widgets
