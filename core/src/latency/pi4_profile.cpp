#include "aecnn/latency/device_profile.h"

namespace aecnn::latency {
namespace {

// ResNet-50 at 224x224, multiply-accumulates (torchvision layout).
constexpr double kTotalMmac = 4089.0;
constexpr double kStemMmac = 118.0;      // conv1 (split point 1 is after the stem)
constexpr double kLayer1Block0Mmac = 231.2; // layer1.0 incl. downsample (split point 2)

// ncnn's ResNet-50 fp32 benchmark on a Raspberry Pi 4B at 1.8 GHz with 4 threads.
constexpr double kPiResNet50Ms = 263.0;
// Assumption, not from the paper: batch-1 fp32 ResNet-50 on an RTX 2080 Ti-class GPU.
constexpr double kEdgeResNet50Ms = 5.0;

double piMs(double mmac) { return kPiResNet50Ms * mmac / kTotalMmac; }
double edgeMs(double mmac) { return kEdgeResNet50Ms * mmac / kTotalMmac; }

} // namespace

DeviceProfile raspberryPi4Profile()
{
    DeviceProfile p;
    p.name = "pi4";
    p.source =
        "Raspberry Pi 4B device, RTX 2080 Ti edge, ResNet-50 224x224. Accuracy, entropy (bits/element), t_enc (Pi 4B) "
        "and t_dec (RTX 2080 Ti) per split and V: the AECNN paper's Table I. t_iot and local computing: ncnn's ResNet-50 "
        "fp32 benchmark on a Pi 4B (263 ms, 4 threads, 1.8 GHz) scaled by MACs (conv1 118, layer1.0 231, total 4089 MMAC). "
        "t_es: an assumed 5 ms for the whole ResNet-50 on the edge GPU (the paper gives none), scaled by MACs. "
        "Full offloading ignores JPEG decoding on the edge, as the paper does. Replace with measured times when available.";
    p.localMs = piMs(kTotalMmac);
    p.edgeFullMs = edgeMs(kTotalMmac);
    p.imageDecodeMs = 0.0;
    p.unsplitAccuracy = 95.84;
    p.inputHeight = 224;
    p.inputWidth = 224;

    // Rows of Table I: V, AECNN accuracy, entropy bits, t_enc ms, t_dec ms.
    SplitTiming s1;
    s1.split = 1;
    s1.channels = 64;
    s1.height = 56;
    s1.width = 56;
    s1.iotMs = piMs(kStemMmac);
    s1.edgeMs = edgeMs(kTotalMmac - kStemMmac);
    s1.ratios = {{2, 95.62, 11.13, 4.53, 3.03},  {4, 95.30, 10.48, 3.25, 2.41}, {8, 94.68, 9.86, 1.94, 1.52},
                 {16, 93.98, 9.13, 1.76, 1.37},  {32, 92.70, 8.62, 1.03, 0.74}, {64, 91.47, 7.73, 0.62, 0.39}};

    SplitTiming s2;
    s2.split = 2;
    s2.channels = 256;
    s2.height = 56;
    s2.width = 56;
    s2.iotMs = piMs(kStemMmac + kLayer1Block0Mmac);
    s2.edgeMs = edgeMs(kTotalMmac - kStemMmac - kLayer1Block0Mmac);
    s2.ratios = {{2, 95.48, 12.16, 7.89, 4.76}, {4, 95.24, 11.51, 5.07, 3.21}, {8, 95.05, 10.99, 3.51, 2.60},
                 {16, 94.85, 10.42, 3.00, 2.35}, {32, 94.64, 9.82, 1.87, 1.46}, {64, 93.78, 9.19, 1.90, 1.44}};

    p.splits = {s1, s2};
    return p;
}

} // namespace aecnn::latency
