#include "aecnn/latency/measured_profile.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include "aecnn/error.h"
#include "profile_file.h"

namespace aecnn::latency {
namespace {

[[noreturn]] void bad(const std::string& where, const std::string& what)
{
    throw Error("device profile: " + where + " " + what);
}

double number(const QJsonObject& json, const char* key, const std::string& where)
{
    const auto value = json.value(QLatin1String(key));
    if (value.isUndefined())
        bad(where, std::string("has no '") + key + "'");
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() < 0)
        bad(where, std::string("needs a non-negative number '") + key + "'");
    return value.toDouble();
}

int integer(const QJsonObject& json, const char* key, const std::string& where, int min, int max)
{
    const double v = number(json, key, where);
    if (v != std::floor(v) || v < min || v > max)
        bad(where, std::string("needs an integer '") + key + "' in " + std::to_string(min) + ".." +
                       std::to_string(max) + ", got " + std::to_string(v));
    return static_cast<int>(v);
}

std::string text(const QJsonObject& json, const char* key, const std::string& where, bool required)
{
    const auto value = json.value(QLatin1String(key));
    if (value.isUndefined() && !required)
        return {};
    if (!value.isString() || (required && value.toString().isEmpty()))
        bad(where, std::string("needs a non-empty string '") + key + "'");
    return value.toString().toStdString();
}

QJsonArray array(const QJsonObject& json, const char* key)
{
    const auto value = json.value(QLatin1String(key));
    if (!value.isArray() || value.toArray().isEmpty())
        bad("the profile", std::string("needs a non-empty array '") + key + "'");
    return value.toArray();
}

QJsonObject object(const QJsonValue& value, const std::string& where)
{
    if (!value.isObject())
        bad(where, "is not a JSON object");
    return value.toObject();
}

} // namespace

std::string MeasuredDeviceProfile::inputLabel() const
{
    return std::to_string(inputWidth) + "x" + std::to_string(inputHeight);
}

QJsonObject toJson(const MeasuredDeviceProfile& p)
{
    QJsonArray heads, encoders;
    for (const auto& h : p.heads)
        heads.append(QJsonObject{{"split", h.split},
                                 {"ratio", h.ratio},
                                 {"channels", h.channels},
                                 {"height", h.height},
                                 {"width", h.width},
                                 {"head_ms", h.headMs}});
    for (const auto& e : p.encoders)
        encoders.append(QJsonObject{{"split", e.split},
                                    {"ratio", e.ratio},
                                    {"coder", QString::fromStdString(e.coder)},
                                    {"bits", e.bits},
                                    {"enc_ms", e.encMs},
                                    {"bits_per_element", e.bitsPerElement}});
    auto s = [](const std::string& v) { return QString::fromStdString(v); };
    QJsonArray jpeg;
    for (const auto& j : p.jpeg)
        jpeg.append(QJsonObject{{"size", s(j.size)},
                                {"width", j.width},
                                {"height", j.height},
                                {"quality", j.quality},
                                {"resize_ms", j.resizeMs},
                                {"enc_ms", j.encMs},
                                {"bytes", j.bytes}});
    QJsonObject json{{"format", kMeasuredProfileFormat},
            {"version", kMeasuredProfileVersion},
            {"name", s(p.name)},
            {"device", QJsonObject{{"hostname", s(p.hostname)},
                                   {"arch", s(p.arch)},
                                   {"cpu", s(p.cpu)},
                                   {"os", s(p.os)},
                                   {"threads", p.threads}}},
            {"model", s(p.model)},
            {"input", QJsonObject{{"height", p.inputHeight}, {"width", p.inputWidth}, {"channels", p.inputChannels}}},
            {"date", s(p.date)},
            {"command", s(p.command)},
            {"repeats", p.repeats},
            {"statistic", "median"},
            {"capture_ms", p.captureMs},
            {"preprocess_ms", p.preprocessMs},
            {"local_ms", p.localMs},
            {"heads", heads},
            {"encoders", encoders}};
    if (!p.jpeg.empty())
        json["jpeg"] = jpeg;
    return json;
}

bool isMeasuredProfileJson(const QJsonObject& json)
{
    return json.value("format").toString() == QLatin1String(kMeasuredProfileFormat);
}

MeasuredDeviceProfile measuredProfileFromJson(const QJsonObject& json)
{
    if (!isMeasuredProfileJson(json))
        bad("the profile", std::string("has no \"format\": \"") + kMeasuredProfileFormat +
                               "\" (not written by aecnn-agent --profile)");
    const int version = integer(json, "version", "the profile", 1, 1 << 20);
    if (version > kMeasuredProfileVersion)
        bad("the profile", "is version " + std::to_string(version) + ", this build reads up to version " +
                               std::to_string(kMeasuredProfileVersion) + ": update aecnn");
    MeasuredDeviceProfile p;
    p.name = text(json, "name", "the profile", true);
    const auto device = object(json.value("device"), "'device'");
    p.hostname = text(device, "hostname", "'device'", false);
    p.arch = text(device, "arch", "'device'", true);
    p.cpu = text(device, "cpu", "'device'", false);
    p.os = text(device, "os", "'device'", false);
    p.threads = integer(device, "threads", "'device'", 1, 4096);
    p.model = text(json, "model", "the profile", false);
    const auto input = object(json.value("input"), "'input'");
    p.inputHeight = integer(input, "height", "'input'", 1, 1 << 16);
    p.inputWidth = integer(input, "width", "'input'", 1, 1 << 16);
    p.inputChannels = integer(input, "channels", "'input'", 1, 64);
    p.date = text(json, "date", "the profile", false);
    p.command = text(json, "command", "the profile", false);
    p.repeats = json.contains("repeats") ? integer(json, "repeats", "the profile", 0, 1 << 30) : 0; // 0 = not stated
    p.captureMs = number(json, "capture_ms", "the profile");
    p.preprocessMs = number(json, "preprocess_ms", "the profile");
    p.localMs = json.contains("local_ms") ? number(json, "local_ms", "the profile") : 0.0;

    const auto heads = array(json, "heads");
    for (int i = 0; i < heads.size(); ++i) {
        const std::string where = "heads[" + std::to_string(i) + "]";
        const auto o = object(heads[i], where);
        HeadMeasurement h;
        h.split = integer(o, "split", where, 1, 1000);
        h.ratio = integer(o, "ratio", where, 1, 1 << 16);
        h.channels = integer(o, "channels", where, 1, 1 << 20);
        h.height = integer(o, "height", where, 1, 1 << 16);
        h.width = integer(o, "width", where, 1, 1 << 16);
        h.headMs = number(o, "head_ms", where);
        for (const auto& other : p.heads)
            if (other.split == h.split && other.ratio == h.ratio)
                bad(where, "repeats split " + std::to_string(h.split) + " V=" + std::to_string(h.ratio));
        p.heads.push_back(h);
    }
    const auto encoders = json.value("encoders").toArray(); // may be empty: heads only
    if (json.contains("encoders") && !json.value("encoders").isArray())
        bad("the profile", "needs an array 'encoders'");
    for (int i = 0; i < encoders.size(); ++i) {
        const std::string where = "encoders[" + std::to_string(i) + "]";
        const auto o = object(encoders[i], where);
        EncoderMeasurement e;
        e.split = integer(o, "split", where, 1, 1000);
        e.ratio = integer(o, "ratio", where, 1, 1 << 16);
        e.coder = text(o, "coder", where, true);
        e.bits = integer(o, "bits", where, 0, 32);
        e.encMs = number(o, "enc_ms", where);
        e.bitsPerElement = number(o, "bits_per_element", where);
        if (e.bitsPerElement > 64)
            bad(where, "has bits_per_element above 64");
        const bool known = std::any_of(p.heads.begin(), p.heads.end(),
                                       [&](const HeadMeasurement& h) { return h.split == e.split && h.ratio == e.ratio; });
        if (!known)
            bad(where, "is for split " + std::to_string(e.split) + " V=" + std::to_string(e.ratio) +
                           ", which has no entry in 'heads'");
        p.encoders.push_back(e);
    }
    // Version 2: full offloading per capture size (absent in version 1: no full-offloading entries).
    if (json.contains("jpeg") && !json.value("jpeg").isArray())
        bad("the profile", "needs an array 'jpeg'");
    const auto jpeg = json.value("jpeg").toArray();
    for (int i = 0; i < jpeg.size(); ++i) {
        const std::string where = "jpeg[" + std::to_string(i) + "]";
        const auto o = object(jpeg[i], where);
        JpegMeasurement j;
        j.size = text(o, "size", where, true);
        j.width = integer(o, "width", where, 1, 1 << 16);
        j.height = integer(o, "height", where, 1, 1 << 16);
        j.quality = integer(o, "quality", where, 1, 100);
        j.resizeMs = number(o, "resize_ms", where);
        j.encMs = number(o, "enc_ms", where);
        j.bytes = number(o, "bytes", where);
        if (j.bytes <= 0)
            bad(where, "needs a positive number 'bytes' (the JPEG size)");
        for (const auto& other : p.jpeg)
            if (other.size == j.size && other.quality == j.quality)
                bad(where, "repeats size " + j.size + " at quality " + std::to_string(j.quality));
        p.jpeg.push_back(j);
    }
    return p;
}

void writeMeasuredProfile(const QString& path, const MeasuredDeviceProfile& profile)
{
    writeProfileJson(path, toJson(profile));
}

MeasuredDeviceProfile readMeasuredProfile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw Error("cannot open device profile '" + path.toStdString() + "': " + file.errorString().toStdString());
    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (doc.isNull() || !doc.isObject())
        throw Error("device profile '" + path.toStdString() +
                    "' is not a JSON object: " + parseError.errorString().toStdString());
    try {
        return measuredProfileFromJson(doc.object());
    } catch (const Error& e) {
        throw Error("'" + path.toStdString() + "': " + e.what());
    }
}

DeviceProfile toLatencyProfile(const MeasuredDeviceProfile& m, const std::string& coderWanted, int bitsWanted,
                               const DeviceProfile* edgeSide)
{
    std::string coder = coderWanted;
    int bits = bitsWanted;
    if (coder.empty() && !m.encoders.empty())
        coder = m.encoders.front().coder;
    if (bits < 0 && !m.encoders.empty()) {
        bits = m.encoders.front().bits;
        for (const auto& e : m.encoders)
            if (e.coder == coder) {
                bits = e.bits;
                break;
            }
    }
    DeviceProfile p;
    p.name = m.name;
    p.localMs = m.localMs;
    p.inputHeight = m.inputHeight;
    p.inputWidth = m.inputWidth;
    std::map<int, std::vector<const HeadMeasurement*>> bySplit;
    for (const auto& h : m.heads)
        bySplit[h.split].push_back(&h);
    bool anyEncoder = false;
    for (auto& [split, heads] : bySplit) {
        std::sort(heads.begin(), heads.end(), [](auto* a, auto* b) { return a->ratio < b->ratio; });
        const HeadMeasurement& first = *heads.front();
        SplitTiming s;
        s.split = split;
        s.channels = first.channels * first.ratio; // C of X_l
        s.height = first.height;
        s.width = first.width;
        s.iotMs = first.headMs; // the unpruned head when ratio 1 was measured
        const SplitTiming* edge = nullptr;
        if (edgeSide != nullptr)
            for (const auto& e : edgeSide->splits)
                if (e.split == split)
                    edge = &e;
        s.edgeMs = edge ? edge->edgeMs : 0.0;
        for (const auto* h : heads) {
            if (h->channels * h->ratio != s.channels || h->height != s.height || h->width != s.width)
                throw Error("device profile '" + m.name + "': split " + std::to_string(split) + " V=" +
                            std::to_string(h->ratio) + " has a " + std::to_string(h->channels) + "x" +
                            std::to_string(h->height) + "x" + std::to_string(h->width) +
                            " tensor, which is not C/V of the other heads of that split");
            RatioTiming r;
            r.ratio = h->ratio;
            r.iotMs = h->headMs;
            r.entropyBits = 32.0; // raw float32 unless the coder was measured
            for (const auto& e : m.encoders)
                if (e.split == split && e.ratio == h->ratio && e.coder == coder && e.bits == bits) {
                    r.entropyBits = std::clamp(e.bitsPerElement, 1e-6, 32.0);
                    r.encMs = e.encMs;
                    anyEncoder = true;
                }
            if (edge != nullptr)
                for (const auto& er : edge->ratios)
                    if (er.ratio == h->ratio) {
                        r.decMs = er.decMs;
                        r.accuracy = er.accuracy;
                    }
            if (r.ratio == 1 && r.encMs == 0.0 && r.entropyBits == 32.0)
                continue; // V = 1 uncoded is the model's own "1x" case
            s.ratios.push_back(r);
        }
        p.splits.push_back(s);
    }
    p.captureMs = m.captureMs;
    for (const auto& j : m.jpeg)
        p.fullOffloading.push_back({j.size, j.width, j.height, j.quality, j.resizeMs, j.encMs, j.bytes});
    if (edgeSide != nullptr) {
        p.edgeFullMs = edgeSide->edgeFullMs;
        p.imageDecodeMs = edgeSide->imageDecodeMs;
        p.unsplitAccuracy = edgeSide->unsplitAccuracy;
    }
    p.source = "measured on the device by aecnn-agent --profile (" + m.arch + (m.cpu.empty() ? "" : ", " + m.cpu) +
               ", " + std::to_string(m.threads) + " thread(s), input " + m.inputLabel() +
               (m.model.empty() ? "" : ", model " + m.model) + (m.date.empty() ? "" : ", " + m.date) +
               "): t_iot per split and V" +
               (anyEncoder ? ", t_enc and bits/element of " + coder + " at " +
                                 (bits == 0 ? std::string("float32") : std::to_string(bits) + " bits")
                           : std::string(", no encoder measured (raw float32)")) +
               (m.jpeg.empty() ? std::string("; no full offloading measured")
                               : "; full offloading: capture, resize and JPEG encode at " +
                                     std::to_string(m.jpeg.size()) + " capture size(s)") +
               (edgeSide != nullptr ? "; edge-side times (t_es, t_dec, full offloading) from " + edgeSide->name
                                    : "; edge-side times (t_es, t_dec, full offloading) not in a device profile: 0");
    return p;
}

} // namespace aecnn::latency
