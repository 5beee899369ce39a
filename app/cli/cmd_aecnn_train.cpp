#include <chrono>

#include <QDir>
#include <QJsonDocument>

#include "aecnn/checkpoint.h"
#include "cmd_reproduce_options.h"
#include "command.h"

namespace aecnn::cli {
namespace {

QJsonObject runAecnnTrain(const ParsedArgs& args, CommandContext& context)
{
    const std::string out = args.text("out");
    if (out.empty())
        throw UsageError("--out DIR is required: the directory for the trained models (reruns resume from it)");
    const auto start = std::chrono::steady_clock::now();
    auto inputs = loadMethodInputs(args);
    const auto options = algorithm1OptionsFromArgs(args, inputs.data.train.size());
    *context.text << "Algorithm 1 on " << args.text("dataset") << " (" << inputs.data.train.size()
                  << " training images), " << context.threads << " thread(s), output " << out << "\n";
    const auto result = runAlgorithm1(inputs.base, inputs.data, options, QString::fromStdString(out), context.progress,
                                      stageLogTo(context.text));
    printAlgorithm1Table(*context.text, result);
    auto json = toJson(result);
    json.insert("provenance",
                runProvenance(context, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    json.insert("out", QString::fromStdString(out));
    writeFileAtomically(QDir(QString::fromStdString(out)).filePath("results.json"),
                        QJsonDocument(json).toJson(QJsonDocument::Indented));
    return json;
}

} // namespace

Command aecnnTrainCommand()
{
    auto options = algorithm1OptionSpecs("1,2", "2,4,8,16,32,64");
    options.insert(options.begin(), {"out", "DIR", "output directory (a rerun resumes and skips finished models)", ""});
    options.insert(options.begin(), datasetOption());
    options.insert(options.begin(), modelOption());
    return {"aecnn-train",
            "Algorithm 1: CA training, importance, prune + fine-tune (CA_Pruned), FR + fine-tune (AECNN), BottleNet++",
            options, 0, runAecnnTrain};
}

} // namespace aecnn::cli
