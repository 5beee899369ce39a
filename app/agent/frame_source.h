#pragma once

#include <memory>
#include <string>

#include "source_image.h"

namespace aecnn::agent {

// Where the agent's images come from. Sources cycle when exhausted.
class FrameSource {
public:
    virtual ~FrameSource() = default;
    virtual SourceImage next() = 0;
    virtual std::string describe() const = 0;
    // The next image is the one at `position` (dataset: index modulo size); live sources ignore it.
    virtual void seek(long long position) = 0;
};

// The test split of a dataset spec (fashion-mnist[:DIR], folder:DIR, synthetic[:N]) at the
// given geometry. Throws aecnn::Error or a dataset error when it cannot be loaded or is empty.
std::unique_ptr<FrameSource> makeDatasetSource(const std::string& spec, int height, int width, int channels);

// "camera:N": camera N through OpenCV, converted to `channels`. Throws aecnn::Error
// naming the camera and what to check when it cannot be opened.
bool isCameraSpec(const std::string& spec);
std::unique_ptr<FrameSource> makeCameraSource(const std::string& spec, int channels);
// A camera spec or a dataset spec.
std::unique_ptr<FrameSource> makeFrameSource(const std::string& spec, int height, int width, int channels);

} // namespace aecnn::agent
