#pragma once

#include <vector>

namespace aecnn::widgets {

// Channel indices from most to least important; ties go to the lower index
// (the rule of aecnn::keepMostImportant, so the highlight matches the pruning).
std::vector<int> rankByImportance(const std::vector<double>& importance);
// The `keep` most important channels, ascending by index.
std::vector<int> keptChannels(const std::vector<double>& importance, int keep);

} // namespace aecnn::widgets
