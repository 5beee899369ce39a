#pragma once

#include <vector>

namespace aecnn::edge {

// Mean, median and 95th percentile (nearest rank) of one stage's times.
struct StageSummary {
    int count = 0;
    double mean = 0.0;
    double median = 0.0;
    double p95 = 0.0;
    double min = 0.0;
    double max = 0.0;
};
StageSummary summarize(std::vector<double> values);

} // namespace aecnn::edge
