#pragma once

#include <QElapsedTimer>
#include <QStringList>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <memory>
#include <vector>

#include "multi_edge_controller.h"
#include "race_request.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace aecnn::widgets {
class RaceView;
}

namespace aecnn::studio {

class DeviceList;
class LocalAgent;

// The race tab: the device list, the race controls and the race view. The same frames
// (same data set, same first image, same order) through AECNN, BottleNet++, full
// offloading and local computing at once, one agent each, one edge (core MultiEdge in the
// race thread, see MultiEdgeController); per-agent frame CSVs are written during the race.
class RaceTab : public QWidget {
    Q_OBJECT
public:
    // The model the edge deploys for a row (empty = none): by default the shipped demo
    // split models of the default model (AECNN, BottleNet++) and the default model itself.
    using ModelResolver = std::function<QString(const AgentRow& row)>;
    static QString shippedModelFor(const AgentRow& row);

    explicit RaceTab(const QString& dataset, QWidget* parent = nullptr);
    ~RaceTab() override; // shutdown()

    void setModelResolver(ModelResolver resolver) { resolver_ = std::move(resolver); }
    void setFrames(int frames);
    void setPresetSplit(int split, int ratio);
    // The AECNN / BottleNet++ codec of a row's split and V (the studio: the best measured one);
    // unset = setCodec()'s for every row.
    using CodecChooser = std::function<QString(int split, int ratio)>;
    void setCodecChooser(CodecChooser chooser) { codecChooser_ = std::move(chooser); }
    void setCodec(const QString& codec) { codec_ = codec; }
    // Where the per-agent frame CSVs of the next races go (a folder per race below it).
    void setCsvRoot(const QString& dir) { csvRoot_ = dir; }
    // Adaptive V: the device profile its predictions use for a codec (the studio: the
    // trade-off profile in effect); unset = the paper's Raspberry Pi 4 table.
    using ProfileProvider = std::function<latency::DeviceProfile(const QString& codec)>;
    void setProfileProvider(ProfileProvider provider) { profileProvider_ = std::move(provider); }
    // Adaptive V for the next races: each AECNN / BottleNet++ agent switches V live to keep
    // its completion time within `deadlineMs`, among the V of its split that have a model.
    void setAdaptive(bool on, double deadlineMs);
    bool isAdaptive() const;

    // Race preset: four local agents (LocalAgent) on loopback, one per mode, the same split
    // and V, then the race starts as soon as all four listen.
    void startPreset();
    // Races the rows of the device list; false with *error when it cannot start.
    bool startRace(QString* error);
    void stopRace();
    void shutdown(); // stops the race and joins its thread, stops the local agents
    bool isRacing() const;

    // The summary (one row per mode) to `path`, and each agent's frame CSV next to it
    // ("<name>-agent1-aecnn.csv", ...); *written lists every file.
    bool exportCsv(const QString& path, QString* error, QStringList* written = nullptr) const;

    DeviceList* deviceList() const { return list_; }
    widgets::RaceView* view() const { return view_; }
    MultiEdgeController* controller() const { return controller_; }
    const RaceOutcome& lastOutcome() const { return outcome_; }
    QString captureSize() const;

Q_SIGNALS:
    void raceFinished(const aecnn::studio::RaceOutcome& outcome);
    void errorOccurred(const QString& message);

private:
    void onFrame(const RaceFrame& frame);
    void onFinished(const RaceOutcome& outcome);
    void onPresetAgentListening();
    void updateRowStats();
    void fillAdaptiveModels(AgentRow& row, const latency::DeviceProfile& profile) const;
    QString switchesText(const edge::AgentRunResult& agent) const;
    void setRacing(bool racing);
    void fail(const QString& message);
    void exportInteractive();

    QString dataset_;
    QString codec_ = QStringLiteral("uint8+zstd");
    QString csvRoot_;
    ModelResolver resolver_;
    CodecChooser codecChooser_;
    ProfileProvider profileProvider_;
    DeviceList* list_;
    widgets::RaceView* view_;
    MultiEdgeController* controller_;
    QPushButton* preset_;
    QPushButton* start_;
    QPushButton* stop_;
    QPushButton* export_;
    QSpinBox* frames_;
    QSpinBox* split_;
    QSpinBox* ratio_;
    QComboBox* capture_;
    QCheckBox* adaptive_;
    QDoubleSpinBox* deadline_;
    std::vector<LocalAgent*> presetAgents_;
    bool presetPending_ = false;
    std::vector<AgentRow> racing_; // the rows of the race on show
    struct RowClock {
        double firstMs = -1.0;
        double lastMs = 0.0;
        long long frames = 0;
        int ratio = 0; // the V of the last frame (adaptive V switches it)
    };
    std::vector<RowClock> clocks_;
    QTimer statsTimer_;
    RaceOutcome outcome_;
};

} // namespace aecnn::studio
