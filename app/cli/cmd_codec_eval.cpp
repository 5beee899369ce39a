#include "cmd_codec_eval.h"

#include <algorithm>

#include <QJsonArray>

#include <torch/torch.h>

#include "aecnn/split/split_model.h"
#include "aecnn/error.h"
#include "cli_common.h"
#include "run_resources.h"
#include "transport_options.h"

namespace aecnn::cli {
namespace {

QJsonObject describe(const TransportSettings& s, const TransportEvaluation& r, const TransmittedLayout& layout)
{
    QJsonObject row = describeTransport(s);
    const QJsonObject measures{{"accuracy", r.accuracy()},
                               {"n", static_cast<qint64>(r.count)},
                               {"correct", static_cast<qint64>(r.correct)},
                               {"dictionary_id", static_cast<qint64>(s.dictionary.id())},
                               {"mean_frame_bytes", r.meanFrameBytes()},
                               {"unsplit_bytes", static_cast<qint64>(layout.unsplitBytes())},
                               {"compression_ratio", r.compressionRatio()},
                               {"mean_payload_bytes", r.meanPayloadBytes()},
                               {"payload_compression_ratio", r.payloadCompressionRatio()},
                               {"fixed_ranges", !s.fixedRanges.empty()},
                               {"context_priors", static_cast<qint64>(s.contextPriors.priors.size())}};
    for (auto it = measures.begin(); it != measures.end(); ++it)
        row.insert(it.key(), it.value());
    return row;
}

// Fixed ranges first: the priors are counted on the symbols those ranges give.
void calibrate(AecnnModelImpl& net, const TransmittedLayout& layout, TransportSettings& s, const ImageSet& images,
               bool contextPriors)
{
    if (s.framing != "session" || s.representation != "uint")
        return;
    s.fixedRanges = calibrateTransportRanges(net, layout, s, images);
    if (contextPriors && s.coder == "context")
        s.contextPriors = calibrateContextPriors(net, layout, s, images);
}

} // namespace

OptionSpec contextPriorsOption()
{
    return {"context-priors", "",
            "with --calibrate and --codec context: the context coder starts every frame from probabilities counted "
            "on the calibration images (sent once in the session layout) instead of 1/2",
            ""};
}

std::vector<OptionSpec> evalCodecOptions()
{
    auto options = transportOptions(TransportCommand::Eval);
    options.push_back({"no-dict", "", "with --codec: ignore the zstd dictionary stored with the model", ""});
    options.push_back({"calibrate", "N",
                       "with --framing session and --repr uint: quantization ranges fixed for the session, calibrated "
                       "on the first N training images (no ranges in the frames); default: per-frame ranges",
                       ""});
    options.push_back(contextPriorsOption());
    return options;
}

bool wantsCodecEval(const ParsedArgs& args)
{
    return args.has("codec");
}

std::vector<TransportSettings> transportSettingsFromArgs(const ParsedArgs& args)
{
    auto needsCodec = transportOptionNames(TransportCommand::Eval);
    needsCodec.push_back("no-dict");
    needsCodec.push_back("calibrate");
    needsCodec.push_back("context-priors");
    for (const auto& name : needsCodec)
        if (name != "codec" && args.has(name) && !args.has("codec"))
            throw UsageError("--" + name + " needs --codec NAME");
    if (!args.has("codec"))
        return {};
    return readTransportOptions(args, TransportCommand::Eval).all();
}

int calibrationImages(const ParsedArgs& args, const TransportSettings& settings)
{
    if (!args.has("calibrate"))
        return 0;
    const int count = args.integer("calibrate", 0, 1 << 20);
    if (count > 0 && (settings.framing != "session" || settings.representation != "uint"))
        throw UsageError("--calibrate needs --framing session and --repr uint (fixed ranges are part of the session "
                         "layout)");
    if (args.flag("context-priors")) {
        if (count == 0)
            throw UsageError("--context-priors needs --calibrate N: the priors are counted on the calibration images");
        if (settings.coder != "context")
            throw UsageError("--context-priors needs --codec context, got '" + settings.coder + "'");
    }
    return count;
}

SessionCalibration calibrateSession(const std::string& modelSpec, const TransportSettings& settings,
                                    const std::string& dataSpec, int count, bool contextPriors)
{
    auto model = loadInferenceModel(modelSpec);
    auto net = std::dynamic_pointer_cast<AecnnModelImpl>(model.module);
    if (model.kind != CheckpointKind::SplitModel || !net)
        throw UsageError("--calibrate needs a split model");
    const auto data = loadDatasetForModel(dataSpec, model);
    const auto set = limited(data.train, count);
    TransportSettings calibrated = settings;
    calibrate(*net, transmittedLayout(*net, model.usage.inputHeight, model.usage.inputWidth), calibrated, set,
              contextPriors);
    return {calibrated.fixedRanges, calibrated.contextPriors};
}

void evaluateWithCodec(const std::string& modelSpec, const InferenceModel& model,
                       std::vector<TransportSettings> settings, bool useStoredDictionary, const ImageSet& images,
                       QJsonObject& result, CommandContext& context, const ImageSet* calibration,
                       bool contextPriors, int batchSize)
{
    auto net = std::dynamic_pointer_cast<AecnnModelImpl>(model.module);
    if (model.kind != CheckpointKind::SplitModel || !net)
        throw UsageError("--codec needs a split model (an aecnn/ca_pruned/bottlenetpp checkpoint from aecnn-train); "
                         "this model is a '" + checkpointKindName(model.kind).toStdString() + "'");
    const bool anyZstd = std::any_of(settings.begin(), settings.end(),
                                     [](const TransportSettings& s) { return s.coder.rfind("zstd", 0) == 0; });
    if (useStoredDictionary && anyZstd) {
        const auto dictionary = loadAecnnClassifierFile(QString::fromStdString(modelSpec)).codecDictionary;
        for (auto& s : settings)
            if (s.coder.rfind("zstd", 0) == 0)
                s.dictionary = dictionary;
    }
    const auto layout = transmittedLayout(*net, model.usage.inputHeight, model.usage.inputWidth);
    if (calibration && calibration->size() > 0)
        for (auto& s : settings)
            calibrate(*net, layout, s, *calibration, contextPriors);
    std::vector<SplitTransport> transports;
    for (const auto& s : settings)
        transports.emplace_back(layout, s);
    // Batches of at most batchSize images, fewer when they would not fit in memory (memory_budget.h).
    const auto batch = inferenceBatchSize(net->config(), model.usage.inputHeight, model.usage.inputWidth, batchSize);
    noteInferenceBatch(batch, "eval --codec", context.text);
    const auto evaluations = evaluateThroughTransports(*net, transports, images, batch.batchSize);
    *context.text << "split " << layout.split << ", V=" << layout.ratio << " " << layout.variant << ": "
                  << layout.channels << "x" << layout.height << "x" << layout.width << " per image, against the "
                  << layout.unsplitBytes() << "-byte float32 feature map\n";
    QJsonArray rows;
    for (size_t k = 0; k < settings.size(); ++k) {
        const auto& s = settings[k];
        const auto& r = evaluations[k];
        *context.text << "  accuracy " << r.accuracy() << " (" << r.correct << "/" << r.count << ") through "
                      << s.coder << " " << s.representation;
        if (s.representation == "uint")
            *context.text << s.bits << (s.perChannel ? " per channel" : " per tensor") << ", range " << s.range
                          << (s.fixedRanges.empty() ? "" : " (calibrated, fixed)")
                          << (s.contextPriors.empty() ? "" : ", context priors");
        *context.text << ", framing " << s.framing;
        *context.text << ": " << r.meanFrameBytes() << " bytes/frame, total compression " << r.compressionRatio()
                      << "x (payload " << r.meanPayloadBytes() << " bytes, " << r.payloadCompressionRatio() << "x)\n";
        rows.append(describe(s, r, layout));
    }
    if (settings.size() == 1) {
        const auto only = rows.first().toObject();
        for (auto it = only.begin(); it != only.end(); ++it)
            result[it.key()] = it.value();
    }
    result["results"] = rows;
    result["forward_batch"] = inferenceBatchJson(batch);
    result["memory"] = peakRssJson();
    result["transmitted_shape"] = QString("%1x%2x%3").arg(layout.channels).arg(layout.height).arg(layout.width);
    result["split"] = layout.split;
    result["ratio"] = layout.ratio;
    result["variant"] = QString::fromStdString(layout.variant);
}

} // namespace aecnn::cli
