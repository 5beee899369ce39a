#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace aecnn::latency {

// Median wall time of `repeats` calls of `run` in milliseconds, after one untimed warm-up
// call (first calls set up kernels and caches that belong to no frame). Used by
// `aecnn bench-model` and `aecnn-agent --profile`, so both report the same statistic.
template <typename F> double medianMilliseconds(int repeats, F&& run)
{
    run(); // warm-up
    std::vector<double> times;
    for (int i = 0; i < std::max(1, repeats); ++i) {
        const auto start = std::chrono::steady_clock::now();
        run();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
    return times[times.size() / 2];
}

} // namespace aecnn::latency
