#include "aecnn/latency/latency_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "aecnn/error.h"

namespace aecnn::latency {
namespace {

const RatioTiming* findRatio(const SplitTiming& split, int ratio)
{
    for (const auto& r : split.ratios)
        if (r.ratio == ratio)
            return &r;
    return nullptr;
}

std::string availableRatios(const SplitTiming& split)
{
    std::string list = "1";
    for (const auto& r : split.ratios)
        list += ", " + std::to_string(r.ratio);
    return list;
}

// One way of sending: bytes over the link plus a fixed compute cost.
struct Line {
    double bytes;
    double fixedMs;
};

} // namespace

int64_t tensorBytes(int channels, int height, int width)
{
    return int64_t{4} * channels * height * width;
}

double transmitMs(double bytes, double rateMbps)
{
    if (!(rateMbps > 0) || !std::isfinite(rateMbps))
        throw Error("uplink rate must be a positive number of Mbps, got " + std::to_string(rateMbps));
    return bytes * 8.0 / (rateMbps * 1e3); // bits / (bits per ms)
}

Prediction predictAecnn(const DeviceProfile& profile, int split, int ratio, double rateMbps)
{
    const auto& s = profile.split(split);
    Prediction p;
    p.iotMs = s.iotMs;
    p.edgeMs = s.edgeMs;
    const RatioTiming* timing = findRatio(s, ratio);
    if (timing != nullptr && timing->iotMs >= 0)
        p.iotMs = timing->iotMs; // the head computing only the kept channels
    if (ratio != 1 && timing == nullptr)
        throw Error("device profile '" + profile.name + "' has no V=" + std::to_string(ratio) + " at split " +
                    std::to_string(split) + "; available: " + availableRatios(s));
    if (s.channels % ratio != 0)
        throw Error("V=" + std::to_string(ratio) + " does not divide the " + std::to_string(s.channels) + " channels");
    const int kept = s.channels / ratio;
    const double rawBytes = static_cast<double>(tensorBytes(kept, s.height, s.width)); // = S_l / V
    p.bytes = rawBytes;
    p.comMs = transmitMs(rawBytes, rateMbps);
    if (timing != nullptr) {
        const double codedBytes = static_cast<double>(kept) * s.height * s.width * timing->entropyBits / 8.0;
        const double codedMs = transmitMs(codedBytes, rateMbps) + timing->encMs + timing->decMs;
        // Paper, Sec. V-C2: entropy coding is not used when it costs more time than it saves.
        if (codedMs < p.comMs) {
            p.entropyCoded = true;
            p.bytes = codedBytes;
            p.comMs = transmitMs(codedBytes, rateMbps);
            p.encMs = timing->encMs;
            p.decMs = timing->decMs;
        }
    }
    return p;
}

std::optional<DeviceSideTimes> deviceSideTimes(const DeviceProfile& profile, int split, int ratio)
{
    for (const auto& s : profile.splits) {
        if (s.split != split)
            continue;
        const RatioTiming* timing = findRatio(s, ratio);
        if (timing == nullptr && ratio != 1)
            return std::nullopt;
        DeviceSideTimes t;
        t.iotMs = timing != nullptr && timing->iotMs >= 0 ? timing->iotMs : s.iotMs;
        t.encMs = timing != nullptr && timing->entropyBits < 32.0 ? timing->encMs : 0.0;
        return t;
    }
    return std::nullopt;
}

std::string predictionMismatch(const DeviceProfile& profile, bool fromDevice, int inputHeight, int inputWidth)
{
    const bool sameInput = profile.inputHeight == inputHeight && profile.inputWidth == inputWidth && inputHeight > 0;
    if (fromDevice && sameInput)
        return {};
    const std::string measured =
        inputHeight > 0 ? std::to_string(inputWidth) + "x" + std::to_string(inputHeight) + " input"
                        : "an input size not known yet";
    const std::string what = fromDevice ? "the device's profile '" + profile.name + "'"
                                        : profile.name == "pi4" ? "Pi 4 table of the paper (pi4)"
                                                                : "profile '" + profile.name + "', not this device's";
    return "prediction: " + what + " at " + profile.inputLabel() + (sameInput ? ", same input size as" : ", but") +
           " measured here: " + measured + (fromDevice ? "" : " on another device");
}

std::string predictionSourceLabel(const DeviceProfile& profile, bool fromDevice, int inputHeight, int inputWidth)
{
    std::string label = "latency model, " +
                        (fromDevice ? "device profile '" + profile.name + "'"
                                    : profile.name == "pi4" ? std::string("Pi 4 table (pi4)")
                                                            : "profile '" + profile.name + "'") +
                        " (" + profile.inputLabel() + ")";
    const std::string mismatch = predictionMismatch(profile, fromDevice, inputHeight, inputWidth);
    if (!mismatch.empty())
        label += " -- NOT comparable: " + mismatch;
    return label;
}

Prediction predictLocal(const DeviceProfile& profile)
{
    Prediction p;
    p.iotMs = profile.localMs;
    return p;
}

Prediction predictFullOffloading(const DeviceProfile& profile, double imageBytes, double rateMbps)
{
    Prediction p;
    p.bytes = imageBytes;
    p.comMs = transmitMs(imageBytes, rateMbps);
    p.decMs = profile.imageDecodeMs;
    p.edgeMs = profile.edgeFullMs;
    return p;
}

Prediction predictFullOffloading(const DeviceProfile& profile, const FullOffloadTiming& measured, double rateMbps)
{
    Prediction p = predictFullOffloading(profile, measured.bytes, rateMbps);
    p.iotMs = profile.captureMs + measured.resizeMs;
    p.encMs = measured.encMs;
    return p;
}

Prediction predictFullOffloading(const DeviceProfile& profile, const ImageSize& image, double rateMbps)
{
    if (const FullOffloadTiming* measured = profile.fullOffloadAt(image.width, image.height)) {
        FullOffloadTiming sized = *measured;
        sized.bytes = image.bytes;
        return predictFullOffloading(profile, sized, rateMbps);
    }
    return predictFullOffloading(profile, image.bytes, rateMbps);
}

std::vector<ImageSize> measuredFullOffloadImages(const DeviceProfile& profile)
{
    std::vector<ImageSize> images;
    for (const auto& f : profile.fullOffloading) {
        const bool seen = std::any_of(images.begin(), images.end(),
                                      [&](const ImageSize& i) { return i.width == f.width && i.height == f.height; });
        if (!seen)
            images.push_back({f.width, f.height, f.bytes});
    }
    return images;
}

std::vector<ImageSize> fig5ImagesFor(const DeviceProfile& profile)
{
    auto images = measuredFullOffloadImages(profile);
    return images.empty() ? defaultFig5Images() : images;
}

std::string ImageSize::label() const
{
    return std::to_string(width) + "x" + std::to_string(height);
}

ImageSize imageAtPaperDensity(int width, int height)
{
    const double bytesPerPixel = kPaperFullHdJpegBytes / (1920.0 * 1080.0);
    return {width, height, std::round(bytesPerPixel * width * height)};
}

std::vector<ImageSize> defaultFig5Images()
{
    return {imageAtPaperDensity(224, 224), imageAtPaperDensity(640, 480), imageAtPaperDensity(1280, 720),
            {1920, 1080, kPaperFullHdJpegBytes}};
}

Crossover crossoverRate(const DeviceProfile& profile, int split, int ratio, double imageBytes)
{
    return crossoverRate(profile, split, ratio, ImageSize{0, 0, imageBytes});
}

Crossover crossoverRate(const DeviceProfile& profile, int split, int ratio, const ImageSize& image)
{
    const double imageBytes = image.bytes;
    const auto& s = profile.split(split);
    predictAecnn(profile, split, ratio, 1.0); // validates split and ratio
    const int kept = s.channels / ratio;
    const RatioTiming* timing = findRatio(s, ratio);
    const double fixed = (timing != nullptr && timing->iotMs >= 0 ? timing->iotMs : s.iotMs) + s.edgeMs;
    std::vector<Line> aecnn{{static_cast<double>(tensorBytes(kept, s.height, s.width)), fixed}};
    if (const RatioTiming* t = timing)
        aecnn.push_back({static_cast<double>(kept) * s.height * s.width * t->entropyBits / 8.0,
                         fixed + t->encMs + t->decMs});
    // Full offloading's fixed part: its Eq. 3 terms (device-side ones when measured).
    const Line full{imageBytes, predictFullOffloading(profile, image, 1.0).cmpMs()};

    // AECNN's time is the lower of its lines (each bytes*8/r + fixed), so it beats full
    // offloading at r wherever one of its lines does.
    double below = 0.0;                                    // faster for r < below
    double above = std::numeric_limits<double>::infinity(); // faster for r > above
    for (const auto& line : aecnn) {
        const double dBytes = full.bytes - line.bytes; // > 0: AECNN sends less
        const double dFixed = line.fixedMs - full.fixedMs;  // > 0: AECNN computes longer
        if (dBytes > 0 && dFixed <= 0)
            return {Crossover::Kind::Always, 0.0};
        if (dBytes > 0)
            below = std::max(below, dBytes * 8.0 / (dFixed * 1e3));
        else if (dFixed < 0)
            above = std::min(above, dBytes * 8.0 / (dFixed * 1e3));
    }
    if (below > 0)
        return {Crossover::Kind::BelowRate, below};
    if (std::isfinite(above))
        return {Crossover::Kind::AboveRate, above};
    return {Crossover::Kind::Never, 0.0};
}

std::string describe(const Crossover& c)
{
    char text[96];
    switch (c.kind) {
    case Crossover::Kind::BelowRate:
        std::snprintf(text, sizeof text, "AECNN faster below %.2f Mbps", c.rateMbps);
        return text;
    case Crossover::Kind::AboveRate:
        std::snprintf(text, sizeof text, "AECNN faster above %.2f Mbps", c.rateMbps);
        return text;
    case Crossover::Kind::Always:
        return "AECNN faster at every rate";
    case Crossover::Kind::Never:
        break;
    }
    return "full offloading never slower";
}

Fig5Curves fig5Curves(const DeviceProfile& profile, int split, const std::vector<double>& ratesMbps,
                      const std::vector<ImageSize>& images)
{
    if (ratesMbps.empty())
        throw Error("Fig. 5 needs at least one data rate");
    Fig5Curves c;
    c.split = split;
    c.ratesMbps = ratesMbps;
    c.images = images;
    c.ratios.push_back(1);
    for (const auto& r : profile.split(split).ratios)
        if (r.ratio != 1)
            c.ratios.push_back(r.ratio);
    for (int v : c.ratios) {
        std::vector<double> row;
        for (double r : ratesMbps)
            row.push_back(predictAecnn(profile, split, v, r).totalMs());
        c.aecnnMs.push_back(row);
    }
    c.localMs.assign(ratesMbps.size(), predictLocal(profile).totalMs());
    for (const auto& image : images) {
        std::vector<double> row;
        for (double r : ratesMbps)
            row.push_back(predictFullOffloading(profile, image, r).totalMs());
        c.fullMs.push_back(row);
    }
    return c;
}

std::string fig5Csv(const Fig5Curves& c)
{
    std::string out = "rate_mbps";
    for (int v : c.ratios)
        out += ",aecnn_v" + std::to_string(v) + "_ms";
    out += ",local_ms";
    for (const auto& image : c.images)
        out += ",full_" + image.label() + "_ms";
    out += "\n";
    char cell[48];
    for (size_t i = 0; i < c.ratesMbps.size(); ++i) {
        std::snprintf(cell, sizeof cell, "%g", c.ratesMbps[i]);
        out += cell;
        auto add = [&](double v) {
            std::snprintf(cell, sizeof cell, ",%.4f", v);
            out += cell;
        };
        for (const auto& row : c.aecnnMs)
            add(row[i]);
        add(c.localMs[i]);
        for (const auto& row : c.fullMs)
            add(row[i]);
        out += "\n";
    }
    return out;
}

} // namespace aecnn::latency
