#include "cmd_sweep.h"

#include <algorithm>

#include "cmd_reproduce_options.h"

namespace aecnn::cli {
namespace {

QJsonObject runSweep(const ParsedArgs& args, CommandContext& context)
{
    const auto& positional = args.positional();
    if (positional.empty())
        throw UsageError("name the action: plan, run, slurm, status or collect");
    const std::string action = positional.front();
    if (action == "plan") {
        if (positional.size() > 1)
            throw UsageError("sweep plan takes its folder as --out DIR, not as an argument");
        return sweepPlan(args, context);
    }
    if (positional.size() != 2)
        throw UsageError("sweep " + action + " needs the sweep folder: aecnn sweep " + action + " DIR");
    const QString dir = QString::fromStdString(positional[1]);
    if (action == "run")
        return sweepRun(dir, args, context);
    if (action == "task")
        return sweepTask(dir, args, context);
    if (action == "slurm")
        return sweepSlurm(dir, args, context);
    if (action == "status")
        return sweepStatus(dir, args, context);
    if (action == "collect")
        return sweepCollect(dir, args, context);
    throw UsageError("unknown sweep action '" + action + "'; valid: plan, run, slurm, status, collect");
}

} // namespace

int taskIndexArg(const ParsedArgs& args, int tasks)
{
    if (!args.has("task"))
        return -1;
    return args.integer("task", 0, std::max(0, tasks - 1));
}

Command sweepCommand()
{
    std::vector<OptionSpec> options{
        {"out", "DIR", "plan: the sweep folder; collect: where the CSVs go (default: the sweep folder)", ""},
        modelOption(),
        datasetOption(),
        {"methods", "M1,M2", "plan: methods per task: aecnn (CA_Pruned + AECNN) and/or bottlenetpp", "aecnn,bottlenetpp"},
        {"seeds", "S1,S2", "plan: random seeds (one task per seed)", "1"},
        {"task-threads", "N", "plan: LibTorch threads of every task (results are reproducible per thread count)", "1"},
        {"codec-images", "N", "plan: test images for the entropy and codec timing columns", "200"}};
    for (auto& option : algorithm1OptionSpecs("1,2", "2,4,8,16,32,64"))
        if (option.name != "seed" && option.name != "no-bottlenet" && option.name.rfind("qat-", 0) != 0)
            options.push_back(option);
    const std::vector<OptionSpec> more{
        {"local", "", "run: run the tasks on this machine", ""},
        {"jobs", "N", "run: task processes at a time", "1"},
        {"task", "I", "run: only task I (what a Slurm array task runs)", ""},
        {"retry-failed", "", "run, slurm: run failed tasks again (they resume from their checkpoints)", ""},
        {"cpus-per-task", "N", "slurm: CPUs per array task (default: the plan's --task-threads)", ""},
        {"mem", "SIZE", "slurm: memory per array task", "4G"},
        {"time", "T", "slurm: time limit per array task", "04:00:00"},
        {"max-parallel", "K", "slurm: array tasks running at once, 0 = no limit", "0"},
        {"partition", "P", "slurm: partition (default: the cluster's default)", ""},
        {"no-submit", "", "slurm: write the sbatch script without submitting it", ""}};
    options.insert(options.end(), more.begin(), more.end());
    return {"sweep",
            "Algorithm 1 sweeps: sweep plan --out DIR (split x V x method x seed), sweep run --local DIR, sweep slurm "
            "DIR (job array), sweep status DIR, sweep collect DIR (table1.csv, fig4.csv)",
            options, 2, runSweep};
}

} // namespace aecnn::cli
