#include "main_window.h"

#include <QCloseEvent>
#include <QDockWidget>
#include <algorithm>
#include <QFile>
#include <QFileDialog>
#include <QGuiApplication>
#include <QFileInfo>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include "aecnn/latency/latency_model.h"
#include "aecnn/latency/ratio_selection.h"
#include "aecnn/widgets/channel_attention_view.h"
#include "aecnn/widgets/device_view.h"
#include "aecnn/widgets/entropy_view.h"
#include "aecnn/widgets/features_view.h"
#include "aecnn/widgets/live_view.h"
#include "aecnn/widgets/tradeoff_view.h"
#include "agent_client.h"
#include "analysis_controller.h"
#include "connection_panel.h"
#include "controls_panel.h"
#include "edge_controller.h"
#include "live_frame_sampler.h"
#include "local_agent.h"
#include "race_tab.h"
#include "split_model_lookup.h"
#include "sweep_panel.h"
#include "resource_paths.h"
#include "training_controller.h"
#include "training_panel.h"

namespace aecnn::studio {
namespace {

widgets::ExportContext exportContextOf(const StudioConfig& config)
{
    widgets::ExportContext context;
    context.model = config.model;
    context.split = config.split;
    context.ratio = config.ratio;
    context.mode = config.mode;
    context.codec = config.codec;
    context.rateMbps = config.rateMbps;
    return context;
}

// Studio mode names -> the agent's (app/agent/modes.cpp).
QString agentModeOf(const QString& mode)
{
    if (mode == QLatin1String("full-offloading"))
        return QStringLiteral("full");
    if (mode == QLatin1String("local") || mode == QLatin1String("aecnn") || mode == QLatin1String("bottlenetpp"))
        return mode;
    return {};
}

QByteArray readTokenFile(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QObject::tr("Cannot read the token file %1: %2").arg(path, file.errorString());
        return {};
    }
    return file.readAll().trimmed();
}

} // namespace

MainWindow::MainWindow(const StartupOptions& options, QWidget* parent)
    : QMainWindow(parent), options_(options), profile_(latency::raspberryPi4Profile()), tabs_(new QTabWidget(this)),
      attention_(new widgets::ChannelAttentionView), live_(new widgets::LiveView),
      entropy_(new widgets::EntropyView), tradeoff_(new widgets::TradeoffView),
      features_(new widgets::FeaturesView), device_(new widgets::DeviceView), race_(new RaceTab(options.dataset)), connection_(new ConnectionPanel), controls_(new ControlsPanel),
      status_(new QLabel(this)), progress_(new QProgressBar(this)), cancel_(new QPushButton(tr("Cancel"), this)),
      compute_(new QPushButton(tr("Compute channel attention (Fig. 4)"))), analysis_(new AnalysisController(this)),
      edge_(new EdgeController(this)), sampler_(new LiveFrameSampler(this)), localAgent_(new LocalAgent(this)),
      training_(new TrainingPanel), trainer_(new TrainingController(this)), tour_(new TourPlayer(this)),
      caption_(new QLabel)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("AECNN Studio"));
    qRegisterMetaType<StudioConfig>();
    setupViews();
    setupSidePanel();
    setupStatusBar();
    buildMenus();
    connectAnalysis();
    connectEdge();
    connectPanels();
    connectTraining();
    connectTradeoffs();
    applyStartupConfig();
    runStartupActions();
}

MainWindow::~MainWindow()
{
    shutdownControllers();
}

void MainWindow::shutdownControllers()
{
    analysis_->shutdown();
    trainer_->shutdown();
    edge_->shutdown();
    race_->shutdown();
}

void MainWindow::setupViews()
{
    attention_->setObjectName(QStringLiteral("attention"));
    live_->setObjectName(QStringLiteral("live"));
    entropy_->setObjectName(QStringLiteral("entropy"));
    tradeoff_->setObjectName(QStringLiteral("tradeoffs"));
    features_->setObjectName(QStringLiteral("features"));
    device_->setObjectName(QStringLiteral("device"));
    tabs_->addTab(attention_, tr("Channel attention"));
    tabs_->addTab(live_, tr("Live"));
    tabs_->addTab(entropy_, tr("Entropy"));
    tabs_->addTab(tradeoff_, tr("Trade-offs"));
    tabs_->addTab(features_, tr("Features"));
    tabs_->addTab(device_, tr("Device"));
    tabs_->addTab(race_, tr("Race"));
    auto* sweep = new SweepPanel; // its own controller; nothing shared with the other views
    sweep->setObjectName(QStringLiteral("sweep"));
    tabs_->addTab(sweep, tr("Sweep"));
    // The caption of presentation mode sits above the views (hidden otherwise).
    auto* central = new QWidget;
    auto* centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    caption_->setObjectName(QStringLiteral("caption"));
    caption_->setWordWrap(true);
    caption_->setTextFormat(Qt::RichText);
    caption_->setMargin(10);
    caption_->setStyleSheet(QStringLiteral("QLabel#caption { background: #20232a; color: white; }"));
    QFont captionFont = caption_->font();
    captionFont.setPointSizeF(captionFont.pointSizeF() * 1.25);
    caption_->setFont(captionFont);
    caption_->setVisible(options_.present);
    centralLayout->addWidget(caption_);
    centralLayout->addWidget(tabs_, 1);
    setCentralWidget(central);
    updatePredictionSource();
    if (auto* first = tabs_->findChild<QWidget*>(options_.tab); first && !options_.tab.isEmpty())
        tabs_->setCurrentWidget(first);
}

void MainWindow::setupSidePanel()
{
    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->addWidget(connection_);
    sideLayout->addWidget(controls_);
    compute_->setObjectName(QStringLiteral("computeAttention"));
    sideLayout->addWidget(compute_);
    sideLayout->addWidget(training_);
    sideLayout->addStretch(1);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(side);
    // A scroll area's own size hint is tiny, so the dock would open squashed with every label
    // cut; it opens as wide as the panel wants (the panel still scrolls vertically).
    // Capped so that the window still fits a 1280-pixel-wide projector.
    const int wanted = side->sizeHint().width() + scroll->verticalScrollBar()->sizeHint().width()
                       + 2 * scroll->frameWidth();
    scroll->setMinimumWidth(std::min(wanted, 400));
    auto* dock = new QDockWidget(tr("Agent and configuration"), this);
    dock->setObjectName(QStringLiteral("ConfigurationDock"));
    dock->setWidget(scroll);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
}

void MainWindow::setupStatusBar()
{
    statusBar()->addWidget(status_, 1);
    statusBar()->addPermanentWidget(progress_);
    statusBar()->addPermanentWidget(cancel_);
    progress_->setVisible(false);
    cancel_->setVisible(false);
}

void MainWindow::connectPanels()
{
    connect(compute_, &QPushButton::clicked, this, &MainWindow::computeAttention);
    connect(cancel_, &QPushButton::clicked, this, &MainWindow::cancelWork);
    connect(controls_, &ControlsPanel::configChanged, this, &MainWindow::applyConfig);
    connect(connection_, &ConnectionPanel::connectRequested, this, &MainWindow::connectToAgent);
    connect(connection_, &ConnectionPanel::startLocalAgentRequested, this, &MainWindow::startLocalAgent);
    connect(sampler_, &LiveFrameSampler::viewsReady, this,
            [this](const widgets::EntropyData& entropy, const widgets::FeatureFrame& features) {
                entropy_->setData(entropy);
                features_->setFrame(features);
            });
    connect(sampler_, &LiveFrameSampler::deviceFrameReady, device_, &widgets::DeviceView::setFrame);
    connect(tour_, &TourPlayer::stopReached, this, &MainWindow::applyTourStop);
    connect(controls_, &ControlsPanel::splitRowsChanged, this, [this] { sampler_->setSplitChannels(splitChannels()); });
    connect(live_, &widgets::LiveView::recordingChanged, this,
            [this](bool, const QString& message) { status_->setText(message); });
    connect(localAgent_, &LocalAgent::listening, this, [this](quint16 port) {
        connection_->setEndpoint(QStringLiteral("127.0.0.1"), port);
        connectToAgent(QStringLiteral("127.0.0.1"), port, {});
    });
    connect(localAgent_, &LocalAgent::failed, this, &MainWindow::showError);
    connect(race_, &RaceTab::errorOccurred, this, &MainWindow::showError);
    race_->setCodecChooser([this](int split, int ratio) { return bestCodecFor(split, ratio).codec; });
    race_->setProfileProvider([this](const QString& codec) { return tradeoffProfiles_.profile(codec); });
}

void MainWindow::connectAnalysis()
{
    connect(analysis_, &AnalysisController::progress, this, [this](const QString& stage, qint64 done, qint64 total) {
        setBusy(true, stage);
        progress_->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            progress_->setValue(static_cast<int>(1000 * done / total));
    });
    connect(analysis_, &AnalysisController::splitRowsReady, controls_, &ControlsPanel::setSplitRows);
    connect(analysis_, &AnalysisController::inputImagesReady, sampler_, &LiveFrameSampler::setInputImages);
    connect(analysis_, &AnalysisController::attentionReady, this, [this](const widgets::AttentionData& data) {
        attention_->setData(data);
        attentionSplit_ = data.split;
        if (options_.present)
            attentionCache_[QStringLiteral("%1@%2").arg(config_.model).arg(data.split)] = data;
        if (data.split == config_.split)
            sampler_->setAttention(data.datasetMean);
        status_->setText(tr("Channel attention computed at split %1 over %2 images").arg(data.split).arg(data.samples));
    });
    connect(analysis_, &AnalysisController::frameAnalyzed, this,
            [this](const widgets::EntropyData& entropy, const widgets::FeatureFrame& features) {
                entropy_->setData(entropy);
                features_->setFrame(features);
                setBusy(false, tr("Attention and example frame ready (split %1, V=%2)").arg(config_.split).arg(config_.ratio));
                refreshAttentionForTour();
            });
    connect(analysis_, &AnalysisController::failed, this, [this](const QString& message) {
        setBusy(false, message);
        showError(message);
    });
    connect(analysis_, &AnalysisController::cancelled, this, [this] { setBusy(false, tr("Cancelled")); });
}

void MainWindow::connectEdge()
{
    connect(connection_, &ConnectionPanel::disconnectRequested, edge_, &EdgeController::disconnectFromAgent);
    connect(edge_, &EdgeController::stateChanged, this, [this](AgentClient::State state, const QString& message) {
        connection_->setConnected(state != AgentClient::State::Disconnected, message);
        if (state == AgentClient::State::Ready && streamWhenReady_)
            onAgentReady();
        Q_EMIT agentStateChanged(state);
    });
    connect(edge_, &EdgeController::errorOccurred, this, &MainWindow::showError);
    connect(edge_, &EdgeController::configured, this, [this](bool ok, const QString& message, const QJsonObject&) {
        if (!ok)
            showError(tr("The agent refused the configuration: %1").arg(message));
    });
    connect(edge_, &EdgeController::deployed, this, [this](bool ok, const QString& message) {
        if (!ok) {
            showError(tr("Model deployment failed: %1").arg(message));
            return;
        }
        connection_->setStatus(tr("Model deployed (%1); streaming").arg(message));
        startStream(0);
    });
    connect(edge_, &EdgeController::frameReceived, this, &MainWindow::onFrame);
    connect(edge_, &EdgeController::deviceProfileChanged, this,
            [this](bool fromDevice, const QString& name, int, int, const QString& note, const QJsonObject& measured) {
                onDeviceProfile(fromDevice, name, note, measured);
            });
    connect(edge_, &EdgeController::streamEnded, this, [this](quint64 frames, const QString& reason) {
        connection_->setStatus(tr("Stream ended after %1 frames: %2").arg(frames).arg(reason));
        Q_EMIT agentStreamEnded(frames, reason);
    });
}

void MainWindow::applyStartupConfig()
{
    loadCodecAccuracy();
    training_->setDataset(options_.dataset);
    restoreSettings();
    StudioConfig initial = controls_->config();
    if (!options_.model.isEmpty())
        initial.model = options_.model;
    if (options_.demo) {
        // The shipped default model, whatever the last session used (unless --model is given).
        if (options_.model.isEmpty())
            initial.model = StudioConfig{}.model;
        // AECNN with the shipped demo split model: 8 of 64 channels, about 1.4 kB per frame;
        // the packed Table I model (full Algorithm 1), its accuracy on all 10,000 test images
        // in resources/models/demo/table1-models.csv (table1.csv: 90.77 %, unsplit 92.20 %).
        initial.split = 1;
        initial.ratio = 8;
        initial.mode = QStringLiteral("aecnn");
    }
    if (options_.split)
        initial.split = *options_.split;
    if (options_.ratio)
        initial.ratio = *options_.ratio;
    if (options_.demo) // the measured best coder and bit depth for the demo's split and V
        initial.codec = bestCodecFor(initial.split, initial.ratio).codec;
    controls_->setConfig(initial);
    applyConfig(controls_->config());
    loadTable1();
}

void MainWindow::runStartupActions()
{
    if (!options_.connectHost.isEmpty()) {
        QString error;
        const QByteArray token = options_.tokenFile.isEmpty() ? QByteArray() : readTokenFile(options_.tokenFile, &error);
        if (!error.isEmpty())
            showError(error);
        else
            connectToAgent(options_.connectHost, options_.connectPort, token);
    }
    if (!options_.recordFile.isEmpty()) {
        QString error;
        if (!live_->startRecording(options_.recordFile, &error))
            showError(error);
    }
    if (options_.demo) {
        computeAttention();
        startLocalAgent();
    }
    if (options_.present)
        startPresentation();
    if (options_.demo && options_.tab == QLatin1String("race"))
        race_->startPreset(); // the demo's race: four local agents, one per mode
}

void MainWindow::loadCodecAccuracy()
{
    codecAccuracySource_ = resourceFile(QStringLiteral("results/codec-accuracy.csv"));
    if (codecAccuracySource_.isEmpty())
        return; // bestCodecFor() says so and falls back to the built-in default
    QString error;
    codecAccuracy_ = readCodecAccuracy(codecAccuracySource_, &error);
    if (!error.isEmpty())
        status_->setText(tr("Codec accuracy: %1").arg(error));
}

CodecChoice MainWindow::bestCodecFor(int split, int ratio) const
{
    CodecChoice choice = bestMeasuredCodec(codecAccuracy_, split, ratio, StudioConfig{}.codec);
    choice.source = codecAccuracySource_;
    return choice;
}

QString MainWindow::currentTab() const
{
    return tabs_->currentWidget() ? tabs_->currentWidget()->objectName() : QString();
}

QString MainWindow::captionText() const
{
    return caption_->text();
}

void MainWindow::startPresentation()
{
    const QString path = options_.tourFile.isEmpty() ? resourceFile(QStringLiteral("presentation/tour.json"))
                                                     : options_.tourFile;
    QString error;
    const auto tour = path.isEmpty() ? std::nullopt : readTour(path, &error);
    if (!tour) {
        showError(path.isEmpty() ? tr("Presentation: no tour found (presentation/tour.json)") : error);
        return;
    }
    // The views take the screen; the caption says what is set (nothing of a presentation
    // is saved, see saveSettings).
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("ConfigurationDock")))
        dock->hide();
    tour_->start(*tour, options_.tourStepMs);
    // No one needs to be at the keyboard; a presenter may still step on or leave full screen.
    auto* nextStop = new QShortcut(QKeySequence(Qt::Key_Right), this);
    connect(nextStop, &QShortcut::activated, tour_, &TourPlayer::next);
    auto* leave = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(leave, &QShortcut::activated, this, &QWidget::showNormal);
}

// One tour stop: its split, V and link rate with the demo's AECNN models and the measured
// best codec, the view it names, and its caption with the settings in force.
void MainWindow::applyTourStop(int index, const TourStop& stop)
{
    StudioConfig next = config_;
    next.mode = QStringLiteral("aecnn");
    next.split = stop.split;
    next.ratio = stop.ratio;
    next.rateMbps = stop.rateMbps;
    next.adaptiveRatio = false;
    const CodecChoice codec = bestCodecFor(stop.split, stop.ratio);
    next.codec = codec.codec;
    controls_->setConfig(next); // configChanged -> applyConfig: redeploys and restarts the stream
    if (!stop.tab.isEmpty())
        if (auto* view = tabs_->findChild<QWidget*>(stop.tab))
            tabs_->setCurrentWidget(view);
    caption_->setText(tr("<b>%1 / %2</b> &nbsp; %3<br><small>split %4, V = %5, uplink %6 Mbps, codec %7%8</small>")
                          .arg(index + 1)
                          .arg(tour_->tour().stops.size())
                          .arg(stop.caption.toHtmlEscaped())
                          .arg(stop.split)
                          .arg(stop.ratio)
                          .arg(stop.rateMbps)
                          .arg(codec.codec)
                          .arg(codec.measured ? tr(" (measured best within 0.5 point of lossless)") : QString()));
    refreshAttentionForTour();
}

void MainWindow::refreshAttentionForTour()
{
    if (!options_.present || attentionSplit_ == config_.split)
        return;
    const auto cached = attentionCache_.find(QStringLiteral("%1@%2").arg(config_.model).arg(config_.split));
    if (cached != attentionCache_.end()) { // computed when the tour was here before
        attention_->setData(cached->second);
        attentionSplit_ = config_.split;
        sampler_->setAttention(cached->second.datasetMean);
        return;
    }
    // One request at a time: a short tour must not queue attention runs faster than they finish.
    if (!analysis_->isRunning())
        computeAttention();
}

AgentClient::State MainWindow::agentState() const
{
    return edge_->state();
}

QString MainWindow::deployedModelFile() const
{
    return edge_->deployedFile();
}

void MainWindow::configureAgent(const QJsonObject& settings)
{
    edge_->configure(settings);
}

void MainWindow::startStream(quint32 frames)
{
    edge_->start(frames);
}

void MainWindow::stopStream()
{
    edge_->stop();
}

int MainWindow::splitChannels() const
{
    for (const SplitRow& row : controls_->splitRows())
        if (row.point == config_.split)
            return row.channels;
    return 0;
}

QString MainWindow::statusText() const
{
    return status_->text();
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Export view data as CSV..."), this, [this] { exportCurrent(true); });
    file->addAction(tr("Export view plot as PNG/PDF..."), this, [this] { exportCurrent(false); });
    file->addAction(tr("Export Fig. 5 data as CSV..."), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export Fig. 5"), QStringLiteral("fig5.csv"));
        QString error;
        if (!path.isEmpty() && !tradeoff_->exportFig5Csv(path, &error))
            showError(error);
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), this, &QWidget::close);
    QMenu* agent = menuBar()->addMenu(tr("&Agent"));
    agent->addAction(tr("Start local agent"), this, &MainWindow::startLocalAgent);
    agent->addAction(tr("Stop stream"), this, &MainWindow::stopStream);
    agent->addAction(tr("Disconnect"), edge_, &EdgeController::disconnectFromAgent);
}

void MainWindow::applyConfig(const StudioConfig& config)
{
    adaptiveRatio_.configure(config, tradeoffProfiles_.profile(config.codec), tradeoffProfileKey(config));
    config_ = config;
    const widgets::ExportContext context = exportContextOf(config);
    for (widgets::PlotView* view : std::initializer_list<widgets::PlotView*>{attention_, live_, entropy_, tradeoff_,
                                                                             features_, device_})
        view->setExportContext(context);
    attention_->setRatio(config.ratio);
    training_->setTarget(config.model, config.split, config.ratio);
    sampler_->setCodec(config.codec);
    sampler_->setMode(config.mode); // names what rebuilt X_l: FR (AECNN) or the decoder (BottleNet++)
    if (config.split != attentionSplit_)
        sampler_->setAttention({}); // the attention shown must be of this split
    {
        const CodecChoice best = bestCodecFor(config.split, config.ratio);
        controls_->setCodecNote(best.codec == config.codec || !best.measured
                                    ? best.description()
                                    : best.description() + tr(" - in use: %1").arg(config.codec));
    }
    updateTradeoffs();
    // Redeploy without a restart: stop the stream, and when the agent reports the
    // end, configure (and deploy) again and restart it (see onAgentReady).
    sampler_->setSplitChannels(splitChannels());
    if (agentState() == AgentClient::State::Streaming) {
        streamWhenReady_ = true;
        stopStream();
        live_->clear();
        sampler_->clear();
    } else if (agentState() == AgentClient::State::Ready) {
        if (streamWhenReady_) // the last attempt found no model: try this configuration
            onAgentReady();
        else
            sendConfiguration();
    }
    Q_EMIT configApplied(config);
}

void MainWindow::loadTable1()
{
    QString error;
    std::vector<widgets::Table1Row> ours;
    std::vector<widgets::Table1Row> paper;
    QString paperPath = resourceFile(QStringLiteral("reference/table1-paper.csv"));
    if (paperPath.isEmpty())
        paperPath = resourceFile(QStringLiteral("reference/table1.csv"));
    if (!paperPath.isEmpty()) {
        if (auto rows = widgets::readTable1Csv(paperPath, &error))
            paper = *rows;
        else
            status_->setText(error);
    }
    const QString oursPath = resourceFile(QStringLiteral("results/table1.csv"));
    if (!oursPath.isEmpty()) {
        if (auto rows = widgets::readTable1Csv(oursPath, &error))
            ours = *rows;
        else
            status_->setText(error);
    }
    tradeoff_->setTable1(ours, paper);
    loadTradeoffResults(ours);
}

void MainWindow::computeAttention()
{
    AttentionRequest request;
    request.model = config_.model;
    request.dataset = options_.dataset;
    request.split = config_.split;
    request.ratio = config_.ratio;
    request.codec = config_.codec;
    if (analysis_->start(request))
        setBusy(true, tr("Computing channel attention at split %1").arg(config_.split));
}

void MainWindow::connectTraining()
{
    connect(training_, &TrainingPanel::trainRequested, this, &MainWindow::startTraining);
    connect(training_, &TrainingPanel::cancelRequested, trainer_, &TrainingController::cancel);
    connect(trainer_, &TrainingController::progress, training_, &TrainingPanel::showProgress);
    connect(trainer_, &TrainingController::finished, this, [this](const TrainingOutcome& outcome) {
        training_->showFinished(outcome);
        status_->setText(tr("Trained split %1, V=%2: %3").arg(outcome.split).arg(outcome.ratio).arg(outcome.summary()));
        const bool splitMode = isSplitMode(config_.mode);
        if (splitMode && outcome.split == config_.split && outcome.ratio == config_.ratio) {
            // Deploy the new model: restart the stream, or start the one that had no model.
            if (agentState() == AgentClient::State::Streaming) {
                streamWhenReady_ = true;
                stopStream();
            } else if (agentState() == AgentClient::State::Ready && streamWhenReady_) {
                onAgentReady();
            }
        }
    });
    connect(trainer_, &TrainingController::failed, this, [this](const QString& message) {
        training_->showStopped(message);
        showError(message);
    });
    connect(trainer_, &TrainingController::cancelled, this, [this] {
        training_->showStopped(tr("Training cancelled; finished stages are kept and reused by the next run"));
    });
}

void MainWindow::startTraining(const TrainingRequest& request)
{
    if (request.dataset.isEmpty()) {
        showError(tr("Training needs a data set: fashion-mnist, folder:DIR or synthetic:N"));
        return;
    }
    if (!trainer_->start(request)) {
        showError(tr("A training run is in progress; cancel it first"));
        return;
    }
    training_->showStarted();
    status_->setText(tr("Training split %1, V=%2 on %3").arg(request.split).arg(request.ratio).arg(request.dataset));
}

void MainWindow::cancelWork()
{
    analysis_->cancel();
}

void MainWindow::startLocalAgent()
{
    QString error;
    streamWhenReady_ = true;
    if (!localAgent_->start(options_.dataset, &error))
        showError(error);
    else
        connection_->setStatus(tr("Starting the local agent..."));
}

void MainWindow::connectToAgent(const QString& host, quint16 port, const QByteArray& token)
{
    edge_->connectToAgent(host, port, token);
}

void MainWindow::onAgentReady()
{
    streamWhenReady_ = false;
    if (!sendConfiguration())
        return;
    QString missing;
    const QString file = modelFileForMode(&missing);
    if (!missing.isEmpty()) {
        showError(missing);
        streamWhenReady_ = true; // stream as soon as a configuration has a model
        return;
    }
    if (file.isEmpty() || edge_->hasDeployed(file, config_.mode)) {
        startStream(0);
        return;
    }
    // Loading the model on the edge (LibTorch) happens in the edge thread; the
    // stream starts when the agent confirms the deployment (see connectEdge).
    connection_->setStatus(tr("Deploying %1...").arg(file));
    edge_->deploy(file, config_.mode);
}

QString MainWindow::modelFileForMode(QString* missing) const
{
    if (config_.mode == QLatin1String("local")) {
        const QString file = modelFileForSpec(config_.model);
        if (file.isEmpty())
            *missing = tr("Model %1 is not a single checkpoint file; cannot deploy it").arg(config_.model);
        return file;
    }
    if (isSplitMode(config_.mode)) {
        const QString file = splitModelFile(training_->request(), config_.mode);
        if (file.isEmpty())
            *missing = tr("There is no %1 model for split %2 at V=%3 yet: train it with \"Train split models\" "
                          "(or choose another split point or V)")
                           .arg(config_.mode)
                           .arg(config_.split)
                           .arg(config_.ratio);
        return file;
    }
    return {}; // full offloading: the agent sends images, nothing to deploy
}

bool MainWindow::sendConfiguration()
{
    const QString mode = agentModeOf(config_.mode);
    if (mode.isEmpty()) {
        connection_->setStatus(tr("The agent does not implement mode '%1'").arg(config_.mode));
        return false;
    }
    // window 1: the device starts a frame when the edge has finished the previous one, so the
    // live times are per-frame completion times (paper Eq. 4) and no backlog builds up in t_com.
    // first_image: the agent's source continues where the last frame left it (a redeployment
    // restarts its source), so the edge knows which data-set image each frame is (device view).
    QJsonObject settings{{QStringLiteral("mode"), mode},
                         {QStringLiteral("rate_mbps"), config_.rateMbps},
                         {QStringLiteral("window"), 1},
                         {QStringLiteral("first_image"), static_cast<double>(nextImage_)}};
    QString codecError;
    const QJsonObject codec = agentCodecSettings(config_.codec, &codecError);
    if (!codecError.isEmpty()) {
        connection_->setStatus(codecError);
        return false;
    }
    for (auto it = codec.begin(); it != codec.end(); ++it)
        settings.insert(it.key(), it.value());
    configureAgent(settings);
    return true;
}

void MainWindow::onFrame(const ReceivedFrame& frame)
{
    widgets::LiveSample sample;
    sample.sequence = static_cast<long long>(frame.sequence);
    sample.correct = frame.label >= 0 && frame.predicted >= 0 ? (frame.label == frame.predicted ? 1 : 0) : -1;
    sample.receivedMs = frame.receivedMs;
    sample.bytes = static_cast<double>(frame.bytes);
    sample.measured.iotMs = frame.iotMs;
    sample.measured.encMs = frame.encMs;
    sample.measured.comMs = std::max(0.0, frame.transferMs);
    sample.measured.decMs = frame.result.decMs;
    sample.measured.esMs = frame.result.esMs;
    sampler_->offer(frame.result, nextImage_++);
    followMeasuredThroughput(frame);
    if (frame.result.inputHeight != liveInputHeight_ || frame.result.inputWidth != liveInputWidth_) {
        liveInputHeight_ = frame.result.inputHeight;
        liveInputWidth_ = frame.result.inputWidth;
        updatePredictionSource();
        updateTradeoffs(); // its "not comparable" note names the input size measured here
    }
    try {
        const latency::DeviceProfile profile = liveProfile();
        latency::Prediction p;
        if (config_.mode == QLatin1String("local"))
            p = latency::predictLocal(profile);
        else if (const auto* measured = config_.mode == QLatin1String("full-offloading")
                                            ? profile.fullOffloadFor("native", 90) // the studio's stream settings
                                            : nullptr) {
            latency::FullOffloadTiming sent = *measured; // device side from the profile, this frame's bytes
            sent.bytes = static_cast<double>(frame.bytes);
            p = latency::predictFullOffloading(profile, sent, config_.rateMbps);
        } else if (config_.mode == QLatin1String("full-offloading"))
            p = latency::predictFullOffloading(profile, static_cast<double>(frame.bytes), config_.rateMbps);
        else
            p = latency::predictAecnn(profile, config_.split, config_.ratio, config_.rateMbps);
        if (deviceProfile_) {
            // A device profile holds the device-side terms only; the edge-side ones are this edge's own.
            p.decMs = frame.result.decMs;
            p.edgeMs = frame.result.esMs;
        }
        sample.predicted = {p.iotMs, p.encMs, p.comMs, p.decMs, p.edgeMs};
    } catch (const std::exception&) {
        // no prediction for this configuration: the bars show only the measurement
    }
    live_->appendSample(sample);
}

void MainWindow::onDeviceProfile(bool fromDevice, const QString& name, const QString& note, const QJsonObject& measured)
{
    deviceProfile_.reset();
    liveProfileCache_.reset();
    deviceProfileNote_ = note;
    if (fromDevice) {
        try {
            deviceProfile_ = latency::measuredProfileFromJson(measured);
        } catch (const std::exception& e) {
            deviceProfileNote_ = tr("the profile of '%1' is unusable (%2); predictions use the Pi 4 table")
                                     .arg(name, QString::fromUtf8(e.what()));
        }
    }
    updatePredictionSource();
    tradeoffProfiles_.setConnected(deviceProfile_, deviceProfileNote_);
    refreshTradeoffProfile();
}

latency::DeviceProfile MainWindow::liveProfile() const
{
    if (!deviceProfile_)
        return profile_;
    if (liveProfileCache_ && liveProfileCache_->first == config_.codec)
        return liveProfileCache_->second; // per frame on the UI thread: build it once per codec
    // The codec "<representation>+<coder>" ("uint8+zstd", "float32+zstd") picks t_enc and bits/element.
    const QStringList parts = config_.codec.split('+');
    const QString representation = parts.value(0);
    const int bits = representation.startsWith(QLatin1String("uint")) ? representation.mid(4).toInt() : 0;
    liveProfileCache_.emplace(config_.codec, latency::toLatencyProfile(*deviceProfile_, parts.value(1).toStdString(), bits));
    return liveProfileCache_->second;
}

// The live view always says which device and input size its predictions are for, and
// says so loudly when that is not what the bars next to them measured.
void MainWindow::updatePredictionSource()
{
    const auto profile = liveProfile();
    const QString label = QString::fromStdString(
        latency::predictionSourceLabel(profile, deviceProfile_.has_value(), liveInputHeight_, liveInputWidth_));
    live_->setPredictionSource(label, deviceProfileNote_);
}

// Adaptive V: when the measured uplink makes another V the best one, redeploy with it.
void MainWindow::followMeasuredThroughput(const ReceivedFrame& frame)
{
    const int ratio = adaptiveRatio_.observe(frame.bytes, frame.transferMs, config_.ratio);
    if (ratio == 0)
        return;
    StudioConfig next = config_;
    next.ratio = ratio;
    status_->setText(tr("adaptive V: %1 Mbps measured, V = %2").arg(adaptiveRatio_.estimatedMbps(), 0, 'f', 2).arg(ratio));
    controls_->setConfig(next);
    applyConfig(next);
}

void MainWindow::exportCurrent(bool csv)
{
    auto* view = qobject_cast<widgets::PlotView*>(tabs_->currentWidget());
    if (!view)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, csv ? tr("Export data") : tr("Export plot"), csv ? QStringLiteral("view.csv") : QStringLiteral("view.png"),
        csv ? tr("CSV (*.csv)") : tr("PNG (*.png);;PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!(csv ? view->exportCsv(path, &error) : view->exportPlot(path, &error)))
        showError(error);
    else
        status_->setText(tr("Exported %1").arg(path));
}

void MainWindow::showError(const QString& message)
{
    status_->setText(message);
    if (QGuiApplication::platformName() != QLatin1String("offscreen") && isVisible())
        QMessageBox::warning(this, tr("AECNN Studio"), message);
}

void MainWindow::setBusy(bool busy, const QString& stage)
{
    progress_->setVisible(busy);
    cancel_->setVisible(busy);
    status_->setText(stage);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("MainWindow.geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("MainWindow.state")).toByteArray());
    connection_->setEndpoint(settings.value(QStringLiteral("Connection.host"), QStringLiteral("127.0.0.1")).toString(),
                             static_cast<quint16>(settings.value(QStringLiteral("Connection.port"), 7878).toUInt()));
    StudioConfig config;
    config.model = settings.value(QStringLiteral("Controls.model"), config.model).toString();
    config.split = settings.value(QStringLiteral("Controls.split"), config.split).toInt();
    config.ratio = settings.value(QStringLiteral("Controls.ratio"), config.ratio).toInt();
    config.mode = settings.value(QStringLiteral("Controls.mode"), config.mode).toString();
    config.codec = settings.value(QStringLiteral("Controls.codec"), config.codec).toString();
    config.rateMbps = settings.value(QStringLiteral("Controls.rateMbps"), config.rateMbps).toDouble();
    config.deadlineMs = settings.value(QStringLiteral("Controls.deadlineMs"), config.deadlineMs).toDouble();
    config.adaptiveRatio = settings.value(QStringLiteral("Controls.adaptiveRatio"), config.adaptiveRatio).toBool();
    controls_->setConfig(config);
    TrainingBudget budget;
    budget.epochsCa = settings.value(QStringLiteral("Training.epochsCa"), budget.epochsCa).toDouble();
    budget.epochsFinetune = settings.value(QStringLiteral("Training.epochsFinetune"), budget.epochsFinetune).toDouble();
    budget.epochsFr = settings.value(QStringLiteral("Training.epochsFr"), budget.epochsFr).toDouble();
    budget.trainLimit = settings.value(QStringLiteral("Training.trainLimit"), budget.trainLimit).toInt();
    budget.bottleNet = settings.value(QStringLiteral("Training.bottleNet"), budget.bottleNet).toBool();
    training_->setBudget(budget);
}

void MainWindow::saveSettings() const
{
    if (options_.present)
        return; // the tour's last stop, full screen without the side panel: nothing to come back to
    QSettings settings;
    settings.setValue(QStringLiteral("MainWindow.geometry"), saveGeometry());
    settings.setValue(QStringLiteral("MainWindow.state"), saveState());
    settings.setValue(QStringLiteral("Connection.host"), connection_->host());
    settings.setValue(QStringLiteral("Connection.port"), connection_->port());
    settings.setValue(QStringLiteral("Controls.model"), config_.model);
    settings.setValue(QStringLiteral("Controls.split"), config_.split);
    settings.setValue(QStringLiteral("Controls.ratio"), config_.ratio);
    settings.setValue(QStringLiteral("Controls.mode"), config_.mode);
    settings.setValue(QStringLiteral("Controls.codec"), config_.codec);
    settings.setValue(QStringLiteral("Controls.rateMbps"), config_.rateMbps);
    settings.setValue(QStringLiteral("Controls.deadlineMs"), config_.deadlineMs);
    settings.setValue(QStringLiteral("Controls.adaptiveRatio"), config_.adaptiveRatio);
    const TrainingBudget budget = training_->budget();
    settings.setValue(QStringLiteral("Training.epochsCa"), budget.epochsCa);
    settings.setValue(QStringLiteral("Training.epochsFinetune"), budget.epochsFinetune);
    settings.setValue(QStringLiteral("Training.epochsFr"), budget.epochsFr);
    settings.setValue(QStringLiteral("Training.trainLimit"), budget.trainLimit);
    settings.setValue(QStringLiteral("Training.bottleNet"), budget.bottleNet);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveSettings();
    if (live_->isRecording())
        live_->stopRecording();
    shutdownControllers(); // cancels, disconnects, and joins their threads
    localAgent_->stop();
    event->accept();
}

} // namespace aecnn::studio
