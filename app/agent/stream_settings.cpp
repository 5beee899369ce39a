#include "stream_settings.h"

#include <cmath>
#include <cstdio>

#include "aecnn/codec/session_layout.h"
#include "aecnn/error.h"
#include "aecnn/split/transport_settings_json.h"
#include "modes.h"

namespace aecnn::agent {
namespace {

// The agent's own keys; the transport keys are the JSON mapping's (transport_settings_json.h).
std::string validKeys()
{
    return "mode, rate_mbps, dataset, jpeg_quality, resolution (\"native\" or WxH), input (WxHxC), window, "
           "first_image, session_layout, frame_header (full or compact), frame_timing (true or false), " +
           transportKeysText();
}

double number(const QJsonValue& v, const std::string& key, double min, double max)
{
    if (!v.isDouble() || !std::isfinite(v.toDouble()) || v.toDouble() < min || v.toDouble() > max)
        throw Error("setting '" + key + "' must be a number in [" + std::to_string(min) + ", " + std::to_string(max) +
                    "]");
    return v.toDouble();
}

std::string text(const QJsonValue& v, const std::string& key)
{
    if (!v.isString())
        throw Error("setting '" + key + "' must be a string");
    return v.toString().toStdString();
}

} // namespace

StreamSettings applySettings(const StreamSettings& current, const QJsonObject& json)
{
    StreamSettings s = current;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const std::string key = it.key().toStdString();
        const QJsonValue v = it.value();
        if (findTransportField(key))
            continue; // the transport keys: below, all at once
        if (key == "mode") {
            s.mode = text(v, key);
            if (!isModeAvailable(s.mode))
                throw Error("mode '" + s.mode + "' is not available in this agent; available: " + availableModesText());
        } else if (key == "rate_mbps") {
            s.rateMbps = number(v, key, 0, 100000);
        } else if (key == "dataset") {
            s.dataset = text(v, key);
        } else if (key == "jpeg_quality") {
            s.jpegQuality = static_cast<int>(number(v, key, 1, 100));
        } else if (key == "resolution") {
            const std::string r = text(v, key);
            int w = 0, h = 0;
            char tail = 0;
            if (r == "native")
                s.resizeWidth = s.resizeHeight = 0;
            else if (std::sscanf(r.c_str(), "%dx%d%c", &w, &h, &tail) == 2 && w > 0 && h > 0 && w <= 8192 && h <= 8192)
                s.resizeWidth = w, s.resizeHeight = h;
            else
                throw Error("setting 'resolution' must be \"native\" or WxH (e.g. 1920x1080), got '" + r + "'");
        } else if (key == "input") {
            const std::string r = text(v, key);
            int w = 0, h = 0, c = 0;
            char tail = 0;
            if (std::sscanf(r.c_str(), "%dx%dx%d%c", &w, &h, &c, &tail) != 3 || w <= 0 || h <= 0 || w > 4096 ||
                h > 4096 || (c != 1 && c != 3))
                throw Error("setting 'input' must be WxHxC with C 1 or 3 (e.g. 28x28x1), got '" + r + "'");
            s.inputWidth = w, s.inputHeight = h, s.inputChannels = c;
        } else if (key == "window") {
            s.window = static_cast<int>(number(v, key, 0, 1000000));
        } else if (key == "session_layout") {
            s.sessionLayout = text(v, key);
            if (!s.sessionLayout.empty()) {
                const QByteArray bytes = QByteArray::fromBase64(QByteArray::fromStdString(s.sessionLayout),
                                                                QByteArray::AbortOnBase64DecodingErrors);
                try {
                    codec::parseLayout(reinterpret_cast<const uint8_t*>(bytes.constData()), size_t(bytes.size()));
                } catch (const std::exception& e) {
                    throw Error(std::string("setting 'session_layout' is not a session layout: ") + e.what());
                }
            }
        } else if (key == "frame_header") {
            s.frameHeader = text(v, key);
            if (s.frameHeader != "full" && s.frameHeader != "compact")
                throw Error("setting 'frame_header' must be \"full\" or \"compact\", got '" + s.frameHeader + "'");
        } else if (key == "frame_timing") {
            if (!v.isBool())
                throw Error("setting 'frame_timing' must be true or false");
            s.frameTiming = v.toBool();
        } else if (key == "first_image") {
            s.firstImage = static_cast<long long>(number(v, key, 0, 1e12));
        } else {
            throw Error("unknown setting '" + key + "'; valid: " + validKeys());
        }
    }
    s.transport = transportSettingsWithin(json, s.transport); // names a bad field and the valid values
    return s;
}

QJsonObject toJson(const StreamSettings& s)
{
    QJsonObject json = transportSettingsToJson(s.transport);
    const QJsonObject own{{"mode", QString::fromStdString(s.mode)},
                          {"rate_mbps", s.rateMbps},
                          {"dataset", QString::fromStdString(s.dataset)},
                          {"jpeg_quality", s.jpegQuality},
                          {"resolution", s.resizeWidth == 0 ? QString("native")
                                                            : QString("%1x%2").arg(s.resizeWidth).arg(s.resizeHeight)},
                          {"input", QString("%1x%2x%3").arg(s.inputWidth).arg(s.inputHeight).arg(s.inputChannels)},
                          {"window", s.window},
                          {"first_image", static_cast<double>(s.firstImage)},
                          {"session_layout", QString::fromStdString(s.sessionLayout)},
                          {"frame_header", QString::fromStdString(s.frameHeader)},
                          {"frame_timing", s.frameTiming}};
    for (auto it = own.begin(); it != own.end(); ++it)
        json.insert(it.key(), it.value());
    return json;
}

} // namespace aecnn::agent
