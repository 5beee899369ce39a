#include <algorithm>
#include <chrono>
#include <cstdio>

#include <QDateTime>
#include <QJsonArray>
#include <QSysInfo>

#include <torch/torch.h>

#include "aecnn/latency/timing.h"
#include "aecnn/model/model_spec.h"
#include "command.h"

namespace aecnn::cli {
namespace {

using latency::medianMilliseconds; // the statistic aecnn-agent --profile reports too

QJsonObject runBenchModel(const ParsedArgs& args, CommandContext& context)
{
    auto model = loadClassifierSpec(args.text("model"));
    const int repeats = args.integer("repeats", 1, 100000);
    torch::NoGradGuard noGrad;
    auto& net = *model.net;
    net.eval();
    const auto input = torch::randn({1, net.config().inChannels, model.usage.inputHeight, model.usage.inputWidth});
    const double fullMs = medianMilliseconds(repeats, [&] { net.forward(input); });
    QJsonArray rows;
    *context.text << "batch-1 latency, median of " << repeats << " runs, " << context.threads << " thread(s)\n"
                  << "full model: " << fullMs << " ms\nsplit  head ms   tail ms\n";
    for (int split = 1; split <= net.splitPointCount(); ++split) {
        const auto feature = net.head(input, split);
        const double headMs = medianMilliseconds(repeats, [&] { net.head(input, split); });
        const double tailMs = medianMilliseconds(repeats, [&] { net.tail(feature, split); });
        char line[96];
        std::snprintf(line, sizeof line, "%5d %9.3f %9.3f\n", split, headMs, tailMs);
        *context.text << line;
        rows.append(QJsonObject{{"split", split}, {"head_ms", headMs}, {"tail_ms", tailMs}});
    }
    return {{"model", QString::fromStdString(args.text("model"))},
            {"input", QJsonArray{model.usage.inputHeight, model.usage.inputWidth}},
            {"threads", context.threads},
            {"repeats", repeats},
            {"full_ms", fullMs},
            {"splits", rows},
            {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
            {"machine", QSysInfo::prettyProductName() + " " + QSysInfo::currentCpuArchitecture()},
            {"command", QString::fromStdString(context.commandLine)}};
}

} // namespace

Command benchModelCommand()
{
    return {"bench-model", "benchmark batch-1 latency of head(l), tail(l) per split point and of the whole model",
            {modelOption(), {"repeats", "N", "timed runs per measurement (median reported)", "50"}}, 0,
            runBenchModel};
}

} // namespace aecnn::cli
