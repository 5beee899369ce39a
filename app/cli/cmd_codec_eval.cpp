#include "cmd_codec_eval.h"

#include <torch/torch.h>

#include "aecnn/aecnn_model.h"
#include "aecnn/error.h"

namespace aecnn::cli {

std::vector<OptionSpec> evalCodecOptions()
{
    return {{"codec", "NAME", "split models: code each transmitted tensor with this coder (store, zstd, "
                              "zstd-entropy, context) through the device/edge transport", ""},
            {"repr", "NAME", "with --codec: float32, float32-shuffled, float16 or uint (n-bit quantization; default)", ""},
            {"bits", "n", "with --codec and --repr uint: quantization bits, 2..8 (default 8)", ""},
            {"per-tensor", "", "with --codec: one quantization scale per tensor instead of per channel", ""}};
}

bool wantsCodecEval(const ParsedArgs& args)
{
    return args.has("codec");
}

TransportSettings transportSettingsFromArgs(const ParsedArgs& args)
{
    for (const char* name : {"repr", "bits", "per-tensor"})
        if (args.has(name) && !args.has("codec"))
            throw UsageError(std::string("--") + name + " needs --codec NAME");
    TransportSettings s;
    if (!args.has("codec"))
        return s;
    s.coder = args.text("codec");
    if (args.has("repr"))
        s.representation = args.text("repr");
    if (args.has("bits")) {
        if (s.representation != "uint")
            throw UsageError("--bits applies to --repr uint only");
        s.bits = args.integer("bits", 2, 8);
    }
    s.perChannel = !args.flag("per-tensor");
    try {
        validate(s);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
    return s;
}

void evaluateWithCodec(const InferenceModel& model, const TransportSettings& settings, const ImageSet& images,
                       QJsonObject& result, CommandContext& context)
{
    auto net = std::dynamic_pointer_cast<AecnnModelImpl>(model.module);
    if (model.kind != kAecnnCheckpointKind || !net)
        throw UsageError("--codec needs a split model (an aecnn/ca_pruned/bottlenetpp checkpoint from aecnn-train); "
                         "this model is a '" + model.kind.toStdString() + "'");
    const SplitTransport transport(transmittedLayout(*net, model.inputHeight, model.inputWidth), settings);
    const auto r = evaluateThroughTransport(*net, transport, images);
    const auto& layout = transport.layout();
    const bool uniform = settings.representation == "uint";
    *context.text << "accuracy " << r.accuracy() << " (" << r.correct << "/" << r.count << ") through codec "
                  << settings.coder << " " << settings.representation;
    if (uniform)
        *context.text << " " << settings.bits << " bits " << (settings.perChannel ? "per channel" : "per tensor");
    *context.text << ": " << r.meanFrameBytes() << " bytes/frame for " << layout.channels << "x" << layout.height
                  << "x" << layout.width << ", total compression " << r.compressionRatio() << "x against the "
                  << layout.unsplitBytes() << "-byte float32 feature map\n";
    result["accuracy"] = r.accuracy();
    result["n"] = static_cast<qint64>(r.count);
    result["correct"] = static_cast<qint64>(r.correct);
    result["codec"] = QString::fromStdString(settings.coder);
    result["repr"] = QString::fromStdString(settings.representation);
    result["bits"] = uniform ? settings.bits : 0;
    result["per_channel"] = settings.perChannel;
    result["mean_frame_bytes"] = r.meanFrameBytes();
    result["unsplit_bytes"] = static_cast<qint64>(layout.unsplitBytes());
    result["compression_ratio"] = r.compressionRatio();
    result["transmitted_shape"] = QString("%1x%2x%3").arg(layout.channels).arg(layout.height).arg(layout.width);
    result["split"] = layout.split;
    result["ratio"] = layout.ratio;
    result["variant"] = QString::fromStdString(layout.variant);
}

} // namespace aecnn::cli
