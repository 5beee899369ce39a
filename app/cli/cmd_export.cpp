#include <QFileInfo>

#include "aecnn/model/checkpoint.h"
#include "aecnn/model/model_spec.h"
#include "aecnn/model/torchvision_io.h"
#include "command.h"

namespace aecnn::cli {
namespace {

const char* const kFormats = "torchvision";

QJsonObject runExport(const ParsedArgs& args, CommandContext& context)
{
    const std::string format = args.text("format");
    if (format != "torchvision")
        throw UsageError("unknown export format '" + format + "'; valid formats: " + kFormats);
    if (args.positional().size() != 1)
        throw UsageError("name the output file: aecnn export --format torchvision --model M OUT.pth");
    const QString out = QString::fromStdString(args.positional().front());
    const auto model = loadClassifierSpec(args.text("model"));
    const QByteArray bytes = torchvisionStateDictBytes(model.net);
    writeFileAtomically(out, bytes);

    const auto& config = model.net->config();
    const bool resnet50 = isTorchvisionResNet50(config);
    const auto tensors = static_cast<qint64>(stateOf(*model.net).size());
    *context.text << "wrote " << out.toStdString() << ": a PyTorch state_dict (zip format) of " << tensors
                  << " tensors, " << bytes.size() << " bytes\n";
    if (resnet50)
        *context.text << "load it in Python with torchvision.models.resnet50(num_classes=" << config.numClasses
                      << ").load_state_dict(torch.load(\"" << QFileInfo(out).fileName().toStdString() << "\"))\n";
    else
        *context.text << "its widths differ from torchvision's resnet50; load it into a torchvision ResNet with "
                         "Bottleneck blocks of the same widths (see --json config)\n";
    return {{"format", QString::fromLatin1(kFormats)},
            {"model", QString::fromStdString(args.text("model"))},
            {"output", out},
            {"bytes", static_cast<qint64>(bytes.size())},
            {"tensors", tensors},
            {"config", toJson(config)},
            {"torchvision_resnet50", resnet50}};
}

} // namespace

Command exportCommand()
{
    return {"export",
            "write a classifier as a torchvision state_dict (strict=True loadable) for Python: export --model M OUT.pth",
            {modelOption(), {"format", "NAME", std::string("output format: ") + kFormats, "torchvision"}},
            1,
            runExport};
}

} // namespace aecnn::cli
