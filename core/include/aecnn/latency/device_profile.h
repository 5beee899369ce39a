#pragma once

#include <string>
#include <vector>

#include <QJsonObject>
#include <QString>

namespace aecnn::latency {

// Component times of one compression ratio V at one split point (paper Table I).
struct RatioTiming {
    int ratio = 1;            // V: channels are pruned to C / V
    double accuracy = 0.0;    // top-1 in %, used to rank ratios; 0 = unknown
    double entropyBits = 32.0; // bits per transmitted element after entropy coding
    double encMs = 0.0;       // t_enc on the device
    double decMs = 0.0;       // t_dec on the edge
    double iotMs = -1.0;      // t_iot of the head computing only C / V channels; < 0 = the split's iotMs
};

// One candidate split point l: tensor shape (Eq. 1) and the compute on each side (Eq. 3).
struct SplitTiming {
    int split = 1;
    int channels = 0;
    int height = 0;
    int width = 0;
    double iotMs = 0.0;  // t_iot: input .. CL l on the device
    double edgeMs = 0.0; // t_es: CL l+1 .. end on the edge
    std::vector<RatioTiming> ratios;
};

// Full offloading measured on the device at one capture size (measured_profile.h "jpeg"):
// the device-side terms of full offloading and the JPEG bytes it sends.
struct FullOffloadTiming {
    std::string size = "native"; // "native" or "WxH", as the agent's 'resolution' setting
    int width = 0;
    int height = 0;
    int quality = 90;
    double resizeMs = 0.0; // captured image -> width x height
    double encMs = 0.0;    // JPEG encoding
    double bytes = 0.0;    // JPEG bytes per frame
};

// Everything the latency model needs about a device/edge pair. Either measured
// live or a published profile; `source` says which, so that every prediction
// can be traced back to where its numbers came from.
struct DeviceProfile {
    std::string name;
    std::string source;
    double localMs = 0.0;        // whole model on the device (local computing)
    double edgeFullMs = 0.0;     // whole model on the edge (full offloading compute)
    double imageDecodeMs = 0.0;  // JPEG decode + resize on the edge for full offloading
    double unsplitAccuracy = 0.0;
    int inputHeight = 0; // the input size the times hold for; 0 = not stated
    int inputWidth = 0;
    std::vector<SplitTiming> splits;
    // Full offloading from a measured profile: capture time of one image and, per capture
    // size, resize + JPEG encode + bytes. Empty for the Pi 4 table (the paper ignores them).
    double captureMs = 0.0;
    std::vector<FullOffloadTiming> fullOffloading;

    // The measured full offloading at width x height (and quality when >= 0), or null.
    const FullOffloadTiming* fullOffloadAt(int width, int height, int quality = -1) const;
    // The measured full offloading of a stream with resolution setting `resolution` ("native"
    // or "WxH", case-insensitive) at JPEG `quality`, or null.
    const FullOffloadTiming* fullOffloadFor(const std::string& resolution, int quality) const;

    std::string inputLabel() const; // "224x224", or "unknown input size"

    const SplitTiming& split(int l) const; // throws aecnn::Error naming the available splits
};

// Raspberry Pi 4B device + RTX 2080 Ti edge, ResNet-50 at 224x224 on Caltech-101.
DeviceProfile raspberryPi4Profile();

// "pi4", a JSON file written by writeDeviceProfile(), or a measured device profile
// (`aecnn-agent --profile`, measured_profile.h; its device-side times only); throws aecnn::Error.
// For a measured profile, `coder` and `bits` choose whose t_enc and bits/element the
// model uses (toLatencyProfile, measured_profile.h; empty / -1: the first one measured).
DeviceProfile loadDeviceProfile(const std::string& spec, const std::string& coder = {}, int bits = -1);
std::string deviceProfileHelp();

// The edge side of `edge` put into `profile` (whose device side stays): t_es per split, t_dec
// and accuracy per V where `edge` has them, the whole model and JPEG decode on the edge, the
// unsplit accuracy; `source` says where they came from.
void applyEdgeSide(DeviceProfile& profile, const DeviceProfile& edge);
// `aecnn bench-model --json` output (full_ms, splits[].tail_ms) as an edge side: t_es per split
// and the whole model on the edge. Throws aecnn::Error naming `origin` when it has neither.
DeviceProfile edgeSideFromBenchModel(const QJsonObject& json, const std::string& origin);

QJsonObject toJson(const DeviceProfile& profile);
DeviceProfile deviceProfileFromJson(const QJsonObject& json); // throws aecnn::Error
void writeDeviceProfile(const QString& path, const DeviceProfile& profile); // atomic, throws aecnn::Error

} // namespace aecnn::latency
