#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aecnn/latency/device_profile.h"

namespace aecnn::latency {

// Eq. 1: S_l = 4 C H W bytes (float32 tensor).
int64_t tensorBytes(int channels, int height, int width);
// Eq. 2 with r in Mbps (10^6 bit/s): transmission time of `bytes` in ms. r must be > 0.
double transmitMs(double bytes, double rateMbps);

// Prediction of Eq. 4 for AECNN at split l and ratio V, split into its terms.
struct Prediction {
    double comMs = 0.0; // Eq. 2
    double iotMs = 0.0;
    double encMs = 0.0;
    double decMs = 0.0;
    double edgeMs = 0.0;
    double bytes = 0.0;       // what goes over the uplink
    bool entropyCoded = false; // paper: coding is skipped when it costs more time than it saves

    double cmpMs() const { return iotMs + encMs + decMs + edgeMs; } // Eq. 3
    double totalMs() const { return comMs + cmpMs(); }               // Eq. 4
};

// An input image of full offloading: its size and JPEG size in bytes.
struct ImageSize {
    int width = 0;
    int height = 0;
    double bytes = 0.0;
    std::string label() const; // "1920x1080"
};

// V = 1 means the uncompressed float32 tensor ("1x" in Fig. 5b).
Prediction predictAecnn(const DeviceProfile& profile, int split, int ratio, double rateMbps);
Prediction predictLocal(const DeviceProfile& profile);
// Full offloading of a JPEG of `imageBytes` (the paper's Fig. 5: transmission + JPEG decode
// and the whole model on the edge; the device's capture and encoding are not counted).
Prediction predictFullOffloading(const DeviceProfile& profile, double imageBytes, double rateMbps);
// Full offloading measured on the device at one capture size (DeviceProfile::fullOffloading):
//   t_iot = capture + resize to the capture size, t_enc = JPEG encode (device),
//   t_com = measured JPEG bytes * 8 / r (Eq. 2), t_dec = JPEG decode on the edge
//   (imageDecodeMs), t_es = the whole model on the edge (edgeFullMs); Eq. 3-4 sum them.
Prediction predictFullOffloading(const DeviceProfile& profile, const FullOffloadTiming& measured, double rateMbps);
// The full offloading of `image` from `profile`: the measured one when the profile has the
// image's width x height (its bytes then are image.bytes), else the paper's formula above.
Prediction predictFullOffloading(const DeviceProfile& profile, const ImageSize& image, double rateMbps);

// The device-side terms of Eq. 3 that a profile gives for AECNN at split l and V: t_iot
// (of the head at V when the profile has it) and t_enc (0 when V is not coded there).
// Empty when the profile has no split l, or no V there (V = 1 always exists).
struct DeviceSideTimes {
    double iotMs = 0.0;
    double encMs = 0.0;
};
std::optional<DeviceSideTimes> deviceSideTimes(const DeviceProfile& profile, int split, int ratio);

// What a reader must be told when predictions from `profile` are shown next to
// measurements of a model with inputHeight x inputWidth inputs: empty when the profile
// is the connected device's own and for that input size; else one sentence, e.g.
// "prediction: Pi 4 table (pi4) at 224x224, measured here: 28x28 input". fromDevice:
// the profile came from the device that is measured (not the Pi 4 fallback).
std::string predictionMismatch(const DeviceProfile& profile, bool fromDevice, int inputHeight, int inputWidth);
// Where predictions come from, for a live view: "latency model, device profile 'NAME'
// (28x28)", followed by " -- NOT comparable: " and predictionMismatch() when that is not empty.
std::string predictionSourceLabel(const DeviceProfile& profile, bool fromDevice, int inputHeight, int inputWidth);

// The paper's anchor: 1920x1080 JPEG ~ 200 KB. Other sizes are scaled from it
// at the same bytes per pixel.
inline constexpr double kPaperFullHdJpegBytes = 200.0 * 1000.0;
ImageSize imageAtPaperDensity(int width, int height);
std::vector<ImageSize> defaultFig5Images(); // 224x224, 640x480, 1280x720, 1920x1080
// The capture sizes the profile measured full offloading at, with their measured JPEG bytes
// (empty for a profile without them, e.g. the Pi 4 table).
std::vector<ImageSize> measuredFullOffloadImages(const DeviceProfile& profile);
// The images of a Fig. 5 for `profile`: its measured capture sizes, else defaultFig5Images().
std::vector<ImageSize> fig5ImagesFor(const DeviceProfile& profile);

// Where AECNN (split l, ratio V) and full offloading of `imageBytes` meet.
struct Crossover {
    enum class Kind {
        BelowRate, // AECNN is faster for r < rateMbps (the paper's case)
        AboveRate, // AECNN is faster for r > rateMbps
        Always,    // AECNN is faster at every rate
        Never,     // full offloading is never slower
    };
    Kind kind = Kind::Never;
    double rateMbps = 0.0;
};
Crossover crossoverRate(const DeviceProfile& profile, int split, int ratio, double imageBytes);
// The same for an image whose full offloading the profile may have measured (its device-side
// capture, resize and JPEG encode times then count on the full-offloading side).
Crossover crossoverRate(const DeviceProfile& profile, int split, int ratio, const ImageSize& image);
std::string describe(const Crossover& crossover);

// Fig. 5: completion time (ms) of every strategy at every rate.
struct Fig5Curves {
    int split = 1;
    std::vector<double> ratesMbps;
    std::vector<int> ratios; // 1 = uncompressed, then the profile's V values
    std::vector<std::vector<double>> aecnnMs; // [ratio][rate]
    std::vector<double> localMs;              // [rate]
    std::vector<ImageSize> images;
    std::vector<std::vector<double>> fullMs; // [image][rate]
};
Fig5Curves fig5Curves(const DeviceProfile& profile, int split, const std::vector<double>& ratesMbps,
                      const std::vector<ImageSize>& images);

// One CSV table: rate_mbps, aecnn_v1.., local, full_WxH..
std::string fig5Csv(const Fig5Curves& curves);

} // namespace aecnn::latency
