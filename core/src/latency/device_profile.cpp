#include "aecnn/latency/device_profile.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include "aecnn/error.h"
#include "profile_file.h"
#include "aecnn/latency/measured_profile.h"

namespace aecnn::latency {
namespace {

double requireNumber(const QJsonObject& json, const char* key, const std::string& where)
{
    const auto value = json.value(QLatin1String(key));
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < 0)
        throw Error("device profile: " + where + " needs a non-negative number '" + key + "'");
    return value.toDouble();
}

int requirePositiveInt(const QJsonObject& json, const char* key, const std::string& where)
{
    const double v = requireNumber(json, key, where);
    if (v < 1 || v != std::floor(v) || v > 1e6)
        throw Error("device profile: " + where + " needs a positive integer '" + key + "'");
    return static_cast<int>(v);
}

} // namespace

const SplitTiming& DeviceProfile::split(int l) const
{
    std::string available;
    for (const auto& s : splits) {
        if (s.split == l)
            return s;
        available += (available.empty() ? "" : ", ") + std::to_string(s.split);
    }
    throw Error("device profile '" + name + "' has no split point " + std::to_string(l) + "; it has: " + available);
}

const FullOffloadTiming* DeviceProfile::fullOffloadAt(int width, int height, int quality) const
{
    for (const auto& f : fullOffloading)
        if (f.width == width && f.height == height && (quality < 0 || f.quality == quality))
            return &f;
    return nullptr;
}

const FullOffloadTiming* DeviceProfile::fullOffloadFor(const std::string& resolution, int quality) const
{
    auto lower = [](std::string text) {
        std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
        return text;
    };
    for (const auto& f : fullOffloading)
        if (lower(f.size) == lower(resolution) && f.quality == quality)
            return &f;
    return nullptr;
}

std::string DeviceProfile::inputLabel() const
{
    if (inputHeight <= 0 || inputWidth <= 0)
        return "unknown input size";
    return std::to_string(inputWidth) + "x" + std::to_string(inputHeight);
}

void applyEdgeSide(DeviceProfile& profile, const DeviceProfile& edge)
{
    for (auto& s : profile.splits)
        for (const auto& e : edge.splits) {
            if (e.split != s.split)
                continue;
            s.edgeMs = e.edgeMs;
            for (auto& r : s.ratios)
                for (const auto& er : e.ratios)
                    if (er.ratio == r.ratio) {
                        r.decMs = er.decMs;
                        r.accuracy = er.accuracy;
                    }
        }
    profile.edgeFullMs = edge.edgeFullMs;
    profile.imageDecodeMs = edge.imageDecodeMs;
    if (edge.unsplitAccuracy > 0)
        profile.unsplitAccuracy = edge.unsplitAccuracy;
    profile.source += "; edge side (t_es, t_dec, whole model) from " + edge.name + ": " + edge.source;
}

DeviceProfile edgeSideFromBenchModel(const QJsonObject& json, const std::string& origin)
{
    const double fullMs = json.value("full_ms").toDouble(-1.0);
    if (!(fullMs >= 0) || !json.value("splits").isArray())
        throw Error("'" + origin + "' has no 'full_ms' and 'splits': expected the output of aecnn bench-model --json");
    DeviceProfile edge;
    edge.name = "bench-model";
    edge.source = origin + " (" + json.value("machine").toString().toStdString() + ", " +
                  json.value("date").toString().toStdString() + "): t_es per split, whole model " +
                  std::to_string(fullMs) + " ms; no JPEG decode time";
    edge.edgeFullMs = fullMs;
    for (const auto& value : json.value("splits").toArray()) {
        SplitTiming s;
        s.split = requirePositiveInt(value.toObject(), "split", "'" + origin + "' splits");
        s.edgeMs = requireNumber(value.toObject(), "tail_ms", "'" + origin + "' split " + std::to_string(s.split));
        edge.splits.push_back(s);
    }
    return edge;
}

QJsonObject toJson(const DeviceProfile& profile)
{
    QJsonArray splits;
    for (const auto& s : profile.splits) {
        QJsonArray ratios;
        for (const auto& r : s.ratios) {
            QJsonObject ratio{{"ratio", r.ratio},
                              {"accuracy", r.accuracy},
                              {"entropy_bits", r.entropyBits},
                              {"enc_ms", r.encMs},
                              {"dec_ms", r.decMs}};
            if (r.iotMs >= 0)
                ratio["iot_ms"] = r.iotMs;
            ratios.append(ratio);
        }
        splits.append(QJsonObject{{"split", s.split},
                                  {"channels", s.channels},
                                  {"height", s.height},
                                  {"width", s.width},
                                  {"iot_ms", s.iotMs},
                                  {"edge_ms", s.edgeMs},
                                  {"ratios", ratios}});
    }
    QJsonObject json{{"name", QString::fromStdString(profile.name)},
                     {"source", QString::fromStdString(profile.source)},
                     {"local_ms", profile.localMs},
                     {"edge_full_ms", profile.edgeFullMs},
                     {"image_decode_ms", profile.imageDecodeMs},
                     {"unsplit_accuracy", profile.unsplitAccuracy},
                     {"splits", splits}};
    if (profile.inputHeight > 0 && profile.inputWidth > 0)
        json["input"] = QJsonObject{{"height", profile.inputHeight}, {"width", profile.inputWidth}};
    if (!profile.fullOffloading.empty()) {
        QJsonArray full;
        for (const auto& f : profile.fullOffloading)
            full.append(QJsonObject{{"size", QString::fromStdString(f.size)},
                                    {"width", f.width},
                                    {"height", f.height},
                                    {"quality", f.quality},
                                    {"resize_ms", f.resizeMs},
                                    {"enc_ms", f.encMs},
                                    {"bytes", f.bytes}});
        json["capture_ms"] = profile.captureMs;
        json["full_offloading"] = full;
    }
    return json;
}

DeviceProfile deviceProfileFromJson(const QJsonObject& json)
{
    DeviceProfile p;
    p.name = json.value("name").toString().toStdString();
    p.source = json.value("source").toString().toStdString();
    if (p.source.empty())
        throw Error("device profile: 'source' is empty; say where the times come from (measured how, or which paper)");
    p.localMs = requireNumber(json, "local_ms", "the profile");
    p.edgeFullMs = requireNumber(json, "edge_full_ms", "the profile");
    p.imageDecodeMs = json.contains("image_decode_ms") ? requireNumber(json, "image_decode_ms", "the profile") : 0.0;
    p.unsplitAccuracy = json.contains("unsplit_accuracy") ? requireNumber(json, "unsplit_accuracy", "the profile") : 0.0;
    if (json.contains("input")) {
        const auto input = json.value("input").toObject();
        p.inputHeight = requirePositiveInt(input, "height", "'input'");
        p.inputWidth = requirePositiveInt(input, "width", "'input'");
    }
    p.captureMs = json.contains("capture_ms") ? requireNumber(json, "capture_ms", "the profile") : 0.0;
    for (const auto& fv : json.value("full_offloading").toArray()) {
        const auto fo = fv.toObject();
        FullOffloadTiming f;
        f.size = fo.value("size").toString("native").toStdString();
        f.width = requirePositiveInt(fo, "width", "a full_offloading entry");
        f.height = requirePositiveInt(fo, "height", "a full_offloading entry");
        f.quality = requirePositiveInt(fo, "quality", "a full_offloading entry");
        f.resizeMs = requireNumber(fo, "resize_ms", "a full_offloading entry");
        f.encMs = requireNumber(fo, "enc_ms", "a full_offloading entry");
        f.bytes = requireNumber(fo, "bytes", "a full_offloading entry");
        p.fullOffloading.push_back(f);
    }
    const auto splits = json.value("splits").toArray();
    if (splits.isEmpty())
        throw Error("device profile: 'splits' must list at least one split point");
    for (const auto& sv : splits) {
        const auto so = sv.toObject();
        SplitTiming s;
        s.split = requirePositiveInt(so, "split", "a split entry");
        const std::string where = "split " + std::to_string(s.split);
        s.channels = requirePositiveInt(so, "channels", where);
        s.height = requirePositiveInt(so, "height", where);
        s.width = requirePositiveInt(so, "width", where);
        s.iotMs = requireNumber(so, "iot_ms", where);
        s.edgeMs = requireNumber(so, "edge_ms", where);
        for (const auto& rv : so.value("ratios").toArray()) {
            const auto ro = rv.toObject();
            RatioTiming r;
            r.ratio = requirePositiveInt(ro, "ratio", where);
            const std::string rwhere = where + " V=" + std::to_string(r.ratio);
            if (s.channels % r.ratio != 0)
                throw Error("device profile: " + rwhere + " does not divide the " + std::to_string(s.channels) +
                            " channels");
            r.accuracy = ro.contains("accuracy") ? requireNumber(ro, "accuracy", rwhere) : 0.0;
            r.entropyBits = requireNumber(ro, "entropy_bits", rwhere);
            if (r.entropyBits <= 0 || r.entropyBits > 32)
                throw Error("device profile: " + rwhere + " entropy_bits must be in (0, 32]");
            r.encMs = requireNumber(ro, "enc_ms", rwhere);
            r.decMs = requireNumber(ro, "dec_ms", rwhere);
            r.iotMs = ro.contains("iot_ms") ? requireNumber(ro, "iot_ms", rwhere) : -1.0;
            s.ratios.push_back(r);
        }
        p.splits.push_back(s);
    }
    return p;
}

DeviceProfile loadDeviceProfile(const std::string& spec, const std::string& coder, int bits)
{
    if (spec == "pi4")
        return raspberryPi4Profile();
    QFile file(QString::fromStdString(spec));
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot open device profile '" + spec + "': " + file.errorString().toStdString() + "; use " +
                    deviceProfileHelp());
    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (doc.isNull() || !doc.isObject())
        throw Error("device profile '" + spec + "' is not a JSON object: " + parseError.errorString().toStdString());
    if (isMeasuredProfileJson(doc.object())) {
        try {
            const auto measured = measuredProfileFromJson(doc.object());
            if (!coder.empty() || bits >= 0) {
                const bool found = std::any_of(measured.encoders.begin(), measured.encoders.end(), [&](const auto& e) {
                    return (coder.empty() || e.coder == coder) && (bits < 0 || e.bits == bits);
                });
                if (!found)
                    throw Error("it has no encoder measured for coder '" + coder + "' at " + std::to_string(bits) +
                                " bits; see its 'encoders'");
            }
            return toLatencyProfile(measured, coder, bits);
        } catch (const Error& e) {
            throw Error("device profile '" + spec + "': " + e.what());
        }
    }
    return deviceProfileFromJson(doc.object());
}

std::string deviceProfileHelp()
{
    return "'pi4' (Raspberry Pi 4B from the paper's Table I, 224x224), a JSON profile file, or a device profile "
           "measured by `aecnn-agent --profile`";
}

void writeDeviceProfile(const QString& path, const DeviceProfile& profile)
{
    writeProfileJson(path, toJson(profile));
}

} // namespace aecnn::latency
