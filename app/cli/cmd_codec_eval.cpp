#include "cmd_codec_eval.h"

#include <algorithm>
#include <sstream>

#include <QJsonArray>

#include <torch/torch.h>

#include "aecnn/split/split_model.h"
#include "aecnn/error.h"

namespace aecnn::cli {
namespace {

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        items.push_back(item);
    return items;
}

QJsonObject describe(const TransportSettings& s, const TransportEvaluation& r, const TransmittedLayout& layout)
{
    const bool uniform = s.representation == "uint";
    return {{"accuracy", r.accuracy()},
            {"n", static_cast<qint64>(r.count)},
            {"correct", static_cast<qint64>(r.correct)},
            {"codec", QString::fromStdString(s.coder)},
            {"repr", QString::fromStdString(s.representation)},
            {"bits", uniform ? s.bits : 0},
            {"per_channel", s.perChannel},
            {"range", uniform ? QString::fromStdString(s.range) : QString()},
            {"dictionary_id", static_cast<qint64>(s.dictionary.id())},
            {"mean_frame_bytes", r.meanFrameBytes()},
            {"unsplit_bytes", static_cast<qint64>(layout.unsplitBytes())},
            {"compression_ratio", r.compressionRatio()},
            {"mean_payload_bytes", r.meanPayloadBytes()},
            {"payload_compression_ratio", r.payloadCompressionRatio()}};
}

} // namespace

std::vector<OptionSpec> evalCodecOptions()
{
    return {{"codec", "NAME,..", "split models: code each transmitted tensor with these coders (store, zstd, "
                                 "zstd-entropy, context) through the device/edge transport", ""},
            {"repr", "NAME", "with --codec: float32, float32-shuffled, float16 or uint (n-bit quantization; default)", ""},
            {"bits", "n,..", "with --codec and --repr uint: quantization bits, 2..8 (default 8)", ""},
            {"per-tensor", "", "with --codec: one quantization scale per tensor instead of per channel", ""},
            {"range", "minmax|mse", "with --codec and --repr uint: quantize the full value range (minmax, default) "
                                    "or the range of least squared error (mse; outliers saturate)", ""},
            {"no-dict", "", "with --codec: ignore the zstd dictionary stored with the model", ""}};
}

bool wantsCodecEval(const ParsedArgs& args)
{
    return args.has("codec");
}

std::vector<TransportSettings> transportSettingsFromArgs(const ParsedArgs& args)
{
    for (const char* name : {"repr", "bits", "per-tensor", "range", "no-dict"})
        if (args.has(name) && !args.has("codec"))
            throw UsageError(std::string("--") + name + " needs --codec NAME");
    if (!args.has("codec"))
        return {};
    TransportSettings base;
    if (args.has("repr"))
        base.representation = args.text("repr");
    std::vector<int> bitList{base.bits};
    if (args.has("bits")) {
        if (base.representation != "uint")
            throw UsageError("--bits applies to --repr uint only");
        bitList = args.integerList("bits", 2, 8);
    }
    base.perChannel = !args.flag("per-tensor");
    if (args.has("range")) {
        if (base.representation != "uint")
            throw UsageError("--range applies to --repr uint only");
        base.range = args.text("range");
    }
    std::vector<TransportSettings> all;
    for (const auto& coder : splitList(args.text("codec")))
        for (int bits : bitList) {
            TransportSettings s = base;
            s.coder = coder;
            s.bits = bits;
            try {
                validate(s);
            } catch (const Error& e) {
                throw UsageError(e.what());
            }
            all.push_back(s);
        }
    if (all.empty())
        throw UsageError("--codec needs at least one coder name");
    return all;
}

void evaluateWithCodec(const std::string& modelSpec, const InferenceModel& model,
                       std::vector<TransportSettings> settings, bool useStoredDictionary, const ImageSet& images,
                       QJsonObject& result, CommandContext& context)
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
    std::vector<SplitTransport> transports;
    for (const auto& s : settings)
        transports.emplace_back(layout, s);
    const auto evaluations = evaluateThroughTransports(*net, transports, images);
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
            *context.text << s.bits << (s.perChannel ? " per channel" : " per tensor") << ", range " << s.range;
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
    result["transmitted_shape"] = QString("%1x%2x%3").arg(layout.channels).arg(layout.height).arg(layout.width);
    result["split"] = layout.split;
    result["ratio"] = layout.ratio;
    result["variant"] = QString::fromStdString(layout.variant);
}

} // namespace aecnn::cli
