#include <cstdio>

#include <QJsonArray>

#include "aecnn/model/checkpoint.h"
#include "aecnn/error.h"
#include "aecnn/model/model_spec.h"
#include "aecnn/split/split_model_files.h"
#include "cmd_edge_multi.h"
#include "cmd_codec_eval.h"
#include "cmd_edge_run.h"
#include "command.h"
#include "transport_options.h"

namespace aecnn::cli {

std::pair<int, int> splitOfModel(const QString& path)
{
    if (path == "default")
        return {0, 0};
    const auto meta = readCheckpointMetadata(path);
    if (checkpointKindOf(meta) != CheckpointKind::SplitModel)
        return {0, 0};
    return {meta.value("split").toInt(), meta.value("ratio").toInt()};
}

QJsonObject edgeAgentSettings(const ParsedArgs& args, const std::string& mode)
{
    QJsonObject s{{"mode", QString::fromStdString(mode)},
                  {"rate_mbps", args.number("rate-mbps", 0, 100000)},
                  {"window", args.integer("window", 0, 1000000)}};
    if (args.has("dataset"))
        s["dataset"] = QString::fromStdString(args.text("dataset"));
    if (args.has("first-image"))
        s["first_image"] = args.integer("first-image", 0, 1 << 30);
    const bool split = mode == "aecnn" || mode == "bottlenetpp";
    for (const auto& name : transportOptionNames(TransportCommand::Edge))
        if (args.has(name) && !split)
            throw UsageError("--" + name + " applies to --mode aecnn or bottlenetpp only");
    // The transport options given, under the agent's keys; the agent keeps its defaults for the others.
    const auto transport = readTransportOptions(args, TransportCommand::Edge);
    transport.all(); // refuses a combination the agent would refuse, before connecting
    for (auto it = transport.given.begin(); it != transport.given.end(); ++it)
        s.insert(it.key(), it.value());
    if (args.has("resolution"))
        s["resolution"] = QString::fromStdString(args.text("resolution"));
    // Sent only when not the default, so that an agent without compact frames is not asked for them.
    const std::string header = args.text("frame-header"), timing = args.text("frame-timing");
    if (header != "full" && header != "compact")
        throw UsageError("--frame-header must be full or compact, got '" + header + "'");
    if (timing != "on" && timing != "off")
        throw UsageError("--frame-timing must be on or off, got '" + timing + "'");
    if (header == "compact") {
        if (s.value("framing").toString() != "session")
            throw UsageError("--frame-header compact needs --framing session (compact frames carry layout-framed "
                             "codec frames)");
        s["frame_header"] = "compact";
    }
    if (timing == "off") {
        if (header != "compact")
            throw UsageError("--frame-timing off needs --frame-header compact (the full headers always carry the "
                             "device's times)");
        s["frame_timing"] = false;
    }
    return s;
}

QString resolveEdgeModel(const std::string& mode, const std::string& model, int split, int ratio)
{
    if (!model.empty())
        return QString::fromStdString(model);
    if (mode != "aecnn" && mode != "bottlenetpp")
        return "default";
    if (split == 0 || ratio == 0)
        throw UsageError("--mode " + mode + " needs --model FILE, or --split L --ratio V to use a shipped demo model");
    const QString path = findSplitModel(split, ratio, mode);
    if (path.isEmpty())
        throw UsageError("no " + mode + " split model for --split " + std::to_string(split) + " --ratio " +
                         std::to_string(ratio) + " among the demo models (" + demoSplitModelDir().toStdString() +
                         "); give --model FILE");
    return path;
}

namespace {

void printStage(std::ostream& out, const char* name, const edge::StageSummary& s)
{
    char line[160];
    std::snprintf(line, sizeof line, "  %-14s %10.3f %10.3f %10.3f %10.3f\n", name, s.mean, s.median, s.p95, s.max);
    out << line;
}

QJsonObject runEdgeCommand(const ParsedArgs& args, CommandContext& context)
{
    if (isMultiAgentEdge(args))
        return runMultiAgentEdge(args, context);
    EdgeRunRequest request;
    parseEndpoint(args.text("connect"), request.host, request.port);
    const std::string mode = args.text("mode");
    if (mode != "aecnn" && mode != "bottlenetpp" && mode != "full" && mode != "local")
        throw UsageError("--mode must be aecnn, bottlenetpp, full or local, got '" + mode + "'");
    request.settings = edgeAgentSettings(args, mode);
    request.frames = static_cast<uint32_t>(args.integer("frames", 1, 10000000));
    request.timeoutMs = args.integer("timeout-s", 1, 86400) * 1000;
    request.modelPath =
        resolveEdgeModel(mode, args.has("model") ? args.text("model") : "", args.has("split") ? args.integer("split", 1, 100) : 0,
                         args.has("ratio") ? args.integer("ratio", 1, 4096) : 0);
    if (args.has("token-file"))
        request.token = readTokenFile(args.text("token-file"));
    if (const auto policy = protocol::encryptionPolicyFrom(QString::fromStdString(args.text("encrypt"))))
        request.encryption = *policy;
    else
        throw UsageError("--encrypt must be on, off or auto, got '" + args.text("encrypt") + "'");
    if (request.token.isEmpty() && request.encryption == protocol::EncryptionPolicy::On)
        throw UsageError("--encrypt on needs --token-file FILE: the session keys are derived from the token");
    const auto [split, ratio] = splitOfModel(request.modelPath);
    if (args.has("split") && split != 0 && args.integer("split", 1, 100) != split)
        throw UsageError("--split " + args.text("split") + " but the model is split at " + std::to_string(split));
    if (args.has("ratio") && ratio != 0 && args.integer("ratio", 1, 4096) != ratio)
        throw UsageError("--ratio " + args.text("ratio") + " but the model has V = " + std::to_string(ratio));
    if (args.has("calibrate")) {
        const auto transport = readTransportOptions(args, TransportCommand::Edge).all().front();
        if (const int count = calibrationImages(args, transport); count > 0) {
            auto calibration = calibrateSession(request.modelPath.toStdString(), transport,
                                                args.text("calibration-dataset"), count, args.flag("context-priors"));
            request.fixedRanges = std::move(calibration.fixedRanges);
            request.contextPriors = std::move(calibration.contextPriors);
        }
    } else if (args.flag("context-priors")) {
        throw UsageError("--context-priors needs --calibrate N: the priors are counted on the calibration images");
    }
    if (args.has("csv"))
        request.csvPath = QString::fromStdString(args.text("csv"));
    request.csvContext = {QString::fromStdString("command: " + context.commandLine),
                          "mode " + QString::fromStdString(mode) + ", model " + request.modelPath};

    const auto r = runEdge(request);

    using F = edge::EdgeFrameResult;
    const auto iot = r.stage(&F::iotMs), enc = r.stage(&F::encMs), com = r.stage(&F::comMs), dec = r.stage(&F::decMs),
               es = r.stage(&F::esMs), measured = r.stage(&F::measuredMs), predicted = r.stage(&F::predictedMs);
    const auto bytes = r.bytes();
    auto& out = *context.text;
    char line[256];
    std::snprintf(line, sizeof line, "accuracy %.4f (%lld/%lld) over %zu frames, mode %s, rate %g Mbps%s\n",
                  r.accuracy(), static_cast<long long>(r.correct()), static_cast<long long>(r.labelled()),
                  r.frames.size(), mode.c_str(), request.settings.value("rate_mbps").toDouble(),
                  request.settings.value("rate_mbps").toDouble() == 0 ? " (unshaped)" : "");
    out << line << "  " << r.deployMessage.toStdString() << "\n";
    const int64_t security = r.frames.empty() ? 0 : r.frames.front().securityBytes;
    double payloadMean = 0.0;
    for (const auto& f : r.frames)
        payloadMean += double(f.payloadBytes);
    payloadMean = r.frames.empty() ? 0.0 : payloadMean / double(r.frames.size());
    std::snprintf(line, sizeof line, "bytes/frame: mean %.1f, median %.1f, p95 %.1f (of which %lld session security)\n",
                  bytes.mean, bytes.median, bytes.p95, static_cast<long long>(security));
    out << line << "  stage (ms)           mean     median        p95        max\n";
    printStage(out, "t_iot", iot);
    printStage(out, "t_enc", enc);
    printStage(out, "t_com", com);
    printStage(out, "t_dec", dec);
    printStage(out, "t_es", es);
    printStage(out, "measured", measured);
    printStage(out, "predicted Eq.4", predicted);
    // Eq. 4 with the device-side terms from the device profile (frames without an entry left out).
    std::vector<double> fromProfile;
    for (const auto& f : r.frames)
        if (f.profileMs >= 0)
            fromProfile.push_back(f.profileMs);
    const auto profiled = edge::summarize(fromProfile);
    if (!fromProfile.empty())
        printStage(out, "profile Eq.4", profiled);
    const auto& dp = r.deviceProfile;
    out << "device profile: " << dp.name.toStdString() << (dp.fromDevice ? " (the agent's own, " : " (fallback, ")
        << dp.inputWidth << "x" << dp.inputHeight << "): " << dp.note.toStdString()
        << (fromProfile.empty() ? "; no entry for this configuration, so no profile prediction" : "") << "\n";
    std::snprintf(line, sizeof line, "measured vs predicted completion: %.3f vs %.3f ms (mean), clock offset %.3f ms%s, "
                                     "%d reconnect(s)\n",
                  measured.mean, predicted.mean, r.clockOffsetMs, r.clockSynced ? "" : " (not measured)", r.reconnects);
    out << line;
    if (!request.csvPath.isEmpty())
        out << "wrote " << request.csvPath.toStdString() << "\n";

    QJsonObject stages{{"t_iot_ms", toJson(iot)},      {"t_enc_ms", toJson(enc)}, {"t_com_ms", toJson(com)},
                       {"t_dec_ms", toJson(dec)},      {"t_es_ms", toJson(es)},   {"measured_ms", toJson(measured)},
                       {"predicted_ms", toJson(predicted)}};
    QJsonArray predictions;
    for (const auto& f : r.frames)
        predictions.append(f.predicted);
    return {{"accuracy", r.accuracy()},
            {"correct", static_cast<qint64>(r.correct())},
            {"n", static_cast<qint64>(r.labelled())},
            {"frames", static_cast<qint64>(r.frames.size())},
            {"mode", QString::fromStdString(mode)},
            {"model", request.modelPath},
            {"settings", request.settings},
            {"bytes_per_frame", toJson(bytes)},
            {"security_bytes_per_frame", static_cast<qint64>(security)},
            {"wire_bytes_per_frame_without_security", bytes.mean - double(security)},
            {"payload_bytes_per_frame", payloadMean},
            {"framing_bytes_per_frame", bytes.mean - double(security) - payloadMean},
            {"fixed_ranges", !request.fixedRanges.empty()},
            {"context_priors", static_cast<qint64>(request.contextPriors.priors.size())},
            {"stages", stages},
            {"measured_ms_mean", measured.mean},
            {"predicted_ms_mean", predicted.mean},
            {"profile_predicted_ms", fromProfile.empty() ? QJsonValue() : QJsonValue(toJson(profiled))},
            {"device_profile", QJsonObject{{"name", dp.name},
                                           {"from_device", dp.fromDevice},
                                           {"input", QJsonArray{dp.inputHeight, dp.inputWidth}},
                                           {"note", dp.note}}},
            {"clock_offset_ms", r.clockOffsetMs},
            {"clock_synced", r.clockSynced},
            {"reconnects", r.reconnects},
            {"predictions", predictions},
            {"csv", request.csvPath},
            {"end", r.endReason}};
}

} // namespace

Command edgeCommand()
{
    std::vector<OptionSpec> options{
        {"connect", "HOST:PORT[,HOST:PORT...]", "the agent; several, comma-separated, for many devices on one edge "
                                                "(one session each, the tail batched across them; see --agent-settings)",
         "127.0.0.1:7878"},
        {"agent-settings", "FILE", "many agents: a JSON array, one object per --connect endpoint in order, each "
                                   "overriding this command line's settings for that agent: mode, model, split, "
                                   "ratio, rate_mbps, window, frames, dataset, first_image and the transport keys "
                                   "(codec, repr, bits, ...), e.g. [{\"rate_mbps\": 2}, {\"rate_mbps\": 8, "
                                   "\"ratio\": 16}]", ""},
        {"batch-max-size", "N", "many agents: the most frames of one model the edge's tail runs in one batch", "8"},
        {"batch-max-delay-ms", "MS", "many agents: the longest a decoded frame waits for others before its batch "
                                     "runs", "2"},
        {"no-batching", "", "many agents: run the tail frame by frame (for comparison)", ""},
        {"deadline-ms", "MS", "adaptive V (runs the many-agent edge, also for one agent): report the V that adaptive "
                              "selection (measured rate and edge queueing, with --profile) chooses per agent", ""},
        {"adaptive", "", "with --deadline-ms: switch each agent's V live, between frames, to the split model of the "
                         "chosen V (found next to its model or among the demo models); frames in flight finish with "
                         "their V; JSON ratio_switches, CSV column ratio", ""},
        {"profile", "P", "device profile for --deadline-ms", "pi4"},
        {"token-file", "FILE", "pre-shared token (omit for a tokenless loopback agent: unauthenticated)", ""},
        {"encrypt", "on|off|auto", "encrypt the session's records (ChaCha20-Poly1305; every message is "
                                   "authenticated anyway with a token); auto = unless the agent is on loopback",
         "auto"},
        {"model", "M", "split model (aecnn/bottlenetpp; default: the demo model for --split/--ratio) or classifier / "
                      "split model (full, local; default: the default model)", ""},
        {"split", "L", "check: the split model's split point", ""},
        {"ratio", "V", "check: the split model's compression ratio", ""},
        {"mode", "MODE", "aecnn, bottlenetpp, full or local", "aecnn"},
        {"rate-mbps", "R", "uplink rate the agent emulates, 0 = unshaped", "0"},
        {"frames", "N", "frames to stream", "100"},
        {"window", "W", "frames in flight: 1 = the next frame starts when the edge has finished the previous "
                        "one (per-frame latency, the paper's setting); 0 = as fast as the uplink allows", "1"},
        {"dataset", "SPEC", "the agent's image source (default: the agent's own)", ""},
        {"first-image", "I", "start at this image of the agent's source", ""}};
    for (const auto& option : transportOptions(TransportCommand::Edge))
        options.push_back(option);
    const std::vector<OptionSpec> more{
        {"resolution", "WxH", "full offloading: JPEG resolution (default native)", ""},
        {"calibrate", "N", "with --framing session and --repr uint: quantization ranges fixed for the session, "
                           "calibrated here on the first N training images of --calibration-dataset and sent to the "
                           "device in the session layout; default: per-frame ranges", ""},
        {"calibration-dataset", "SPEC", "the edge's calibration images for --calibrate", "fashion-mnist"},
        contextPriorsOption(),
        {"frame-header", "full|compact", "with --framing session, how each frame travels: full = SessionFrame with "
                                         "the 16-byte protocol header; compact = CompactFrame (1-byte type, varint "
                                         "length, sequence gap, label; protocol/compact_frame.h), which the agent "
                                         "must support", "full"},
        {"frame-timing", "on|off", "with --frame-header compact: off = frames carry no device times (a few bytes "
                                   "less per frame; no t_iot, t_enc, t_com, measured or Eq. 4 time per frame, only "
                                   "the edge's own stages and the profile prediction)", "on"},
        {"csv", "OUT", "per-frame CSV (written as OUT.partial, renamed at the end); many agents: one per agent, "
                       "OUT-agentK.csv", ""},
        {"timeout-s", "S", "give up after S seconds", "600"}};
    options.insert(options.end(), more.begin(), more.end());
    return {"edge",
            "run the edge against an aecnn-agent: deploy, stream N frames, finish them here; accuracy, per-stage times, "
            "bytes, measured vs predicted (Eq. 4) completion time",
            options, 0, runEdgeCommand};
}

} // namespace aecnn::cli
