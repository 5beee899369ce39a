#pragma once

#include <QMainWindow>
#include <QThread>

#include "aecnn/latency/device_profile.h"
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
    AgentClient* agentClient() const { return client_; }
    TrainingPanel* trainingPanel() const { return training_; }
    TrainingController* trainingController() const { return trainer_; }
    QString statusText() const;

    void computeAttention();
    void cancelWork();
    void startLocalAgent();
    void connectToAgent(const QString& host, quint16 port, const QByteArray& token);

Q_SIGNALS:
    void configApplied(const aecnn::studio::StudioConfig& config);
    void requestAttention(const aecnn::studio::AttentionRequest& request);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void applyConfig(const StudioConfig& config);
    void updateTradeoffs();
    void loadTable1();
    void onFrame(const ReceivedFrame& frame);
    void onAgentReady();
    void sendConfiguration();
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
    AgentClient* client_;
    LocalAgent* localAgent_;
    TrainingPanel* training_;
    TrainingController* trainer_;
    bool streamWhenReady_ = false;
    QString deployedModel_; // model spec the connected agent has loaded
};

} // namespace aecnn::studio
