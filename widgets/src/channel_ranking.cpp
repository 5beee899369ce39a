#include "aecnn/widgets/channel_ranking.h"

#include <algorithm>
#include <numeric>

namespace aecnn::widgets {

std::vector<int> rankByImportance(const std::vector<double>& importance)
{
    std::vector<int> order(importance.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return importance[a] > importance[b]; });
    return order;
}

std::vector<int> keptChannels(const std::vector<double>& importance, int keep)
{
    std::vector<int> order = rankByImportance(importance);
    order.resize(std::clamp<size_t>(static_cast<size_t>(std::max(keep, 0)), 0, order.size()));
    std::sort(order.begin(), order.end());
    return order;
}

} // namespace aecnn::widgets
