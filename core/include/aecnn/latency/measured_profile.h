#pragma once

#include <string>
#include <vector>

#include <QJsonObject>
#include <QString>

#include "aecnn/latency/device_profile.h"

namespace aecnn::latency {

// What `aecnn-agent --profile` measures on the device itself: the device-side terms of
// Eq. 3 (t_iot per split point l and ratio V, t_enc per coder and bit depth) and the
// capture / pre-processing time per image, with the device and input size they hold for.
// The edge-side terms (t_dec, t_es) are not in it: the edge measures those itself.
//
// JSON, format "aecnn-device-profile", version 2 (kMeasuredProfileVersion; version 1 is the
// same without "jpeg" and still reads):
//   {
//     "format": "aecnn-device-profile", "version": 2,
//     "name": "x86_64-myhost",                   // how the profile is named in reports
//     "device": {"hostname": "...", "arch": "x86_64", "cpu": "...", "os": "...", "threads": 1},
//     "model": "...", "input": {"height": 28, "width": 28, "channels": 1},
//     "date": "2026-11-27T19:00:00Z", "command": "aecnn-agent --profile ...", "repeats": 20,
//     "statistic": "median",
//     "capture_ms": 0.01,      // one image from the frame source (read / decode)
//     "preprocess_ms": 0.02,   // resize + normalize into the model's input tensor
//     "local_ms": 1.5,         // the whole model on the device (local computing); 0 = not measured
//     "heads": [ {"split": 1, "ratio": 1, "channels": 16, "height": 14, "width": 14, "head_ms": 0.3}, ... ],
//                              // input .. CL l computing C/V channels (ratio 1 = the unpruned head);
//                              // channels/height/width: the transmitted tensor
//     "encoders": [ {"split": 1, "ratio": 2, "coder": "zstd", "bits": 8, "enc_ms": 0.05,
//                    "bits_per_element": 3.1}, ... ]
//                              // quantize + entropy code of that head's output (bits: 0 = float32)
//     "jpeg": [ {"size": "native", "width": 28, "height": 28, "quality": 90, "resize_ms": 0.0,
//                "enc_ms": 0.02, "bytes": 640.5}, {"size": "1920x1080", ...}, ... ]
//                              // full offloading on the device: resize of the captured image to the
//                              // capture size ("native" or WxH, the stream setting 'resolution') and
//                              // JPEG encoding at that quality; bytes: mean JPEG size (version 2)
//   }
// Unknown keys are ignored (later versions may add some); a newer version is refused.
inline constexpr int kMeasuredProfileVersion = 2;
inline constexpr const char* kMeasuredProfileFormat = "aecnn-device-profile";

struct HeadMeasurement {
    int split = 1;
    int ratio = 1;
    int channels = 0; // transmitted: C / V
    int height = 0;
    int width = 0;
    double headMs = 0.0;
};

struct EncoderMeasurement {
    int split = 1;
    int ratio = 1;
    std::string coder;
    int bits = 8; // 0 = float32 (no quantization)
    double encMs = 0.0;
    double bitsPerElement = 0.0;
};

// Full offloading at one capture size: what the agent's "full" mode does per frame.
struct JpegMeasurement {
    std::string size = "native"; // the stream's 'resolution' setting: "native" or "WxH"
    int width = 0;               // the encoded image
    int height = 0;
    int quality = 90;
    double resizeMs = 0.0; // captured image -> width x height (0 at native size)
    double encMs = 0.0;    // JPEG encoding
    double bytes = 0.0;    // mean JPEG size over the profiled images
};

struct MeasuredDeviceProfile {
    std::string name;
    std::string hostname, arch, cpu, os;
    int threads = 1;
    std::string model;
    int inputHeight = 0, inputWidth = 0, inputChannels = 0;
    std::string date, command;
    int repeats = 0;
    double captureMs = 0.0;
    double preprocessMs = 0.0;
    double localMs = 0.0;
    std::vector<HeadMeasurement> heads;
    std::vector<EncoderMeasurement> encoders;
    std::vector<JpegMeasurement> jpeg; // empty in a version-1 profile

    std::string inputLabel() const; // "28x28"
};

QJsonObject toJson(const MeasuredDeviceProfile& profile);
// Throws aecnn::Error naming the missing or bad field ("device profile: heads[2] needs ...").
MeasuredDeviceProfile measuredProfileFromJson(const QJsonObject& json);
bool isMeasuredProfileJson(const QJsonObject& json); // has "format": "aecnn-device-profile"
void writeMeasuredProfile(const QString& path, const MeasuredDeviceProfile& profile); // atomic; throws
MeasuredDeviceProfile readMeasuredProfile(const QString& path);                       // throws

// The latency model's view of a measured profile (Eq. 1-4): per split, channels/H/W and
// t_iot of the unpruned head, per V its own head time (RatioTiming::iotMs) and t_enc,
// bits per element of `coder` at `bits` (empty coder: the first one measured). The
// edge-side terms are 0 unless `edgeSide` (e.g. times the edge measured) has the split;
// DeviceProfile::source says which. The JPEG measurements become DeviceProfile::fullOffloading
// (capture + resize, JPEG encode, bytes per capture size; latency_model.h predictFullOffloading).
DeviceProfile toLatencyProfile(const MeasuredDeviceProfile& profile, const std::string& coder = {}, int bits = -1,
                               const DeviceProfile* edgeSide = nullptr);

} // namespace aecnn::latency
