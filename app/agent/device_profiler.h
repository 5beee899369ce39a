#pragma once

#include <functional>
#include <string>
#include <vector>

#include "aecnn/latency/measured_profile.h"

namespace aecnn::agent {

// What `aecnn-agent --profile` measures (latency/measured_profile.h): on this device, the
// median over `repeats` timed runs (after a warm-up) of
//  - capture: one image from the frame source (`dataset`), and pre-processing: resize +
//    normalize it into the model's input tensor (split/model_input.h, the stream's path);
//  - t_iot per split point l and V: input .. CL l, for V = 1 the unpruned head, for V > 1
//    the pruned head that computes only C / V channels (what an AECNN / CA_Pruned model
//    runs on the device; its time does not depend on which channels are kept);
//  - t_enc per coder and bit depth: quantize + entropy code that head's output into one
//    codec frame (SplitTransport, the stream's path), with the bits per element it gave;
//  - the whole model (local computing);
//  - full offloading per capture size: resize of the captured image to it and JPEG encoding
//    (the "full" mode's path, jpeg_capture.h), with the mean JPEG bytes over a few images.
// No LibTorch in this header (the agent's moc-processed code includes it).
struct ProfileRequest {
    std::string model = "default"; // classifier spec (model_spec.h)
    std::string dataset = "synthetic:8";
    std::vector<int> splits;       // empty = every split point of the model
    std::vector<int> ratios{1, 2, 4, 8};
    std::vector<std::string> coders{"zstd", "context"};
    std::vector<int> bits{8, 4};
    // Full offloading: "native" or WxH (the stream's 'resolution'); empty = none.
    std::vector<std::string> jpegSizes{"native", "224x224", "640x480", "1920x1080"};
    int jpegQuality = 90; // the stream's default jpeg_quality
    int repeats = 20;
    int threads = 1;
    std::string name;    // empty: "<arch>-<hostname>"
    std::string command; // recorded in the profile
};

// Throws aecnn::Error for a bad request (unknown coder, split or a V that divides no channels).
latency::MeasuredDeviceProfile measureDeviceProfile(const ProfileRequest& request,
                                                    const std::function<void(const std::string&)>& progress = {});

// A short table of the profile for people.
std::string describeProfile(const latency::MeasuredDeviceProfile& profile);

} // namespace aecnn::agent
