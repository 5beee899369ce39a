#include "race_request.h"

#include <QDir>
#include <QJsonObject>

#include "studio_config.h"

namespace aecnn::studio {

QStringList raceAgentModes()
{
    return {QStringLiteral("aecnn"), QStringLiteral("bottlenetpp"), QStringLiteral("full"), QStringLiteral("local")};
}

QStringList raceCaptureSizes()
{
    return {QStringLiteral("native"), QStringLiteral("224x224"), QStringLiteral("640x480"), QStringLiteral("1920x1080")};
}

std::optional<edge::MultiEdgeRequest> multiEdgeRequestOf(const RaceRequest& race, QString* error)
{
    if (race.rows.empty()) {
        *error = QObject::tr("The device list is empty: add an agent (or use \"Race preset\")");
        return std::nullopt;
    }
    edge::MultiEdgeRequest request;
    request.timeoutMs = race.timeoutMs;
    request.session.keepFeatures = false; // the race needs the numbers only
    request.session.clientName = QStringLiteral("aecnn-studio race");
    for (size_t i = 0; i < race.rows.size(); ++i) {
        const AgentRow& row = race.rows[i];
        const QString which = QObject::tr("device list row %1 (%2)").arg(i + 1).arg(row.endpoint());
        if (!raceAgentModes().contains(row.mode)) {
            *error = QObject::tr("%1: mode must be one of %2, got '%3'").arg(which, raceAgentModes().join(", "), row.mode);
            return std::nullopt;
        }
        if (row.port == 0) {
            *error = QObject::tr("%1: no port; give the agent's HOST:PORT").arg(which);
            return std::nullopt;
        }
        if (row.modelPath.isEmpty()) {
            *error = QObject::tr("%1: no %2 model for split %3, V = %4; train one or choose another split or V")
                         .arg(which, row.mode)
                         .arg(row.split)
                         .arg(row.ratio);
            return std::nullopt;
        }
        if (row.mode == QLatin1String("full") && !raceCaptureSizes().contains(row.resolution)) {
            *error = QObject::tr("%1: capture size must be one of %2, got '%3'")
                         .arg(which, raceCaptureSizes().join(", "), row.resolution);
            return std::nullopt;
        }
        edge::AgentRunSpec spec;
        spec.name = QStringLiteral("agent%1").arg(i + 1);
        spec.host = row.host;
        spec.port = row.port;
        spec.token = row.token;
        spec.modelPath = row.modelPath;
        spec.frames = race.frames;
        // window 1: each frame starts when the previous one is finished, so the times are
        // per-frame completion times (Eq. 4); first_image: the same images in the same order.
        spec.settings = QJsonObject{{QStringLiteral("mode"), row.mode},
                                    {QStringLiteral("rate_mbps"), row.rateMbps},
                                    {QStringLiteral("window"), 1},
                                    {QStringLiteral("first_image"), static_cast<double>(race.firstImage)}};
        if (isSplitMode(row.mode)) {
            QString codecError;
            const QJsonObject codec = agentCodecSettings(row.codec.isEmpty() ? race.codec : row.codec, &codecError);
            if (!codecError.isEmpty()) {
                *error = QObject::tr("%1: %2").arg(which, codecError);
                return std::nullopt;
            }
            for (auto it = codec.begin(); it != codec.end(); ++it)
                spec.settings.insert(it.key(), it.value());
        }
        if (race.adaptive && isSplitMode(row.mode)) {
            edge::AdaptiveRatioSpec adaptive;
            adaptive.profile = race.adaptive->profile;
            adaptive.split = row.split;
            adaptive.deadlineMs = race.adaptive->deadlineMs;
            adaptive.models = row.ratioModels;
            adaptive.models[row.ratio] = row.modelPath;
            adaptive.live = true;
            if (!(adaptive.deadlineMs > 0.0)) {
                *error = QObject::tr("%1: adaptive V needs a deadline above 0 ms, got %2").arg(which).arg(adaptive.deadlineMs);
                return std::nullopt;
            }
            try {
                edge::AgentRatioFollower check(adaptive); // the profile has the split and a V with a model
            } catch (const std::exception& e) {
                *error = QObject::tr("%1: adaptive V with the profile '%2': %3")
                             .arg(which, QString::fromStdString(adaptive.profile.name), QString::fromUtf8(e.what()));
                return std::nullopt;
            }
            spec.adaptive = std::move(adaptive);
        }
        if (row.mode == QLatin1String("full"))
            spec.settings.insert(QStringLiteral("resolution"), row.resolution);
        if (!race.csvDir.isEmpty()) {
            spec.csvPath = QDir(race.csvDir).filePath(QStringLiteral("race-%1-%2.csv").arg(spec.name, row.mode));
            spec.csvContext = {QStringLiteral("aecnn-studio race, %1 of %2 agents: %3, mode %4, split %5, V %6, model %7, codec %8")
                                   .arg(spec.name)
                                   .arg(race.rows.size())
                                   .arg(row.endpoint(), row.mode)
                                   .arg(row.split)
                                   .arg(row.ratio)
                                   .arg(row.modelPath, row.codec.isEmpty() ? race.codec : row.codec)};
            if (spec.adaptive) {
                QStringList ratios;
                for (const auto& [ratio, model] : spec.adaptive->models)
                    ratios << QString::number(ratio);
                spec.csvContext << QStringLiteral("adaptive V (column ratio: the V of each frame): deadline %1 ms, "
                                                  "V among %2, profile %3")
                                       .arg(spec.adaptive->deadlineMs)
                                       .arg(ratios.join(QStringLiteral(", ")),
                                            QString::fromStdString(spec.adaptive->profile.name));
            }
        }
        request.agents.push_back(spec);
    }
    return request;
}

} // namespace aecnn::studio
