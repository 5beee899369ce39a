#pragma once

#include <QColor>
#include <QString>
#include <QStringList>
#include <vector>

namespace aecnn::widgets {

// One racer of the race view: an agent streaming in one mode (plain values).
struct Racer {
    QString mode;     // aecnn | bottlenetpp | full | local (the agent's mode names)
    QString endpoint; // host:port, shown in the legend when two racers share a mode
    QString capture = QStringLiteral("native"); // what the device captures and sends (full offloading: its resolution)
};

// One finished frame of one racer.
struct RaceSample {
    int racer = 0; // index into the racers
    long long frame = 0;
    int label = -1;     // -1 = unknown
    int predicted = -1; // -1 = none
    double bytes = 0.0;       // on the wire
    double measuredMs = 0.0;  // completion time, device start .. prediction on the edge
    double predictedMs = 0.0; // Eq. 4 for this frame
};

// Per mode (every racer of that mode together).
struct RaceSummaryRow {
    QString mode;
    long long frames = 0;
    long long labelled = 0;
    double accuracy = -1.0; // correct / labelled; -1 = no labelled frame with a prediction
    double meanBytes = 0.0;
    double meanMs = 0.0;
    double p95Ms = 0.0; // nearest rank
    double meanPredictedMs = 0.0;
    QString capture;
};

QString raceModeTitle(const QString& mode); // "AECNN", "BottleNet++", "full offloading", "local computing"
QColor raceModeColour(const QString& mode);
// The columns of the race summary CSV, in order.
QStringList raceSummaryColumns();

// Collects the frames of a race and summarizes them per mode.
class RaceStats {
public:
    void setRacers(std::vector<Racer> racers); // clears the samples
    const std::vector<Racer>& racers() const { return racers_; }
    void add(const RaceSample& sample); // ignores an unknown racer
    const std::vector<RaceSample>& samples(int racer) const;
    long long correct(int racer) const;
    long long labelled(int racer) const;
    // Running accuracy of a racer after its samples so far; -1 = no labelled frame yet.
    double runningAccuracy(int racer) const;
    // One row per mode, in the order the modes first appear among the racers.
    std::vector<RaceSummaryRow> summary() const;

private:
    std::vector<Racer> racers_;
    std::vector<std::vector<RaceSample>> samples_;
    std::vector<long long> correct_;
    std::vector<long long> labelled_;
};

} // namespace aecnn::widgets
