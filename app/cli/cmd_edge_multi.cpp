#include "cmd_edge_multi.h"

#include <cstdio>
#include <map>
#include <memory>

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "aecnn/edge/multi_edge.h"
#include "aecnn/error.h"
#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/ratio_selection.h"
#include "aecnn/split/split_model_files.h"
#include "cmd_edge_run.h"

namespace aecnn::cli {
namespace {

// Keys of --agent-settings that the edge uses itself; the rest go to the agent.
bool isEdgeSideKey(const QString& key)
{
    return key == "model" || key == "split" || key == "ratio" || key == "frames";
}

std::vector<QJsonObject> readAgentSettingsFile(const std::string& path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly))
        throw UsageError("--agent-settings: cannot read '" + path + "': " + file.errorString().toStdString());
    QJsonParseError error;
    const auto doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        throw UsageError("--agent-settings '" + path + "': " + error.errorString().toStdString() + " at offset " +
                         std::to_string(error.offset));
    if (!doc.isArray())
        throw UsageError("--agent-settings '" + path + "': expected a JSON array of objects, one per agent");
    std::vector<QJsonObject> list;
    for (const auto& v : doc.array()) {
        if (!v.isObject())
            throw UsageError("--agent-settings '" + path + "': every entry must be an object");
        list.push_back(v.toObject());
    }
    return list;
}

QJsonObject summaryJson(const edge::StageSummary& s)
{
    return toJson(s);
}

edge::StageSummary fieldSummary(const edge::AgentRunResult& a, double edge::EdgeFrameResult::*field)
{
    std::vector<double> values;
    for (const auto& f : a.frames)
        values.push_back(f.*field);
    return edge::summarize(std::move(values));
}

edge::StageSummary queueSummary(const edge::AgentRunResult& a)
{
    return fieldSummary(a, &edge::EdgeFrameResult::queueMs);
}

// Adaptive V's choices for one agent: its own model, and the split model of each other V
// of the profile's split found next to it or among the demo models.
std::map<int, QString> adaptiveModelsFor(const std::string& mode, const QString& own, int split, int ownRatio,
                                         const latency::DeviceProfile& profile)
{
    std::map<int, QString> models{{ownRatio, own}};
    const QStringList near{QFileInfo(own).absolutePath()};
    for (const auto& timing : profile.split(split).ratios)
        if (models.count(timing.ratio) == 0)
            if (const QString path = findSplitModel(split, timing.ratio, mode, near); !path.isEmpty())
                models[timing.ratio] = path;
    return models;
}

QJsonArray switchesJson(const std::vector<edge::RatioSwitch>& switches)
{
    QJsonArray list;
    for (const auto& s : switches)
        list.append(QJsonObject{{"after_frame", static_cast<qint64>(s.afterFrame)},
                                {"first_frame", static_cast<qint64>(s.firstFrame)},
                                {"from", s.fromRatio},
                                {"to", s.toRatio},
                                {"why", s.why},
                                {"mbps", s.mbps},
                                {"queue_ms", s.queueMs}});
    return list;
}

} // namespace

bool isMultiAgentEdge(const ParsedArgs& args)
{
    // --batch-max-size and --batch-max-delay-ms have defaults: they only tune a many-agent run.
    return args.text("connect").find(',') != std::string::npos || args.has("agent-settings") ||
           args.flag("no-batching") || args.has("deadline-ms") || args.flag("adaptive");
}

QString agentCsvPath(const QString& csv, size_t index)
{
    const QString suffix = QString("-agent%1").arg(index + 1);
    const int slash = csv.lastIndexOf('/');
    const int dot = csv.lastIndexOf('.');
    if (dot > slash + 1)
        return csv.left(dot) + suffix + csv.mid(dot);
    return csv + suffix;
}

QJsonObject runMultiAgentEdge(const ParsedArgs& args, CommandContext& context)
{
    const bool live = args.flag("adaptive");
    if (live && !args.has("deadline-ms"))
        throw UsageError("--adaptive needs --deadline-ms MS: the completion time adaptive V keeps each agent within "
                         "(predicted with --profile P)");
    std::vector<std::string> endpoints;
    {
        const std::string list = args.text("connect");
        size_t start = 0;
        while (start <= list.size()) {
            const size_t comma = list.find(',', start);
            const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (item.empty())
                throw UsageError("--connect: an empty endpoint in '" + list + "'");
            endpoints.push_back(item);
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    std::vector<QJsonObject> overrides(endpoints.size());
    if (args.has("agent-settings")) {
        const auto list = readAgentSettingsFile(args.text("agent-settings"));
        if (list.size() != endpoints.size())
            throw UsageError("--agent-settings has " + std::to_string(list.size()) + " entries for " +
                             std::to_string(endpoints.size()) + " --connect endpoints (one each, in order)");
        overrides = list;
    }

    edge::MultiEdgeRequest request;
    request.timeoutMs = args.integer("timeout-s", 1, 86400) * 1000;
    request.batching.batching = !args.flag("no-batching");
    request.batching.maxBatch = args.integer("batch-max-size", 1, 4096);
    request.batching.maxDelayMs = args.integer("batch-max-delay-ms", 0, 60000);
    request.session.keepFeatures = false;
    request.session.clientName = "aecnn edge";
    if (const auto policy = protocol::encryptionPolicyFrom(QString::fromStdString(args.text("encrypt"))))
        request.session.encryption = *policy;
    else
        throw UsageError("--encrypt must be on, off or auto, got '" + args.text("encrypt") + "'");
    QByteArray token;
    if (args.has("token-file"))
        token = readTokenFile(args.text("token-file"));
    if (token.isEmpty() && request.session.encryption == protocol::EncryptionPolicy::On)
        throw UsageError("--encrypt on needs --token-file FILE: the session keys are derived from the token");

    const QString csv = args.has("csv") ? QString::fromStdString(args.text("csv")) : QString();
    const int defaultFrames = args.integer("frames", 1, 10000000);
    std::vector<std::string> modes;
    std::vector<int> splits;
    for (size_t i = 0; i < endpoints.size(); ++i) {
        const QJsonObject& o = overrides[i];
        edge::AgentRunSpec spec;
        spec.name = QString("agent%1").arg(i + 1);
        parseEndpoint(endpoints[i], spec.host, spec.port);
        spec.token = token;
        const std::string mode = o.value("mode").toString(QString::fromStdString(args.text("mode"))).toStdString();
        if (mode != "aecnn" && mode != "bottlenetpp" && mode != "full" && mode != "local")
            throw UsageError(spec.name.toStdString() + ": mode must be aecnn, bottlenetpp, full or local, got '" +
                             mode + "'");
        spec.settings = edgeAgentSettings(args, mode);
        for (auto it = o.begin(); it != o.end(); ++it)
            if (!isEdgeSideKey(it.key()))
                spec.settings.insert(it.key(), it.value());
        const int split = o.contains("split") ? o.value("split").toInt() : args.has("split") ? args.integer("split", 1, 100) : 0;
        const int ratio = o.contains("ratio") ? o.value("ratio").toInt() : args.has("ratio") ? args.integer("ratio", 1, 4096) : 0;
        const std::string model = o.contains("model") ? o.value("model").toString().toStdString()
                                                      : (args.has("model") ? args.text("model") : "");
        spec.modelPath = resolveEdgeModel(mode, model, split, ratio);
        const auto [modelSplit, modelRatio] = splitOfModel(spec.modelPath);
        if (split != 0 && modelSplit != 0 && split != modelSplit)
            throw UsageError(spec.name.toStdString() + ": split " + std::to_string(split) + " but the model is split at " +
                             std::to_string(modelSplit));
        if (ratio != 0 && modelRatio != 0 && ratio != modelRatio)
            throw UsageError(spec.name.toStdString() + ": ratio " + std::to_string(ratio) + " but the model has V = " +
                             std::to_string(modelRatio));
        spec.frames = static_cast<uint32_t>(o.value("frames").toInt(defaultFrames));
        if (!csv.isEmpty())
            spec.csvPath = agentCsvPath(csv, i);
        spec.csvContext = {QString::fromStdString("command: " + context.commandLine),
                           QString("%1 of %2 agents (%3), mode %4, model %5")
                               .arg(spec.name)
                               .arg(endpoints.size())
                               .arg(QString::fromStdString(endpoints[i]), QString::fromStdString(mode), spec.modelPath)};
        modes.push_back(mode);
        splits.push_back(modelSplit);
        request.agents.push_back(std::move(spec));
    }

    // Adaptive V per agent from its measured rate and its frames' wait at this edge: with
    // --deadline-ms the V it would pick is reported; with --adaptive too it is switched live.
    if (args.has("deadline-ms")) {
        const auto profile = latency::loadDeviceProfile(args.text("profile"));
        const double deadline = args.number("deadline-ms", 0.001, 1e9);
        for (size_t i = 0; i < endpoints.size(); ++i) {
            auto& spec = request.agents[i];
            if ((modes[i] != "aecnn" && modes[i] != "bottlenetpp") || splits[i] <= 0)
                continue;
            edge::AdaptiveRatioSpec adaptive;
            adaptive.profile = profile;
            adaptive.split = splits[i];
            adaptive.deadlineMs = deadline;
            adaptive.live = live;
            try {
                adaptive.models =
                    adaptiveModelsFor(modes[i], spec.modelPath, splits[i], splitOfModel(spec.modelPath).second, profile);
                edge::AgentRatioFollower check(adaptive); // the profile has the split and a V with a model
            } catch (const std::exception& e) {
                throw UsageError(spec.name.toStdString() + ": --deadline-ms: " + e.what());
            }
            spec.adaptive = std::move(adaptive);
        }
    }

    const auto r = edge::runMultiEdge(request);

    auto& out = *context.text;
    char line[512];
    const auto all = r.completion();
    int failed = 0;
    QJsonArray agents;
    out << "agent     endpoint               mode         V  rate Mbps  frames  frames/s  p50 ms   p95 ms  queue p95  "
           "accuracy  reconnects\n";
    for (size_t i = 0; i < r.agents.size(); ++i) {
        const auto& a = r.agents[i];
        const auto& spec = request.agents[i];
        const auto c = a.completion();
        const auto q = queueSummary(a);
        int64_t correct = 0, labelled = 0;
        QJsonArray predictions;
        for (const auto& f : a.frames) {
            labelled += f.label >= 0;
            correct += f.label >= 0 && f.label == f.predicted;
            predictions.append(f.predicted);
        }
        const double accuracy = labelled ? double(correct) / double(labelled) : 0.0;
        const int ratio = splitOfModel(spec.modelPath).second;
        std::snprintf(line, sizeof line, "%-9s %-22s %-11s %2d %9g %7zu %9.2f %7.2f %8.2f %10.2f %9.4f %11d\n",
                      a.name.toStdString().c_str(), endpoints[i].c_str(), modes[i].c_str(), ratio,
                      spec.settings.value("rate_mbps").toDouble(), a.frames.size(), a.framesPerSecond(), c.median,
                      c.p95, q.p95, accuracy, a.reconnects);
        out << line;
        if (!a.error.isEmpty()) {
            ++failed;
            out << "  " << a.name.toStdString() << " failed: " << a.error.toStdString() << "\n";
        }
        QJsonObject agent{{"name", a.name},
                          {"endpoint", QString::fromStdString(endpoints[i])},
                          {"mode", QString::fromStdString(modes[i])},
                          {"model", spec.modelPath},
                          {"ratio", ratio},
                          {"settings", spec.settings},
                          {"frames", static_cast<qint64>(a.frames.size())},
                          {"frames_failed", static_cast<qint64>(a.failed.size())},
                          {"frames_received", static_cast<qint64>(a.received)},
                          {"frames_per_second", a.framesPerSecond()},
                          {"completion_ms", summaryJson(c)},
                          {"queue_ms", summaryJson(q)},
                          {"stages",
                           QJsonObject{{"t_iot_ms", summaryJson(fieldSummary(a, &edge::EdgeFrameResult::iotMs))},
                                       {"t_enc_ms", summaryJson(fieldSummary(a, &edge::EdgeFrameResult::encMs))},
                                       {"t_com_ms", summaryJson(fieldSummary(a, &edge::EdgeFrameResult::comMs))},
                                       {"t_dec_ms", summaryJson(fieldSummary(a, &edge::EdgeFrameResult::decMs))},
                                       {"t_es_ms", summaryJson(fieldSummary(a, &edge::EdgeFrameResult::esMs))}}},
                          {"accuracy", accuracy},
                          {"correct", static_cast<qint64>(correct)},
                          {"n", static_cast<qint64>(labelled)},
                          {"reconnects", a.reconnects},
                          {"predictions", predictions},
                          {"csv", spec.csvPath},
                          {"end", a.endReason},
                          {"error", a.error}};
        if (a.adaptive && a.adaptive->chosen > 0) {
            const auto& st = *a.adaptive;
            agent["adaptive_ratio"] = st.chosen;
            agent["adaptive_meets_deadline"] = st.meetsDeadline;
            agent["adaptive_mbps"] = st.mbps;
            agent["adaptive_queue_ms"] = st.queueMs;
            agent["adaptive_live"] = st.live;
            agent["ratio_switches"] = switchesJson(a.switches);
            agent["final_ratio"] = a.frames.empty() ? ratio : a.frames.back().ratio;
            if (!a.adaptiveError.isEmpty())
                agent["adaptive_error"] = a.adaptiveError;
            std::snprintf(line, sizeof line, "  adaptive V for %s: %d (measured %.2f Mbps, edge queue %.2f ms%s; %s)\n",
                          a.name.toStdString().c_str(), st.chosen, st.mbps, st.queueMs,
                          st.meetsDeadline ? "" : ", misses the deadline",
                          st.live ? "switched live" : "advisory, not switched live: add --adaptive");
            out << line;
            for (const auto& sw : a.switches) {
                std::snprintf(line, sizeof line,
                              "    V %d -> %d after frame %llu (%s: %.2f Mbps, queue %.2f ms), first frame at V=%d: %lld\n",
                              sw.fromRatio, sw.toRatio, static_cast<unsigned long long>(sw.afterFrame),
                              sw.why.toStdString().c_str(), sw.mbps, sw.queueMs, sw.toRatio,
                              static_cast<long long>(sw.firstFrame));
                out << line;
            }
            if (!a.adaptiveError.isEmpty())
                out << "    " << a.adaptiveError.toStdString() << "\n";
        }
        agents.append(agent);
    }
    std::snprintf(line, sizeof line,
                  "all %zu agents: %lld frames in %.1f ms = %.2f frames/s; completion p50 %.2f ms, p95 %.2f ms; tail %s: "
                  "%lld batches, mean %.2f frames, largest %d\n",
                  r.agents.size(), static_cast<long long>(r.frames()), r.wallMs, r.framesPerSecond(), all.median, all.p95,
                  request.batching.batching ? "batched" : "unbatched", static_cast<long long>(r.tail.batches),
                  r.tail.meanBatch(), r.tail.largestBatch);
    out << line;
    if (!csv.isEmpty())
        for (const auto& spec : request.agents)
            out << "wrote " << spec.csvPath.toStdString() << "\n";
    if (failed == static_cast<int>(r.agents.size()))
        throw Error("every agent failed; the first: " + r.agents.front().error.toStdString());
    if (failed > 0)
        out << failed << " of " << r.agents.size() << " agent(s) failed (their rows above; the others finished)\n";
    return {{"agents", agents},
            {"agents_failed", failed},
            {"frames", static_cast<qint64>(r.frames())},
            {"wall_ms", r.wallMs},
            {"frames_per_second", r.framesPerSecond()},
            {"completion_ms", summaryJson(all)},
            {"batching",
             QJsonObject{{"enabled", request.batching.batching},
                         {"max_batch", request.batching.maxBatch},
                         {"max_delay_ms", request.batching.maxDelayMs},
                         {"batches", static_cast<qint64>(r.tail.batches)},
                         {"tail_frames", static_cast<qint64>(r.tail.frames)},
                         {"mean_batch", r.tail.meanBatch()},
                         {"largest_batch", r.tail.largestBatch}}}};
}

} // namespace aecnn::cli
