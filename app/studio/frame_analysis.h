#pragma once

// Not processed by moc: LibTorch types are fine here (see analysis_worker.h).
#include <string>
#include <vector>

#include "aecnn/model/image_set.h"
#include "aecnn/model/resnet.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"

namespace aecnn::studio {

struct FrameAnalysis {
    widgets::EntropyData entropy;
    widgets::FeatureFrame features;
};

// Runs one image through the head up to `split`, keeps the C / V most important
// channels, and sends them through the codec named "<representation><bits>+<coder>"
// (e.g. "uint8+zstd", "float16+zstd"): entropy statistics of what would be
// transmitted and the decoded channels next to the unpruned ones. There is no
// feature-recovery model here, so `features.recovered` stays empty.
FrameAnalysis analyzeFrame(ResNetImpl& net, const ImageSet& images, int64_t imageIndex, int split,
                           const std::vector<double>& importance, int ratio, const std::string& codec);

} // namespace aecnn::studio
