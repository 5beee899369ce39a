#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QTimer>
#include <optional>
#include <vector>

class QApplication;

namespace aecnn::studio {

// One stop of the presentation tour: the settings it applies and what the audience sees.
struct TourStop {
    int split = 1;
    int ratio = 8;          // V
    double rateMbps = 10.0; // uplink rate r
    QString tab;            // view shown: attention, live, entropy, tradeoffs, features, device
    QString caption;
};

struct Tour {
    int stepMs = 20000; // time at each stop
    std::vector<TourStop> stops;
};

// Reads a tour (resources/presentation/tour.json):
//   {"step_ms": 20000, "stops": [{"split": 1, "ratio": 8, "rate_mbps": 10, "tab": "device",
//                                 "caption": "..."}, ...]}
// Nothing, with *error naming the file and the problem, when it is unusable.
std::optional<Tour> readTour(const QString& path, QString* error);

// Steps through a tour by timer, forever (no one at the keyboard): stop 0 at start(),
// then one stop every step; after the last, the first again.
class TourPlayer : public QObject {
    Q_OBJECT
public:
    explicit TourPlayer(QObject* parent = nullptr);

    // stepMs > 0 replaces the tour's own step (--tour-step-ms).
    void start(const Tour& tour, int stepMs = 0);
    void stop();
    void next(); // the next stop now (a presenter's key); the timer keeps its rhythm
    bool isRunning() const { return timer_.isActive(); }
    const Tour& tour() const { return tour_; }
    int currentIndex() const { return index_; }
    long long stopsReached() const { return reached_; } // since start()
    int stepMs() const { return timer_.interval(); }

Q_SIGNALS:
    void stopReached(int index, const aecnn::studio::TourStop& stop);

private:
    Tour tour_;
    QTimer timer_;
    int index_ = -1;
    long long reached_ = 0;
};

// Large fonts for presentation mode: the application font scaled by `factor`.
void applyPresentationFont(QApplication& app, double factor = 1.6);

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::TourStop)
