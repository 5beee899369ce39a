#pragma once

#include <optional>

#include "aecnn/edge/frame_result.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"

namespace aecnn::studio {

// The entropy and features views of one live AECNN / BottleNet++ frame: the
// transmitted tensor as the edge received it (no LibTorch, no codec internals).
struct LiveFrameViews {
    widgets::EntropyData entropy;
    widgets::FeatureFrame features;
};

// Nothing when the frame carries no features (full offloading, local computing).
// `splitChannels` is C of X_l at the split point (0 = unknown: the largest kept
// index + 1); it sizes the features view and the compression ratio.
std::optional<LiveFrameViews> liveFrameViews(const edge::EdgeFrameResult& frame, int splitChannels);

} // namespace aecnn::studio
