#include "aecnn/edge/stage_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aecnn::edge {

StageSummary summarize(std::vector<double> values)
{
    StageSummary s;
    // NaN = not measured for that frame (e.g. no device times: frame_timing false): left out.
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
    if (values.empty())
        return s;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    s.count = static_cast<int>(n);
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / double(n);
    s.median = n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
    const size_t rank = static_cast<size_t>(std::ceil(0.95 * double(n))); // nearest rank, 1-based
    s.p95 = values[std::max<size_t>(rank, 1) - 1];
    s.min = values.front();
    s.max = values.back();
    return s;
}

} // namespace aecnn::edge
