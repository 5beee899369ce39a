#include "sweep_slurm.h"

#include <algorithm>

#include <QDir>
#include <QRegularExpression>
#include <QStringList>

namespace aecnn::sweep {
namespace {

// Quotes for bash single quotes.
QString shellQuote(const QString& text)
{
    QString quoted = text;
    quoted.replace("'", "'\\''");
    return "'" + quoted + "'";
}

// "5-7%2", "5,6", "4" inside brackets -> indices.
std::vector<int> expandIndexList(QString list)
{
    std::vector<int> out;
    list = list.section('%', 0, 0);
    for (const auto& part : list.split(',', Qt::SkipEmptyParts)) {
        const auto bounds = part.split('-');
        bool okLo = false, okHi = false;
        const int lo = bounds.value(0).toInt(&okLo);
        const int hi = bounds.size() > 1 ? bounds.value(1).toInt(&okHi) : lo;
        if (!okLo || (bounds.size() > 1 && !okHi))
            continue;
        for (int i = lo; i <= hi && i - lo < 100000; ++i)
            out.push_back(i);
    }
    return out;
}

} // namespace

QString arraySpec(const std::vector<int>& indices, int maxParallel)
{
    auto sorted = indices;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    QStringList parts;
    for (size_t i = 0; i < sorted.size();) {
        size_t j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1)
            ++j;
        parts << (j == i ? QString::number(sorted[i]) : QString("%1-%2").arg(sorted[i]).arg(sorted[j]));
        i = j + 1;
    }
    QString spec = parts.join(',');
    if (maxParallel > 0)
        spec += QString("%%1").arg(maxParallel);
    return spec;
}

QByteArray sbatchScript(const QString& sweepDir, const SweepPlan& plan, const SlurmOptions& options,
                        const QString& aecnnPath, const std::vector<int>& indices)
{
    const QString dir = QDir(sweepDir).absolutePath();
    const QString hash = planHash(plan);
    QString script = "#!/bin/bash\n";
    script += "# AECNN sweep " + hash + ": " + QString::number(plan.tasks.size()) +
              " Algorithm 1 tasks, one per array index (written by `aecnn sweep slurm`)\n";
    script += "#SBATCH --job-name=aecnn-sweep-" + hash.left(8) + "\n";
    script += "#SBATCH --array=" + arraySpec(indices, options.maxParallel) + "\n";
    script += "#SBATCH --ntasks=1\n";
    script += QString("#SBATCH --cpus-per-task=%1\n").arg(options.cpusPerTask);
    script += "#SBATCH --mem=" + options.mem + "\n";
    script += "#SBATCH --time=" + options.time + "\n";
    if (!options.partition.isEmpty())
        script += "#SBATCH --partition=" + options.partition + "\n";
    script += "#SBATCH --output=" + dir + "/slurm/%A_%a.out\n";
    script += "set -u\n";
    script += "exec " + shellQuote(aecnnPath) + " sweep run --task \"$SLURM_ARRAY_TASK_ID\"" +
              (options.retryFailed ? " --retry-failed" : "") + " " + shellQuote(dir) + "\n";
    return script.toUtf8();
}

std::map<int, QString> parseSlurmStates(const QString& text, const QString& jobId)
{
    std::map<int, QString> states;
    static const QRegularExpression line(R"(^\s*(\d+)_(\d+|\[[^\]]*\])\|([A-Z_]+))");
    for (const auto& row : text.split('\n')) {
        const auto match = line.match(row);
        if (!match.hasMatch() || match.captured(1) != jobId)
            continue;
        QString index = match.captured(2);
        const QString state = match.captured(3);
        if (index.startsWith('['))
            index = index.mid(1, index.size() - 2);
        for (int i : expandIndexList(index))
            states[i] = state;
    }
    return states;
}

bool isSlurmFailure(const QString& state)
{
    static const QStringList failures{"FAILED", "TIMEOUT", "CANCELLED", "OUT_OF_MEMORY", "NODE_FAIL",
                                      "BOOT_FAIL", "DEADLINE", "PREEMPTED"};
    return failures.contains(state);
}

} // namespace aecnn::sweep
