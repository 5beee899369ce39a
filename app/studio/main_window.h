#pragma once

#include <QMainWindow>
#include <map>

#include "aecnn/widgets/channel_attention_view.h"

#include <optional>

#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/measured_profile.h"
#include "adaptive_ratio.h"
#include "agent_client.h"
#include "codec_choice.h"
#include "presentation_tour.h"
#include "startup_options.h"
#include "studio_config.h"
#include "tradeoff_profiles.h"
#include "training_request.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace aecnn::widgets {
class DeviceView;
class EntropyView;
class FeaturesView;
class LiveView;
class PlotView;
class TradeoffView;
} // namespace aecnn::widgets

namespace aecnn::studio {

class AnalysisController;
class ConnectionPanel;
class ControlsPanel;
class EdgeController;
class LiveFrameSampler;
class LocalAgent;
class RaceTab;
class TrainingController;
class TrainingPanel;
struct ReceivedFrame;

// The studio's window: builds the views and panels and wires them to three
// controllers, each owning one worker thread (edge, analysis, training). Closing the
// window stops and joins those threads.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const StartupOptions& options, QWidget* parent = nullptr);
    ~MainWindow() override;

    StudioConfig config() const { return config_; }
    ControlsPanel* controls() const { return controls_; }
    ConnectionPanel* connection() const { return connection_; }
    widgets::ChannelAttentionView* attentionView() const { return attention_; }
    widgets::LiveView* liveView() const { return live_; }
    widgets::EntropyView* entropyView() const { return entropy_; }
    widgets::TradeoffView* tradeoffView() const { return tradeoff_; }
    widgets::FeaturesView* featuresView() const { return features_; }
    widgets::DeviceView* deviceView() const { return device_; }
    RaceTab* raceTab() const { return race_; } // the race view and the device list (many agents)
    QString currentTab() const; // object name of the view shown
    // Presentation mode (--present): the tour and the caption of its current stop.
    TourPlayer* tourPlayer() const { return tour_; }
    QString captionText() const;
    // The best measured codec for a split and V (resources/results/codec-accuracy.csv).
    CodecChoice bestCodecFor(int split, int ratio) const;
    // Owns the edge thread (decoding, feature recovery and tail run there).
    EdgeController* edgeController() const { return edge_; }
    AgentClient::State agentState() const;
    QString deployedModelFile() const;
    LiveFrameSampler* liveFrameSampler() const { return sampler_; }
    TrainingPanel* trainingPanel() const { return training_; }
    TrainingController* trainingController() const { return trainer_; }
    AnalysisController* analysisController() const { return analysis_; }
    QString statusText() const;

    void computeAttention();
    void cancelWork();
    void startLocalAgent();
    void connectToAgent(const QString& host, quint16 port, const QByteArray& token);
    void configureAgent(const QJsonObject& settings);
    void startStream(quint32 frames = 0);
    void stopStream();
    // Trade-off views and adaptive V (main_window_tradeoffs.cpp): the device profile they
    // predict with (the chooser above Fig. 5 does the same).
    bool loadTradeoffProfile(const QString& path, QString* error = nullptr);
    void chooseTradeoffProfile(TradeoffProfiles::Source source);
    const TradeoffProfiles& tradeoffProfiles() const { return tradeoffProfiles_; }

Q_SIGNALS:
    void configApplied(const aecnn::studio::StudioConfig& config);
    void agentStateChanged(aecnn::studio::AgentClient::State state);
    void agentStreamEnded(quint64 frames, const QString& reason);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void setupViews();
    void setupSidePanel();
    void setupStatusBar();
    void buildMenus();
    void connectPanels();
    void connectAnalysis();
    void connectEdge();
    void connectTraining();
    void applyStartupConfig();
    void loadCodecAccuracy();
    void startPresentation();
    void applyTourStop(int index, const TourStop& stop);
    void refreshAttentionForTour(); // presentation: attention of the split on show
    void runStartupActions(); // --connect, --demo
    void shutdownControllers(); // stops and joins their threads
    void applyConfig(const StudioConfig& config);
    void updateTradeoffs();
    void connectTradeoffs();
    void refreshTradeoffProfile(); // the profile in effect changed: adaptive V, Fig. 5, source label
    QString tradeoffProfileKey(const StudioConfig& config) const;
    void loadTradeoffResults(const std::vector<widgets::Table1Row>& ours); // edge side, input-codec baseline
    void showInputBaseline(int source); // the input-codec baseline plot's measured set (28² or 224²)
    void loadTable1();
    void onFrame(const ReceivedFrame& frame);
    void onDeviceProfile(bool fromDevice, const QString& name, const QString& note, const QJsonObject& measured);
    latency::DeviceProfile liveProfile() const; // what the live predictions use (Eq. 1-4)
    void updatePredictionSource();
    void followMeasuredThroughput(const ReceivedFrame& frame);
    void onAgentReady();
    bool sendConfiguration(); // false when the mode cannot stream
    int splitChannels() const; // C of X_l at the chosen split, 0 = unknown
    QString modelFileForMode(QString* missing) const;     // what the chosen mode deploys
    void exportCurrent(bool csv);
    void showError(const QString& message);
    void restoreSettings();
    void saveSettings() const;
    void setBusy(bool busy, const QString& stage);
    void startTraining(const TrainingRequest& request);

    StartupOptions options_;
    StudioConfig config_;
    latency::DeviceProfile profile_; // live predictions without a connected device's profile (the Pi 4 table)
    TradeoffProfiles tradeoffProfiles_; // trade-off views and adaptive V: connected / file / Pi 4
    int inputBaselineSource_ = 0;       // index into the measured sets of main_window_tradeoffs.cpp
    // Live predictions: the connected agent's measured profile, else profile_ (fallback).
    std::optional<latency::MeasuredDeviceProfile> deviceProfile_;
    QString deviceProfileNote_ = QStringLiteral("no agent connected");
    // liveProfile() for the codec it was made for (rebuilt when the codec or profile changes).
    mutable std::optional<std::pair<QString, latency::DeviceProfile>> liveProfileCache_;
    int liveInputHeight_ = 0; // input size of the model the live frames were measured with
    int liveInputWidth_ = 0;
    AdaptiveRatioFollower adaptiveRatio_; // adaptive V from the live frames' measured throughput
    QTabWidget* tabs_;
    widgets::ChannelAttentionView* attention_;
    widgets::LiveView* live_;
    widgets::EntropyView* entropy_;
    widgets::TradeoffView* tradeoff_;
    widgets::FeaturesView* features_;
    widgets::DeviceView* device_;
    RaceTab* race_; // owns the race thread (core MultiEdge)
    ConnectionPanel* connection_;
    ControlsPanel* controls_;
    QLabel* status_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QPushButton* compute_;
    AnalysisController* analysis_;
    EdgeController* edge_;
    LiveFrameSampler* sampler_;
    LocalAgent* localAgent_;
    TrainingPanel* training_;
    TrainingController* trainer_;
    TourPlayer* tour_;
    QLabel* caption_; // presentation mode: what the audience is seeing
    std::vector<CodecAccuracyRow> codecAccuracy_;
    QString codecAccuracySource_;
    long long nextImage_ = 0;  // the agent's source position of the next frame (sent as first_image)
    int attentionSplit_ = 0;   // split of the channel attention shown, 0 = none
    // Presentation: attention computed per model and split, reused when the tour comes back.
    std::map<QString, widgets::AttentionData> attentionCache_;
    bool streamWhenReady_ = false; // configure, deploy and stream as soon as the agent is ready
};

} // namespace aecnn::studio
