#pragma once

#include <QMainWindow>
#include <QThread>
#include <functional>
#include <memory>

#include "aecnn/latency/device_profile.h"
#include "adaptive_ratio.h"
#include "agent_client.h"
#include "startup_options.h"
#include "studio_config.h"
#include "training_request.h"

class QLabel;
class QProgressBar;
class QPushButton;
class QTabWidget;

namespace aecnn::widgets {
class ChannelAttentionView;
class EntropyView;
class FeaturesView;
class LiveView;
class PlotView;
class TradeoffView;
struct AttentionData;
} // namespace aecnn::widgets

namespace aecnn::studio {

class AgentClient;
class AnalysisWorker;
class ConnectionPanel;
class ControlsPanel;
class LiveFrameSampler;
class LocalAgent;
class TrainingController;
class TrainingPanel;
struct ReceivedFrame;
struct AttentionRequest;

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
    // Lives in the edge thread (decoding, feature recovery and tail run there): call
    // it through configureAgent() / startStream() / stopStream(), or queued.
    AgentClient* agentClient() const { return client_; }
    AgentClient::State agentState() const { return agentState_; }
    QString deployedModelFile() const { return deployedFile_; }
    LiveFrameSampler* liveFrameSampler() const { return sampler_; }
    TrainingPanel* trainingPanel() const { return training_; }
    TrainingController* trainingController() const { return trainer_; }
    QString statusText() const;

    void computeAttention();
    void cancelWork();
    void startLocalAgent();
    void connectToAgent(const QString& host, quint16 port, const QByteArray& token);
    void configureAgent(const QJsonObject& settings);
    void startStream(quint32 frames = 0);
    void stopStream();

Q_SIGNALS:
    void configApplied(const aecnn::studio::StudioConfig& config);
    void requestAttention(const aecnn::studio::AttentionRequest& request);
    void agentStateChanged(aecnn::studio::AgentClient::State state);
    void agentStreamEnded(quint64 frames, const QString& reason);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void applyConfig(const StudioConfig& config);
    void updateTradeoffs();
    void loadTable1();
    void onFrame(const ReceivedFrame& frame);
    void followMeasuredThroughput(const ReceivedFrame& frame);
    void onAgentReady();
    bool sendConfiguration(); // false when the mode cannot stream
    int splitChannels() const; // C of X_l at the chosen split, 0 = unknown
    void onEdge(std::function<void(AgentClient&)> call); // runs `call` in the edge thread
    QString modelFileForMode(QString* missing) const;     // what the chosen mode deploys
    void connectAgentClient();
    void exportCurrent(bool csv);
    void showError(const QString& message);
    void restoreSettings();
    void saveSettings() const;
    void setBusy(bool busy, const QString& stage);
    void connectTraining();
    void startTraining(const TrainingRequest& request);

    StartupOptions options_;
    StudioConfig config_;
    latency::DeviceProfile profile_;
    AdaptiveRatioFollower adaptiveRatio_; // adaptive V from the live frames' measured throughput
    QTabWidget* tabs_;
    widgets::ChannelAttentionView* attention_;
    widgets::LiveView* live_;
    widgets::EntropyView* entropy_;
    widgets::TradeoffView* tradeoff_;
    widgets::FeaturesView* features_;
    ConnectionPanel* connection_;
    ControlsPanel* controls_;
    QLabel* status_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QThread workerThread_;
    AnalysisWorker* worker_;
    QThread edgeThread_;
    AgentClient* client_ = nullptr;
    AgentClient::State agentState_ = AgentClient::State::Disconnected;
    LiveFrameSampler* sampler_;
    LocalAgent* localAgent_;
    TrainingPanel* training_;
    TrainingController* trainer_;
    bool streamWhenReady_ = false;
    QString deployedFile_;  // model file the connected agent has loaded (with deployedMode_)
    QString deployedMode_;
    QString pendingFile_;   // being deployed
};

} // namespace aecnn::studio
