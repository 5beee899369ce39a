#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <algorithm>
#include <vector>

// Measures how late the UI event loop serves a 10 ms timer: every tick records
// (time since the previous tick - 10 ms). Wall-clock lateness, not CPU time, so
// it sees both blocking work on the UI thread and a starved UI thread.
class EventLoopProbe : public QObject {
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 10;

    explicit EventLoopProbe(QObject* parent = nullptr) : QObject(parent)
    {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(kIntervalMs);
        connect(&timer_, &QTimer::timeout, this, [this] {
            const qint64 now = clock_.nsecsElapsed();
            if (last_ >= 0)
                lateMs_.push_back(std::max(0.0, static_cast<double>(now - last_) / 1e6 - kIntervalMs));
            last_ = now;
        });
    }

    void start()
    {
        lateMs_.clear();
        last_ = -1;
        clock_.start();
        timer_.start();
    }
    void stop() { timer_.stop(); }

    int ticks() const { return static_cast<int>(lateMs_.size()); }
    double maxLatenessMs() const { return lateMs_.empty() ? 0.0 : *std::max_element(lateMs_.begin(), lateMs_.end()); }
    double percentileMs(double p) const
    {
        if (lateMs_.empty())
            return 0.0;
        std::vector<double> sorted = lateMs_;
        std::sort(sorted.begin(), sorted.end());
        return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted.size())))];
    }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = -1;
    std::vector<double> lateMs_;
};
