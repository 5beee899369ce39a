#include <QFileInfo>

#include "aecnn/model/model_spec.h"
#include "cmd_reproduce_options.h"
#include "cmd_sweep.h"
#include "sweep_plan.h"

namespace aecnn::cli {
namespace {

// A model file as an absolute path, so that tasks find it from any working directory
// (Slurm runs them wherever the job starts); "default" and "torchvision:..." stay as they are.
QString absoluteModelSpec(const std::string& spec)
{
    if (spec == "default" || spec.rfind("torchvision:", 0) == 0)
        return QString::fromStdString(spec);
    const QFileInfo file(QString::fromStdString(spec));
    if (!file.exists())
        throw UsageError("model file '" + spec + "' does not exist");
    return file.absoluteFilePath();
}

QStringList methodsArg(const ParsedArgs& args)
{
    const auto methods = QString::fromStdString(args.text("methods")).split(',', Qt::SkipEmptyParts);
    if (methods.isEmpty())
        throw UsageError("--methods needs at least one of: " + sweep::sweepMethods().join(", ").toStdString());
    for (const auto& m : methods)
        if (!sweep::sweepMethods().contains(m))
            throw UsageError("unknown method '" + m.toStdString() + "' in --methods; valid: " +
                             sweep::sweepMethods().join(", ").toStdString());
    return methods;
}

} // namespace

QJsonObject sweepPlan(const ParsedArgs& args, CommandContext& context)
{
    const QString out = QString::fromStdString(args.text("out"));
    if (out.isEmpty())
        throw UsageError("--out DIR is required: the sweep folder (plan, task folders, collected tables)");
    sweep::SweepPlan plan;
    plan.model = absoluteModelSpec(args.text("model"));
    if (const QString file = modelFile(plan.model); !file.isEmpty())
        plan.modelSha256 = fileSha256(file);
    plan.dataset = QString::fromStdString(args.text("dataset"));
    plan.threads = args.integer("task-threads", 1, 256);
    plan.codecImages = args.integer("codec-images", 1, 1 << 20);
    for (const auto& option : algorithm1OptionSpecs("1,2", "2,4,8,16,32,64")) {
        if (option.name == "splits" || option.name == "ratios" || option.name == "seed" ||
            option.name == "no-bottlenet" || option.name.rfind("qat-", 0) == 0) // QAT: aecnn-train only
            continue;
        if (option.valueName.empty())
            plan.options.insert(QString::fromStdString(option.name), args.flag(option.name));
        else
            plan.options.insert(QString::fromStdString(option.name), QString::fromStdString(args.text(option.name)));
    }
    plan.tasks = sweep::expandTasks(args.integerList("splits", 1, 1000), args.integerList("ratios", 2, 4096),
                                    methodsArg(args), args.integerList("seeds", 0, 1 << 30));
    // The same checks as aecnn-train, before anything is written.
    algorithm1OptionsFromArgs(taskArguments(plan, plan.tasks.front()), 1);
    plan.created = runProvenance(context, 0.0);
    plan.created.remove("seconds");
    plan.created.remove("threads");
    const auto written = sweep::writePlan(out, plan);
    const QString hash = sweep::planHash(plan);
    *context.text << (written == sweep::PlanWrite::Created ? "planned " : "already planned (unchanged): ")
                  << plan.tasks.size() << " tasks in " << out.toStdString() << ", plan hash " << hash.toStdString()
                  << "\nrun them here with `aecnn sweep run --local " << out.toStdString()
                  << "` or on Slurm with `aecnn sweep slurm " << out.toStdString() << "`\n";
    return {{"dir", out},
            {"plan", sweep::planPath(out)},
            {"hash", hash},
            {"tasks", static_cast<int>(plan.tasks.size())},
            {"created", written == sweep::PlanWrite::Created}};
}

} // namespace aecnn::cli
