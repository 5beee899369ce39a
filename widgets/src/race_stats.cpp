#include "aecnn/widgets/race_stats.h"

#include <algorithm>
#include <cmath>

namespace aecnn::widgets {

QString raceModeTitle(const QString& mode)
{
    if (mode == QLatin1String("aecnn"))
        return QStringLiteral("AECNN");
    if (mode == QLatin1String("bottlenetpp"))
        return QStringLiteral("BottleNet++");
    if (mode == QLatin1String("full"))
        return QStringLiteral("full offloading");
    if (mode == QLatin1String("local"))
        return QStringLiteral("local computing");
    return mode;
}

QColor raceModeColour(const QString& mode)
{
    if (mode == QLatin1String("aecnn"))
        return {214, 39, 40};
    if (mode == QLatin1String("bottlenetpp"))
        return {31, 119, 180};
    if (mode == QLatin1String("full"))
        return {255, 127, 14};
    if (mode == QLatin1String("local"))
        return {44, 160, 44};
    return {110, 110, 110};
}

QStringList raceSummaryColumns()
{
    return {QStringLiteral("mode"),
            QStringLiteral("frames"),
            QStringLiteral("accuracy (0..1)"),
            QStringLiteral("mean bytes/frame"),
            QStringLiteral("mean measured ms"),
            QStringLiteral("p95 measured ms"),
            QStringLiteral("mean predicted ms (Eq. 4)"),
            QStringLiteral("capture size")};
}

void RaceStats::setRacers(std::vector<Racer> racers)
{
    racers_ = std::move(racers);
    samples_.assign(racers_.size(), {});
    correct_.assign(racers_.size(), 0);
    labelled_.assign(racers_.size(), 0);
}

void RaceStats::add(const RaceSample& sample)
{
    if (sample.racer < 0 || sample.racer >= static_cast<int>(racers_.size()))
        return;
    const auto r = static_cast<size_t>(sample.racer);
    samples_[r].push_back(sample);
    if (sample.label >= 0 && sample.predicted >= 0) {
        ++labelled_[r];
        correct_[r] += sample.label == sample.predicted ? 1 : 0;
    }
}

const std::vector<RaceSample>& RaceStats::samples(int racer) const
{
    static const std::vector<RaceSample> none;
    return racer >= 0 && racer < static_cast<int>(samples_.size()) ? samples_[static_cast<size_t>(racer)] : none;
}

long long RaceStats::correct(int racer) const
{
    return racer >= 0 && racer < static_cast<int>(correct_.size()) ? correct_[static_cast<size_t>(racer)] : 0;
}

long long RaceStats::labelled(int racer) const
{
    return racer >= 0 && racer < static_cast<int>(labelled_.size()) ? labelled_[static_cast<size_t>(racer)] : 0;
}

double RaceStats::runningAccuracy(int racer) const
{
    const long long n = labelled(racer);
    return n > 0 ? static_cast<double>(correct(racer)) / static_cast<double>(n) : -1.0;
}

std::vector<RaceSummaryRow> RaceStats::summary() const
{
    std::vector<RaceSummaryRow> rows;
    for (size_t r = 0; r < racers_.size(); ++r) {
        auto it = std::find_if(rows.begin(), rows.end(), [&](const RaceSummaryRow& row) { return row.mode == racers_[r].mode; });
        if (it == rows.end()) {
            RaceSummaryRow row;
            row.mode = racers_[r].mode;
            row.capture = racers_[r].capture;
            rows.push_back(row);
        } else if (it->capture != racers_[r].capture) {
            it->capture = QStringLiteral("mixed");
        }
    }
    for (RaceSummaryRow& row : rows) {
        std::vector<double> measured;
        double bytes = 0.0, predicted = 0.0;
        long long correct = 0;
        for (size_t r = 0; r < racers_.size(); ++r) {
            if (racers_[r].mode != row.mode)
                continue;
            for (const RaceSample& s : samples_[r]) {
                measured.push_back(s.measuredMs);
                bytes += s.bytes;
                predicted += s.predictedMs;
            }
            correct += correct_[r];
            row.labelled += labelled_[r];
        }
        row.frames = static_cast<long long>(measured.size());
        if (row.labelled > 0)
            row.accuracy = static_cast<double>(correct) / static_cast<double>(row.labelled);
        if (measured.empty())
            continue;
        const double n = static_cast<double>(measured.size());
        row.meanBytes = bytes / n;
        row.meanPredictedMs = predicted / n;
        double sum = 0.0;
        for (double v : measured)
            sum += v;
        row.meanMs = sum / n;
        std::sort(measured.begin(), measured.end());
        const auto rank = static_cast<size_t>(std::ceil(0.95 * n));
        row.p95Ms = measured[std::clamp<size_t>(rank, 1, measured.size()) - 1];
    }
    return rows;
}

} // namespace aecnn::widgets
