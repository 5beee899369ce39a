#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aecnn/protocol/messages.h"
#include "deployed_model.h"
#include "source_image.h"
#include "stream_settings.h"

namespace aecnn::agent {

// Milliseconds from `start` to now (the stage times of a frame).
inline double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

// One way of turning a source image into what goes over the uplink (paper Sec. V:
// full offloading, local computing, AECNN, BottleNet++). A mode fills kind, payload,
// predicted, iotMs and encMs of the frame; the connection fills the rest.
class Mode {
public:
    virtual ~Mode() = default;
    virtual std::string name() const = 0;
    virtual void process(const SourceImage& image, protocol::FrameData& frame) = 0;
    // True when the payload is a layout-framed codec frame (framing "session"): the
    // connection sends it as a compact SessionFrame instead of a FrameData.
    virtual bool sessionFramed() const { return false; }
};

// The image as JPEG (OpenCV), at its native or a chosen resolution.
std::unique_ptr<Mode> makeFullOffloadingMode(const StreamSettings& settings);
// The whole deployed model on the device; only the class index is sent.
std::unique_ptr<Mode> makeLocalComputingMode(std::shared_ptr<const DeployedModel> model);
// Head of a deployed split model on the device, transmitted tensor coded into one
// codec frame (kind "features"). AECNN needs an aecnn/ca_pruned head, BottleNet++ its own.
std::unique_ptr<Mode> makeAecnnMode(const StreamSettings& settings, std::shared_ptr<const DeployedModel> model);
std::unique_ptr<Mode> makeBottleNetMode(const StreamSettings& settings, std::shared_ptr<const DeployedModel> model);

// Registry: a new mode is one class plus one entry in modes.cpp.
// Throws aecnn::Error when the mode is unknown or lacks what it needs (e.g. a model).
std::unique_ptr<Mode> makeMode(const StreamSettings& settings, std::shared_ptr<const DeployedModel> model);
bool isModeAvailable(const std::string& name);
std::string availableModesText();

} // namespace aecnn::agent
