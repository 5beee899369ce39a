#include <QFileInfo>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint_pack.h"
#include "aecnn/model/model_spec.h"
#include "command.h"

namespace aecnn::cli {
namespace {

// Max |a - b| over all tensors of two checkpoints with the same tensor names (the
// packed file read back through readCheckpoint, the normal loader, against the input).
double reloadMaxAbsError(const Checkpoint& original, const Checkpoint& reloaded)
{
    if (original.tensors.size() != reloaded.tensors.size())
        throw Error("pack-model: the packed file holds " + std::to_string(reloaded.tensors.size()) + " tensors, the input " +
                    std::to_string(original.tensors.size()) + " (bug)");
    double worst = 0;
    for (const auto& [name, tensor] : original.tensors) {
        const auto* other = reloaded.find(name);
        if (!other || other->sizes() != tensor.sizes() || other->scalar_type() != tensor.scalar_type())
            throw Error("pack-model: tensor '" + name + "' is missing or reshaped in the packed file (bug)");
        if (tensor.numel() > 0)
            worst = std::max(worst, (other->to(torch::kFloat64) - tensor.to(torch::kFloat64)).abs().max().item<double>());
    }
    return worst;
}

QJsonObject runPackModel(const ParsedArgs& args, CommandContext& context)
{
    if (args.positional().size() != 2)
        throw UsageError("name the model and the output: aecnn pack-model [--base FILE] [--bits N] IN.aecnn OUT.aecnn");
    const QString in = QString::fromStdString(args.positional()[0]);
    const QString out = QString::fromStdString(args.positional()[1]);
    if (QFileInfo(in).absoluteFilePath() == QFileInfo(out).absoluteFilePath())
        throw UsageError("pack-model: OUT must differ from IN (the input is read again to verify the packed file)");
    const QString base = args.has("base") ? QString::fromStdString(args.text("base")) : defaultModelPath();
    PackOptions options;
    options.bits = args.integer("bits", 2, 16);
    options.zstdLevel = args.integer("zstd-level", 1, 22);

    const Checkpoint model = readCheckpoint(in);
    auto report = writePackedCheckpoint(out, model, base, options);
    const double reloadError = reloadMaxAbsError(model, readCheckpoint(out));
    const qint64 inBytes = QFileInfo(in).size();
    *context.text << "packed " << in.toStdString() << " (" << inBytes << " bytes) into " << out.toStdString() << " ("
                  << report.fileBytes << " bytes, relative to " << base.toStdString() << "); max |error| "
                  << report.maxAbsError << " (" << report.maxRelativeError * 100
                  << " % of the largest |weight| of its tensor); read back with the normal loader: max |error| "
                  << reloadError << "\n";
    auto result = report.toJson(args.flag("tensors"));
    result["input"] = in;
    result["input_bytes"] = inBytes;
    result["bits"] = options.bits;
    result["zstd_level"] = options.zstdLevel;
    result["reload_max_abs_error"] = reloadError;
    // what training measured on the unpacked model, for comparison with `aecnn eval` of OUT
    const auto provenance = model.metadata.value("provenance").toObject();
    if (provenance.contains("test_accuracy"))
        result["input_test_accuracy"] = provenance.value("test_accuracy");
    if (provenance.contains("test_count"))
        result["input_test_count"] = provenance.value("test_count");
    return result;
}

} // namespace

Command packModelCommand()
{
    return {"pack-model",
            "store a model fine-tuned from a base model compactly: per-tensor differences to the base (pruned "
            "tensors against the base after the same surgery), int_delta weights, float16 added modules, zstd; "
            "loads like any model (core/include/aecnn/model/checkpoint_pack.h): pack-model IN OUT",
            {{"base", "FILE", "the model IN was fine-tuned from (default: the default model)", ""},
             {"bits", "N", "precision of the weight differences: error <= max(|w|,|w-base|)/(2^N-2) per output "
                           "channel (2..16)",
              "8"},
             {"zstd-level", "N", "zstd compression level (1..22)", "19"},
             {"tensors", "", "with --json: one report per tensor", ""}},
            2,
            runPackModel};
}

} // namespace aecnn::cli
