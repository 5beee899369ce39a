#include <cstdio>

#include <QJsonArray>

#include "aecnn/model/model_spec.h"
#include "aecnn/model/split_info.h"
#include "command.h"

namespace aecnn::cli {
namespace {

QJsonObject runSplits(const ParsedArgs& args, CommandContext& context)
{
    auto model = loadClassifierSpec(args.text("model"));
    int height = model.usage.inputHeight, width = model.usage.inputWidth;
    if (args.has("input"))
        std::tie(height, width) = args.size("input");
    const auto points = describeSplitPoints(*model.net, height, width);
    QJsonArray rows;
    char line[256];
    std::snprintf(line, sizeof line, "%-5s %-9s %-14s %12s %14s %14s %12s %12s\n", "split", "after", "CxHxW", "S_l bytes",
                  "head MACs", "tail MACs", "head params", "tail params");
    *context.text << "input " << height << "x" << width << "\n" << line;
    for (const auto& p : points) {
        const std::string shape =
            std::to_string(p.channels) + "x" + std::to_string(p.height) + "x" + std::to_string(p.width);
        std::snprintf(line, sizeof line, "%-5d %-9s %-14s %12lld %14lld %14lld %12lld %12lld\n", p.point,
                      p.after.c_str(), shape.c_str(), static_cast<long long>(p.bytes),
                      static_cast<long long>(p.headMacs), static_cast<long long>(p.tailMacs),
                      static_cast<long long>(p.headParams), static_cast<long long>(p.tailParams));
        *context.text << line;
        rows.append(QJsonObject{{"split", p.point},
                                {"after", QString::fromStdString(p.after)},
                                {"channels", p.channels},
                                {"height", p.height},
                                {"width", p.width},
                                {"bytes", static_cast<qint64>(p.bytes)},
                                {"head_macs", static_cast<qint64>(p.headMacs)},
                                {"tail_macs", static_cast<qint64>(p.tailMacs)},
                                {"head_params", static_cast<qint64>(p.headParams)},
                                {"tail_params", static_cast<qint64>(p.tailParams)}});
    }
    return {{"input", QJsonArray{height, width}}, {"splits", rows}};
}

} // namespace

Command splitsCommand()
{
    return {"splits", "list candidate split points: C x H x W, S_l = 4CHW bytes, head and tail MACs",
            {modelOption(), {"input", "HxW", "input size (default: the model's)", ""}}, 0, runSplits};
}

} // namespace aecnn::cli
