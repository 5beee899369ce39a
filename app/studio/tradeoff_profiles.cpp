#include "tradeoff_profiles.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <algorithm>
#include <cmath>

namespace aecnn::studio {
namespace {

QString sizeLabel(int width, int height)
{
    return QStringLiteral("%1\u00d7%2").arg(width).arg(height);
}

QString measuredLabel(const latency::MeasuredDeviceProfile& m)
{
    return QObject::tr("aecnn-agent on %1, measured %2, input %3 (%4, %5 thread(s)%6)")
        .arg(QString::fromStdString(m.hostname.empty() ? m.name : m.hostname),
             QString::fromStdString(m.date.empty() ? std::string("at an unstated date") : m.date),
             sizeLabel(m.inputWidth, m.inputHeight), QString::fromStdString(m.arch))
        .arg(m.threads)
        .arg(m.model.empty() ? QString() : QObject::tr(", model %1").arg(QString::fromStdString(m.model)));
}

} // namespace

void TradeoffProfiles::setConnected(std::optional<latency::MeasuredDeviceProfile> profile, const QString& note)
{
    connected_ = std::move(profile);
    connectedNote_ = note;
    if (connected_) {
        try {
            latency::toLatencyProfile(*connected_); // heads of one split must agree (C/V of one tensor)
        } catch (const std::exception& e) {
            connectedNote_ = QObject::tr("the agent's profile is unusable: %1").arg(QString::fromUtf8(e.what()));
            connected_.reset();
        }
    }
    ++revision_;
}

bool TradeoffProfiles::loadFile(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QObject::tr("Cannot read the device profile %1: %2").arg(path, file.errorString());
        return false;
    }
    QJsonParseError parseError;
    const auto doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    try {
        if (doc.isNull() || !doc.isObject())
            throw std::runtime_error("not a JSON object: " + parseError.errorString().toStdString());
        if (latency::isMeasuredProfileJson(doc.object())) {
            auto measured = latency::measuredProfileFromJson(doc.object());
            latency::toLatencyProfile(measured); // checks that its heads are consistent
            fileMeasured_ = std::move(measured);
            fileLatency_.reset();
        } else {
            fileLatency_ = latency::deviceProfileFromJson(doc.object());
            fileMeasured_.reset();
        }
    } catch (const std::exception& e) {
        if (error)
            *error = QObject::tr("The device profile %1 cannot be used: %2; make one with aecnn-agent --profile --out "
                                 "FILE")
                         .arg(path, QString::fromUtf8(e.what()));
        return false;
    }
    filePath_ = path;
    chosen_ = Source::File;
    ++revision_;
    return true;
}

void TradeoffProfiles::setEdgeSide(std::optional<latency::DeviceProfile> edge, const QString& origin)
{
    edge_ = std::move(edge);
    edgeOrigin_ = origin;
    ++revision_;
}

void TradeoffProfiles::choose(Source source)
{
    if (source != chosen_)
        ++revision_;
    chosen_ = source;
}

bool TradeoffProfiles::has(Source source) const
{
    switch (source) {
    case Source::Connected:
        return connected_.has_value();
    case Source::File:
        return fileMeasured_.has_value() || fileLatency_.has_value();
    case Source::Pi4:
        break;
    }
    return true;
}

TradeoffProfiles::Source TradeoffProfiles::effective() const
{
    if (has(chosen_))
        return chosen_;
    for (Source s : {Source::Connected, Source::File})
        if (has(s))
            return s;
    return Source::Pi4;
}

latency::DeviceProfile TradeoffProfiles::profile(const QString& codec) const
{
    const Source source = effective();
    if (source == Source::Pi4)
        return latency::raspberryPi4Profile();
    if (source == Source::File && fileLatency_)
        return *fileLatency_;
    const auto& measured = source == Source::Connected ? *connected_ : *fileMeasured_;
    const QStringList parts = codec.split(QLatin1Char('+'));
    const QString representation = parts.value(0);
    const int bits = representation.startsWith(QLatin1String("uint")) ? representation.mid(4).toInt() : 0;
    const std::string coder = parts.value(1).toStdString();
    const bool measuredCoder = std::any_of(measured.encoders.begin(), measured.encoders.end(),
                                           [&](const auto& e) { return e.coder == coder && e.bits == bits; });
    // A codec the profile did not time: raw float32 rather than another coder's numbers.
    return latency::toLatencyProfile(measured, measuredCoder ? coder : std::string("none"), measuredCoder ? bits : -2,
                                     edge_ ? &*edge_ : nullptr);
}

QString TradeoffProfiles::label() const
{
    const Source source = effective();
    QString text;
    if (chosen_ == Source::Connected && source != Source::Connected)
        text = QObject::tr("(no profile from a connected agent%1) ")
                   .arg(connectedNote_.isEmpty() ? QString() : QStringLiteral(": ") + connectedNote_);
    else if (chosen_ == Source::File && source != Source::File)
        text = QObject::tr("(no profile file loaded) ");
    if (source == Source::Pi4)
        return text + QObject::tr("Raspberry Pi 4B (paper): Table I times and ncnn's ResNet-50 at 224\u00d7224, "
                                  "RTX 2080 Ti edge");
    if (source == Source::File && fileLatency_)
        return text + QObject::tr("file %1: profile '%2', input %3")
                          .arg(QFileInfo(filePath_).fileName(), QString::fromStdString(fileLatency_->name),
                               QString::fromStdString(fileLatency_->inputLabel()));
    text += source == Source::Connected ? QObject::tr("device: %1").arg(measuredLabel(*connected_))
                                        : QObject::tr("file %1: %2").arg(QFileInfo(filePath_).fileName(),
                                                                          measuredLabel(*fileMeasured_));
    text += edge_ ? QObject::tr("; edge side: %1").arg(edgeOrigin_)
                  : QObject::tr("; edge side not measured (t_es, t_dec, whole model: 0)");
    return text;
}

QString TradeoffProfiles::warning(int inputHeight, int inputWidth) const
{
    const Source source = effective();
    if (source == Source::Pi4)
        return QObject::tr("the paper's device, model and 224\u00d7224 input, not this studio's (%1); Table I "
                           "'ours' and the byte baseline are measured here")
            .arg(inputHeight > 0 ? QObject::tr("input %1").arg(sizeLabel(inputWidth, inputHeight))
                                 : QObject::tr("input size not known yet"));
    const latency::DeviceProfile p = profile(QString());
    QStringList why;
    if (source == Source::File && connected_)
        why << QObject::tr("a profile file, not the connected device's ('%1')")
                   .arg(QString::fromStdString(connected_->name));
    if (inputHeight > 0 && (p.inputHeight != inputHeight || p.inputWidth != inputWidth))
        why << QObject::tr("measured at %1 input, the studio's model takes %2")
                   .arg(p.inputHeight > 0 ? sizeLabel(p.inputWidth, p.inputHeight) : QObject::tr("an unstated"),
                        sizeLabel(inputWidth, inputHeight));
    return why.join(QStringLiteral("; "));
}

std::optional<latency::DeviceProfile> edgeSideFromResults(const QString& benchModelJson,
                                                          const std::vector<widgets::Table1Row>& ours,
                                                          double unsplitAccuracy, QString* error)
{
    QFile file(benchModelJson);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QObject::tr("Cannot read %1: %2").arg(benchModelJson, file.errorString());
        return std::nullopt;
    }
    latency::DeviceProfile edge;
    try {
        edge = latency::edgeSideFromBenchModel(QJsonDocument::fromJson(file.readAll()).object(),
                                               benchModelJson.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return std::nullopt;
    }
    edge.name = "edge (bench-model, Table I ours)";
    edge.source += "; t_dec and accuracy per V: Table I ours";
    edge.unsplitAccuracy = unsplitAccuracy;
    for (auto& s : edge.splits) {
        for (const auto& row : ours)
            if (row.split == s.split && row.ratio > 1) {
                latency::RatioTiming r;
                r.ratio = row.ratio;
                r.accuracy = std::isnan(row.aecnnAcc) ? 0.0 : row.aecnnAcc;
                r.decMs = std::isnan(row.decMs) ? 0.0 : row.decMs;
                s.ratios.push_back(r);
            }
    }
    return edge;
}

} // namespace aecnn::studio
