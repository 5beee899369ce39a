#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <vector>

namespace aecnn {
struct TransportSettings; // aecnn/split/split_transport.h
}

namespace aecnn::studio {

// What the researcher chose; deployed to the agent and shown in every export.
struct StudioConfig {
    QString model = QStringLiteral("default");
    int split = 1;
    int ratio = 4; // V
    QString mode = QStringLiteral("aecnn"); // aecnn | bottlenetpp | full-offloading | local
    QString codec = QStringLiteral("uint8+zstd");
    double rateMbps = 10.0;
    double deadlineMs = 100.0;
    bool adaptiveRatio = false;

    bool operator==(const StudioConfig& other) const;
    bool operator!=(const StudioConfig& other) const { return !(*this == other); }
};

// One candidate split point as shown in the split list (from core's split table).
struct SplitRow {
    int point = 0;
    QString after;
    int channels = 0;
    int height = 0;
    int width = 0;
    long long bytes = 0; // S_l = 4 C H W
    QString label() const; // "1: stem  64x14x14  S=50176 B"
};

QStringList modeNames();
// Modes that run a split model (head on the device, FR/decoder + tail on the edge).
bool isSplitMode(const QString& mode);
QStringList codecNames();
// One of codecNames(), "<representation>+<coder>" ("uint8+zstd": 8-bit quantization coded
// with zstd; "float16+zstd"), as transport settings: checked by the JSON mapping
// (transport_settings_json.h), so it throws aecnn::Error naming what is wrong.
TransportSettings transportSettingsOfCodec(const QString& name);
// The same under the agent's keys; empty with *error set when the name is not valid.
QJsonObject agentCodecSettings(const QString& name, QString* error);
QStringList ratioChoices(); // "1", "2", ..., "64"

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::StudioConfig)
