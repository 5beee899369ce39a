#include "race_tab.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "aecnn/widgets/race_view.h"
#include "analysis_worker.h"
#include "device_list.h"
#include "local_agent.h"
#include "split_model_lookup.h"
#include "studio_config.h"

namespace aecnn::studio {
namespace {

double raceMedian(std::vector<double> values, double q)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

} // namespace

QString RaceTab::shippedModelFor(const AgentRow& row)
{
    if (isSplitMode(row.mode)) {
        TrainingRequest request;
        request.split = row.split;
        request.ratio = row.ratio;
        return splitModelFile(request, row.mode);
    }
    return modelFileForSpec(QStringLiteral("default")); // full offloading (edge) and local computing (device)
}

RaceTab::RaceTab(const QString& dataset, QWidget* parent)
    : QWidget(parent), dataset_(dataset), resolver_(&RaceTab::shippedModelFor), list_(new DeviceList(this)),
      view_(new widgets::RaceView(this)), controller_(new MultiEdgeController(this)),
      preset_(new QPushButton(tr("Race preset"), this)), start_(new QPushButton(tr("Start race"), this)),
      stop_(new QPushButton(tr("Stop"), this)), export_(new QPushButton(tr("Export CSV..."), this)),
      frames_(new QSpinBox(this)), split_(new QSpinBox(this)), ratio_(new QSpinBox(this)), capture_(new QComboBox(this)),
      adaptive_(new QCheckBox(tr("adaptive V"), this)), deadline_(new QDoubleSpinBox(this))
{
    setObjectName(QStringLiteral("race"));
    csvRoot_ = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("race"));
    preset_->setObjectName(QStringLiteral("racePreset"));
    preset_->setToolTip(tr("Four local agents (AECNN, BottleNet++, full offloading, local computing) with the split and "
                           "V set here, the same images in the same order; the race starts when they listen."));
    start_->setObjectName(QStringLiteral("raceStart"));
    stop_->setObjectName(QStringLiteral("raceStop"));
    export_->setObjectName(QStringLiteral("raceExport"));
    frames_->setObjectName(QStringLiteral("raceFrames"));
    frames_->setRange(1, 1000000);
    frames_->setValue(200);
    split_->setRange(1, 64);
    split_->setValue(1);
    ratio_->setRange(1, 4096);
    ratio_->setValue(8);
    capture_->setObjectName(QStringLiteral("raceCaptureSize"));
    adaptive_->setObjectName(QStringLiteral("raceAdaptive"));
    adaptive_->setToolTip(tr("Switch each AECNN and BottleNet++ agent's V live, between frames, to the V whose predicted "
                             "completion time (Eq. 1-4 with the trade-off profile in effect, the agent's measured "
                             "rate and its frames' wait at this edge) fits the deadline; among the V of its split "
                             "that have a model. The frame CSVs record each frame's V (column ratio)."));
    deadline_->setObjectName(QStringLiteral("raceDeadline"));
    deadline_->setRange(0.1, 600000.0);
    deadline_->setDecimals(1);
    deadline_->setValue(100.0);
    deadline_->setSuffix(tr(" ms"));
    deadline_->setToolTip(tr("Adaptive V's deadline: the completion time each split-mode agent is kept within"));
    deadline_->setEnabled(false);
    connect(adaptive_, &QCheckBox::toggled, deadline_, &QWidget::setEnabled);
    capture_->addItems(raceCaptureSizes());
    auto updateNote = [this] {
        capture_->setToolTip(tr("Full offloading sends each captured image as JPEG at <b>%1</b>%2")
                                  .arg(capture_->currentText(),
                                       capture_->currentText() == QLatin1String("native") ? tr(" (the data set's own size)")
                                                                                          : QString()));
    };
    updateNote();
    connect(capture_, &QComboBox::currentTextChanged, this, [this, updateNote](const QString& size) {
        list_->setCaptureSize(size);
        updateNote();
    });

    // Two rows, so that the tab fits beside the configuration dock on a 1280-pixel screen.
    auto* settings = new QHBoxLayout;
    settings->addWidget(new QLabel(tr("split"), this));
    settings->addWidget(split_);
    settings->addWidget(new QLabel(tr("V"), this));
    settings->addWidget(ratio_);
    settings->addWidget(new QLabel(tr("frames"), this));
    settings->addWidget(frames_);
    settings->addWidget(new QLabel(tr("full offloading capture"), this));
    settings->addWidget(capture_);
    settings->addStretch(1);
    auto* actions = new QHBoxLayout;
    actions->addWidget(preset_);
    actions->addWidget(adaptive_);
    actions->addWidget(deadline_);
    actions->addStretch(1);
    actions->addWidget(start_);
    actions->addWidget(stop_);
    actions->addWidget(export_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(list_);
    layout->addLayout(settings);
    layout->addLayout(actions);
    layout->addWidget(view_, 1);

    connect(preset_, &QPushButton::clicked, this, &RaceTab::startPreset);
    connect(start_, &QPushButton::clicked, this, [this] {
        QString error;
        if (!startRace(&error))
            fail(error);
    });
    connect(stop_, &QPushButton::clicked, this, &RaceTab::stopRace);
    connect(export_, &QPushButton::clicked, this, &RaceTab::exportInteractive);
    connect(controller_, &MultiEdgeController::frameFinished, this, &RaceTab::onFrame);
    connect(controller_, &MultiEdgeController::finished, this, &RaceTab::onFinished);
    statsTimer_.setInterval(500);
    connect(&statsTimer_, &QTimer::timeout, this, &RaceTab::updateRowStats);
    setRacing(false);
}

RaceTab::~RaceTab()
{
    shutdown();
}

void RaceTab::setFrames(int frames)
{
    frames_->setValue(frames);
}

void RaceTab::setPresetSplit(int split, int ratio)
{
    split_->setValue(split);
    ratio_->setValue(ratio);
}

void RaceTab::setAdaptive(bool on, double deadlineMs)
{
    adaptive_->setChecked(on);
    deadline_->setValue(deadlineMs);
}

bool RaceTab::isAdaptive() const
{
    return adaptive_->isChecked();
}

void RaceTab::fillAdaptiveModels(AgentRow& row, const latency::DeviceProfile& profile) const
{
    row.ratioModels.clear();
    const auto split = std::find_if(profile.splits.begin(), profile.splits.end(),
                                    [&](const latency::SplitTiming& s) { return s.split == row.split; });
    if (split == profile.splits.end())
        return; // multiEdgeRequestOf names the missing split
    for (const auto& timing : split->ratios) {
        AgentRow other = row;
        other.ratio = timing.ratio;
        if (const QString model = resolver_ ? resolver_(other) : QString(); !model.isEmpty())
            row.ratioModels[timing.ratio] = model;
    }
}

QString RaceTab::switchesText(const edge::AgentRunResult& agent) const
{
    if (!agent.adaptiveError.isEmpty())
        return tr("; adaptive V: %1").arg(agent.adaptiveError);
    if (agent.switches.empty())
        return agent.adaptive ? tr("; adaptive V kept V = %1").arg(agent.frames.empty() ? 0 : agent.frames.back().ratio)
                              : QString();
    QStringList steps;
    for (const auto& s : agent.switches)
        steps << (s.firstFrame >= 0 ? tr("%1 → %2 at frame %3 (%4)").arg(s.fromRatio).arg(s.toRatio).arg(s.firstFrame).arg(s.why)
                                    : tr("%1 → %2 asked after the last frame (%3)").arg(s.fromRatio).arg(s.toRatio).arg(s.why));
    return tr("; adaptive V: %1").arg(steps.join(QStringLiteral(", ")));
}

QString RaceTab::captureSize() const
{
    return capture_->currentText();
}

bool RaceTab::isRacing() const
{
    return controller_->isRunning();
}

void RaceTab::shutdown()
{
    statsTimer_.stop();
    presetPending_ = false;
    controller_->shutdown();
    for (LocalAgent* agent : presetAgents_)
        agent->stop();
}

void RaceTab::fail(const QString& message)
{
    view_->setStatus(message);
    Q_EMIT errorOccurred(message);
}

void RaceTab::startPreset()
{
    if (isRacing()) {
        fail(tr("A race is running; stop it first"));
        return;
    }
    if (presetAgents_.empty())
        for (int i = 0; i < 4; ++i) {
            auto* agent = new LocalAgent(this);
            connect(agent, &LocalAgent::listening, this, &RaceTab::onPresetAgentListening);
            connect(agent, &LocalAgent::failed, this, [this](const QString& message) {
                presetPending_ = false;
                fail(tr("Race preset: %1").arg(message));
            });
            presetAgents_.push_back(agent);
        }
    presetPending_ = true;
    for (LocalAgent* agent : presetAgents_) {
        QString error;
        if (agent->isRunning() && agent->port() != 0)
            continue; // already listening: reused
        if (!agent->start(dataset_, &error)) {
            presetPending_ = false;
            fail(tr("Race preset: %1").arg(error));
            return;
        }
    }
    view_->setStatus(tr("Race preset: starting four local agents on %1...").arg(dataset_));
    onPresetAgentListening(); // all four may listen already
}

void RaceTab::onPresetAgentListening()
{
    if (!presetPending_)
        return;
    for (LocalAgent* agent : presetAgents_)
        if (agent->port() == 0)
            return;
    presetPending_ = false;
    std::vector<AgentRow> rows;
    for (size_t i = 0; i < presetAgents_.size(); ++i) {
        AgentRow row;
        row.port = presetAgents_[i]->port();
        row.mode = raceAgentModes()[static_cast<int>(i)];
        row.split = split_->value();
        row.ratio = ratio_->value();
        row.resolution = capture_->currentText();
        rows.push_back(row);
    }
    list_->setRows(rows);
    QString error;
    if (!startRace(&error))
        fail(error);
}

bool RaceTab::startRace(QString* error)
{
    auto rows = list_->rows(error);
    if (!rows)
        return false;
    QStringList codecs;
    for (AgentRow& row : *rows) {
        row.modelPath = resolver_ ? resolver_(row) : QString();
        if (isSplitMode(row.mode)) {
            row.codec = codecChooser_ ? codecChooser_(row.split, row.ratio) : codec_;
            if (!codecs.contains(row.codec))
                codecs << row.codec;
        }
    }
    RaceRequest race;
    if (adaptive_->isChecked()) {
        // One profile for the race, with the first split-mode row's codec (t_enc, bits per element);
        // the preset's rows share split, V and so codec, and a switched agent keeps its codec anyway.
        const QString codec = codecs.isEmpty() ? codec_ : codecs.front();
        RaceAdaptive adaptive;
        adaptive.profile = profileProvider_ ? profileProvider_(codec) : latency::raspberryPi4Profile();
        adaptive.deadlineMs = deadline_->value();
        for (AgentRow& row : *rows)
            if (isSplitMode(row.mode))
                fillAdaptiveModels(row, adaptive.profile);
        race.adaptive = std::move(adaptive);
    }
    race.rows = *rows;
    race.frames = static_cast<uint32_t>(frames_->value());
    race.codec = codec_;
    race.csvDir = QDir(csvRoot_).filePath(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz")));
    if (!QDir().mkpath(race.csvDir)) {
        *error = tr("Cannot create the folder %1 for the race's frame CSVs").arg(race.csvDir);
        return false;
    }
    if (!controller_->start(race, error))
        return false;
    racing_ = race.rows;
    clocks_.assign(racing_.size(), {});
    std::vector<widgets::Racer> racers;
    for (const AgentRow& row : racing_) {
        widgets::Racer racer;
        racer.mode = row.mode;
        racer.endpoint = row.endpoint();
        racer.capture = row.mode == QLatin1String("full") ? row.resolution : QStringLiteral("native");
        racers.push_back(racer);
    }
    view_->setRacers(racers);
    widgets::ExportContext context;
    context.split = racing_.front().split;
    context.ratio = racing_.front().ratio;
    context.mode = QStringLiteral("race");
    context.codec = codecs.isEmpty() ? codec_ : codecs.join(QStringLiteral(" "));
    context.rateMbps = racing_.front().rateMbps;
    view_->setExportContext(context);
    view_->setStatus(tr("Racing %1 agents over the same %2 frames of %3%4%5 (frame CSVs in %6)")
                         .arg(racing_.size())
                         .arg(race.frames)
                         .arg(dataset_,
                              codecs.isEmpty() ? QString() : tr("; split modes coded with %1").arg(codecs.join(", ")),
                              race.adaptive ? tr("; adaptive V within %1 ms (profile %2)")
                                                  .arg(race.adaptive->deadlineMs)
                                                  .arg(QString::fromStdString(race.adaptive->profile.name))
                                            : QString(),
                              race.csvDir));
    for (int r = 0; r < list_->rowCount(); ++r)
        list_->setStatus(r, tr("connecting, deploying"));
    setRacing(true);
    statsTimer_.start();
    return true;
}

void RaceTab::stopRace()
{
    controller_->stop();
}

void RaceTab::onFrame(const RaceFrame& f)
{
    if (f.agent < 0 || f.agent >= static_cast<int>(racing_.size()))
        return;
    const edge::EdgeFrameResult& frame = f.frame;
    RowClock& clock = clocks_[static_cast<size_t>(f.agent)];
    if (clock.firstMs < 0) {
        clock.firstMs = frame.receivedMs;
        list_->setStatus(f.agent, tr("streaming"));
    }
    clock.lastMs = frame.receivedMs;
    ++clock.frames;
    if (frame.ratio > 0 && clock.ratio > 0 && frame.ratio != clock.ratio)
        list_->setStatus(f.agent, tr("streaming at V = %1 (adaptive V: was %2)").arg(frame.ratio).arg(clock.ratio));
    clock.ratio = frame.ratio;
    widgets::RaceSample sample;
    sample.racer = f.agent;
    sample.frame = static_cast<long long>(frame.sequence);
    sample.label = frame.label;
    sample.predicted = frame.predicted;
    sample.bytes = static_cast<double>(frame.bytes);
    sample.measuredMs = frame.measuredMs;
    sample.predictedMs = frame.predictedMs;
    view_->addSample(sample);
}

void RaceTab::updateRowStats()
{
    for (size_t r = 0; r < clocks_.size(); ++r) {
        const RowClock& clock = clocks_[r];
        if (clock.frames == 0)
            continue;
        std::vector<double> measured;
        for (const auto& s : view_->stats().samples(static_cast<int>(r)))
            measured.push_back(s.measuredMs);
        const double span = clock.lastMs - clock.firstMs;
        const double fps = span > 0 ? static_cast<double>(clock.frames - 1) * 1000.0 / span : 0.0;
        list_->setStreaming(static_cast<int>(r), fps, raceMedian(measured, 0.5), raceMedian(measured, 0.95));
    }
}

void RaceTab::onFinished(const RaceOutcome& outcome)
{
    outcome_ = outcome;
    statsTimer_.stop();
    updateRowStats();
    view_->refresh();
    int failed = 0;
    for (size_t i = 0; i < outcome.agents.size() && i < static_cast<size_t>(list_->rowCount()); ++i) {
        const auto& a = outcome.agents[i];
        const int row = static_cast<int>(i);
        // The race's own numbers: frames/s over the common start, completion p50/p95.
        const auto c = a.completion();
        if (!a.frames.empty())
            list_->setStreaming(row, a.framesPerSecond(), c.median, c.p95);
        if (!a.error.isEmpty() && !outcome.stopped) {
            ++failed;
            list_->setStatus(row, tr("failed after %1 frames: %2").arg(a.frames.size()).arg(a.error));
        } else {
            list_->setStatus(row, (outcome.stopped ? tr("stopped after %1 frames") : tr("finished %1 frames"))
                                          .arg(a.frames.size()) +
                                      switchesText(a));
        }
    }
    view_->setStatus(tr("Race %1 in %2 s%3; frame CSVs in %4")
                         .arg(outcome.stopped ? tr("stopped") : tr("finished"))
                         .arg(outcome.wallMs / 1000.0, 0, 'f', 1)
                         .arg(failed ? tr(" (%1 agent(s) failed, see the device list)").arg(failed) : QString())
                         .arg(outcome.csvPaths.empty() ? QString() : QFileInfo(outcome.csvPaths.front()).path()));
    setRacing(false);
    Q_EMIT raceFinished(outcome);
}

void RaceTab::setRacing(bool racing)
{
    list_->setEditable(!racing);
    preset_->setEnabled(!racing);
    start_->setEnabled(!racing);
    stop_->setEnabled(racing);
    frames_->setEnabled(!racing);
    capture_->setEnabled(!racing);
    adaptive_->setEnabled(!racing);
    deadline_->setEnabled(!racing && adaptive_->isChecked());
}

bool RaceTab::exportCsv(const QString& path, QString* error, QStringList* written) const
{
    if (!view_->exportCsv(path, error))
        return false;
    if (written)
        *written << path;
    const QFileInfo target(path);
    for (size_t i = 0; i < outcome_.csvPaths.size(); ++i) {
        const QString source = outcome_.csvPaths[i];
        if (source.isEmpty() || !QFileInfo::exists(source))
            continue;
        const QString copy = target.dir().filePath(QStringLiteral("%1-%2").arg(target.completeBaseName(),
                                                                               QFileInfo(source).fileName().mid(5)));
        QFile::remove(copy);
        if (!QFile::copy(source, copy)) {
            if (error)
                *error = tr("Wrote %1, but cannot copy the frame CSV %2 to %3").arg(path, source, copy);
            return false;
        }
        if (written)
            *written << copy;
    }
    return true;
}

void RaceTab::exportInteractive()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export the race"), QStringLiteral("race.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    QString error;
    QStringList written;
    if (!exportCsv(path, &error, &written))
        fail(error);
    else
        view_->setStatus(tr("Exported %1").arg(written.join(QStringLiteral(", "))));
}

} // namespace aecnn::studio
