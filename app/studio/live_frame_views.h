#pragma once

#include <optional>

#include <vector>

#include "aecnn/edge/frame_result.h"
#include "aecnn/widgets/device_view.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"
#include "input_images.h"

namespace aecnn::studio {

// The entropy and features views of one live AECNN / BottleNet++ frame: the
// transmitted tensor as the edge received it (no LibTorch, no codec internals).
struct LiveFrameViews {
    widgets::EntropyData entropy;
    widgets::FeatureFrame features;
    widgets::DeviceFrame device;
};

// What the edge knows besides the frame.
struct LiveFrameContext {
    int splitChannels = 0; // C of X_l at the split point, 0 = unknown
    // The codec in use ("uint8+zstd"): its coder codes each channel for the entropy
    // view's coded bits per channel; empty or unknown = none.
    QString codec;
    // The studio's mode ("aecnn", "bottlenetpp"): what rebuilt X_l on the edge (FR or
    // BottleNet++'s decoder); empty = AECNN.
    QString mode;
    const InputImages* images = nullptr; // the edge's copy of the streamed data set
    long long imagePosition = -1;        // the frame's position in the agent's source, -1 = unknown
    // Data-set mean attention (Eq. 8) per channel of X_l at this split; empty = not computed.
    std::vector<double> attention;
};

// Nothing when the frame carries no features (full offloading, local computing).
// `splitChannels` is C of X_l at the split point (0 = unknown: the largest kept
// index + 1); it sizes the features view and the compression ratio.
std::optional<LiveFrameViews> liveFrameViews(const edge::EdgeFrameResult& frame, int splitChannels);
std::optional<LiveFrameViews> liveFrameViews(const edge::EdgeFrameResult& frame, const LiveFrameContext& context);

// The device view of a frame whose features view is `features`.
widgets::DeviceFrame deviceFrameOf(const edge::EdgeFrameResult& frame, const widgets::FeatureFrame& features,
                                   const LiveFrameContext& context);

} // namespace aecnn::studio
