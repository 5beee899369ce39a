#pragma once

#include "aecnn/split/split_model.h"
#include "aecnn/model/image_set.h"

namespace aecnn::cli {

// What Table I reports about the transmitted tensor of one split model, per image:
// H0 of its symbols under the default codec (8-bit per-channel uniform quantization),
// and the time to encode / decode one frame with the default coder.
struct TransmissionStats {
    int images = 0;
    double entropyBits = 0.0;    // mean over images, bits per element
    double entropyBitsStd = 0.0; // standard deviation over images
    double encodeMs = 0.0;       // mean
    double decodeMs = 0.0;       // mean
    double frameBytes = 0.0;     // mean
};

TransmissionStats measureTransmission(AecnnModelImpl& model, const ImageSet& images, int count);

} // namespace aecnn::cli
