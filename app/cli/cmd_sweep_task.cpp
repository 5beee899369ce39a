#include <chrono>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/model/model_spec.h"
#include "cmd_reproduce_options.h"
#include "cmd_reproduce_transmission.h"
#include "cmd_sweep.h"
#include "sweep_plan.h"
#include "sweep_task_state.h"

namespace aecnn::cli {
namespace {

// The command-line arguments `aecnn aecnn-train` would get for this task: the plan's
// options plus the task's split, ratio and seed. The task then takes the same code path.
std::vector<std::string> taskArgList(const sweep::SweepPlan& plan, const sweep::SweepTask& task)
{
    std::vector<std::string> args{"--model",  plan.model.toStdString(),      "--dataset", plan.dataset.toStdString(),
                                  "--splits", std::to_string(task.split),    "--ratios",  std::to_string(task.ratio),
                                  "--seed",   std::to_string(task.seed)};
    for (auto it = plan.options.begin(); it != plan.options.end(); ++it) {
        if (it.value().isBool()) {
            if (it.value().toBool())
                args.push_back("--" + it.key().toStdString());
            continue;
        }
        args.push_back("--" + it.key().toStdString());
        args.push_back(it.value().toString().toStdString());
    }
    return args;
}

std::vector<OptionSpec> taskSpecs()
{
    auto specs = algorithm1OptionSpecs("1,2", "2,4,8,16,32,64");
    specs.push_back(modelOption());
    specs.push_back(datasetOption());
    return specs;
}

} // namespace

QString modelFile(const QString& spec)
{
    if (spec == "default")
        return defaultModelPath();
    if (spec.startsWith("torchvision:"))
        return {};
    return spec;
}

ParsedArgs taskArguments(const sweep::SweepPlan& plan, const sweep::SweepTask& task)
{
    return parseArgs(taskArgList(plan, task), taskSpecs(), 0);
}

namespace {

// The task's Table I cells (the columns of `reproduce table1`), accuracies in %.
QJsonObject table1Cells(const Algorithm1Result& result, const ImageSet& test, int codecImages, std::ostream& log)
{
    QJsonObject row{{"baseline_acc", 100.0 * result.baseAccuracy}};
    for (const auto& e : result.entries) {
        row.insert("split", e.split);
        row.insert("V", e.ratio);
        row.insert("H", e.cost.featureHeight);
        row.insert("W", e.cost.featureWidth);
        const double acc = 100.0 * e.accuracy;
        if (e.variant == SplitVariant::BottleNetPP) {
            row.insert("bottlenetpp_acc", acc);
            if (!row.contains("C"))
                row.insert("C", loadAecnnClassifierFile(e.path).net->featureChannels());
            continue;
        }
        if (e.variant == SplitVariant::CaPruned) {
            row.insert("ca_pruned_acc", acc);
            continue;
        }
        row.insert("aecnn_acc", acc);
        auto model = loadAecnnClassifierFile(e.path);
        row.insert("C", model.net->featureChannels());
        row.insert("kept_C", model.net->transmittedChannels());
        row.insert("head_macs", static_cast<qint64>(e.cost.headMacs));
        row.insert("fr_macs", static_cast<qint64>(e.cost.codecMacs));
        row.insert("tail_macs", static_cast<qint64>(e.cost.tailMacs));
        log << "measuring the transmitted tensor on " << std::min<int64_t>(codecImages, test.size()) << " images\n";
        const auto t = measureTransmission(*model.net, test, codecImages);
        row.insert("entropy_bits", t.entropyBits);
        row.insert("entropy_std", t.entropyBitsStd);
        row.insert("enc_ms", t.encodeMs);
        row.insert("dec_ms", t.decodeMs);
        row.insert("frame_bytes", t.frameBytes);
    }
    return row;
}

} // namespace

// One task in this process (what `sweep run` starts in a child process per task, with
// its output going to the task's log): Algorithm 1 for one split, ratio, method and seed,
// resuming from the task's models/, then result.json (and fig4.csv) written atomically.
QJsonObject sweepTask(const QString& dir, const ParsedArgs& args, CommandContext& context)
{
    const auto start = std::chrono::steady_clock::now();
    const auto plan = sweep::loadPlan(dir);
    const int index = taskIndexArg(args, static_cast<int>(plan.tasks.size()));
    if (index < 0)
        throw UsageError("sweep task needs --task I");
    const auto& task = plan.tasks[index];
    context.threads = configureThreads(plan.threads);
    if (const QString file = modelFile(plan.model); !plan.modelSha256.isEmpty() && !file.isEmpty()) {
        if (!QFileInfo::exists(file))
            throw Error("the sweep's model " + file.toStdString() + " does not exist any more; restore it, then "
                        "rerun the failed tasks with `aecnn sweep run --retry-failed`");
        if (fileSha256(file) != plan.modelSha256)
            throw Error("the sweep's model " + file.toStdString() + " changed since the sweep was planned (sha256 " +
                        fileSha256(file).toStdString() + ", planned " + plan.modelSha256.toStdString() +
                        "); restore it, or plan a new sweep in another folder");
    }
    const auto parsed = taskArguments(plan, task);
    auto inputs = loadMethodInputs(parsed, context.text);
    auto options = algorithm1OptionsFor(parsed, inputs);
    options.caVariants = task.method == "aecnn";
    options.bottleNet = task.method == "bottlenetpp";
    *context.text << "task " << index << " of plan " << sweep::planHash(plan).toStdString() << ": split " << task.split
                  << ", V " << task.ratio << ", " << task.method.toStdString() << ", seed " << task.seed << "; "
                  << context.threads << " thread(s), " << inputs.data.train.size() << " training images\n"
                  << std::flush;
    const auto result = runAlgorithm1(inputs.base, inputs.data, options, sweep::taskModelsDir(dir, task), {},
                                      stageLogTo(context.text));
    const ImageSet test = options.evalLimit > 0 ? inputs.data.test.head(options.evalLimit) : inputs.data.test;
    const auto cells = table1Cells(result, test, plan.codecImages, *context.text);
    if (!result.importance.empty() && !result.importance.front().batchMeans.empty())
        writeFileAtomically(sweep::taskFig4Path(dir, task), importanceCsv(result.importance.front()));
    auto provenance =
        runProvenance(context, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    provenance.insert("host", QSysInfo::machineHostName());
    const QJsonObject json{{"plan_hash", sweep::planHash(plan)},
                           {"task", QJsonObject{{"index", task.index},
                                                {"split", task.split},
                                                {"ratio", task.ratio},
                                                {"method", task.method},
                                                {"seed", task.seed}}},
                           {"evaluated", static_cast<qint64>(result.baseEvaluated)},
                           {"table1", cells},
                           {"algorithm1", toJson(result)},
                           {"provenance", provenance}};
    writeFileAtomically(sweep::taskResultPath(dir, task), QJsonDocument(json).toJson(QJsonDocument::Indented));
    printAlgorithm1Table(*context.text, result);
    *context.text << "wrote " << sweep::taskResultPath(dir, task).toStdString() << "\n";
    return json;
}

} // namespace aecnn::cli
