// The trade-off tab's part of MainWindow: which device profile Fig. 5 and adaptive V predict
// with (TradeoffProfiles), and the committed results it shows next to them.
#include <QFileDialog>
#include <QLabel>
#include <iterator>

#include "aecnn/latency/latency_model.h"
#include "aecnn/latency/ratio_selection.h"
#include "aecnn/widgets/input_baseline_plot.h"
#include "aecnn/widgets/input_codec_baseline.h"
#include "aecnn/widgets/tradeoff_view.h"
#include "main_window.h"
#include "resource_paths.h"

namespace aecnn::studio {
namespace {

// The measured sets the input-codec baseline plot can show (issue 15, item 3): the input image
// sent as PNG / WebP / JPEG next to AECNN's frames, at Fashion-MNIST's own scale and at 224².
struct InputBaselineSource {
    const char* name;
    const char* inputCsv;    // under resources/
    const char* frontierCsv; // under resources/
    const char* what;        // how the AECNN rows were measured
};

constexpr InputBaselineSource kInputBaselineSources[] = {
    {QT_TRANSLATE_NOOP("aecnn::studio::MainWindow", "Fashion-MNIST 28 × 28 (demo and frontier models)"),
     "results/input-codec-baseline.csv", "results/frontier.csv",
     QT_TRANSLATE_NOOP("aecnn::studio::MainWindow", "AECNN, all bytes the agent sends per frame, live")},
    {QT_TRANSLATE_NOOP("aecnn::studio::MainWindow", "224 × 224 RGB, ResNet-50 width 0.125 (scale224.sh)"),
     "results/scale224/input-codec-baseline.csv", "results/scale224/frontier.csv",
     QT_TRANSLATE_NOOP("aecnn::studio::MainWindow", "AECNN, session-layout frames offline plus the protocol's bytes, first 1000 "
                                     "test images")},
};

} // namespace

void MainWindow::connectTradeoffs()
{
    QStringList sources;
    for (const auto& source : kInputBaselineSources)
        sources << tr(source.name);
    tradeoff_->inputBaseline()->setSources(sources, inputBaselineSource_);
    connect(tradeoff_->inputBaseline(), &widgets::InputBaselinePlot::sourceRequested, this,
            &MainWindow::showInputBaseline);
    connect(tradeoff_, &widgets::TradeoffView::profileChoiceRequested, this, [this](int choice) {
        if (choice == widgets::TradeoffView::ProfileFile) {
            const QString path = QFileDialog::getOpenFileName(
                this, tr("Device profile (aecnn-agent --profile)"), QString(), tr("Device profile (*.json)"));
            QString error;
            if (!path.isEmpty() && !loadTradeoffProfile(path, &error))
                showError(error);
            if (path.isEmpty() && tradeoffProfiles_.has(TradeoffProfiles::Source::File))
                chooseTradeoffProfile(TradeoffProfiles::Source::File);
            refreshTradeoffProfile(); // the chooser shows what is in effect
            return;
        }
        chooseTradeoffProfile(static_cast<TradeoffProfiles::Source>(choice));
    });
}

bool MainWindow::loadTradeoffProfile(const QString& path, QString* error)
{
    if (!tradeoffProfiles_.loadFile(path, error))
        return false;
    refreshTradeoffProfile();
    return true;
}

void MainWindow::chooseTradeoffProfile(TradeoffProfiles::Source source)
{
    tradeoffProfiles_.choose(source);
    refreshTradeoffProfile();
}

QString MainWindow::tradeoffProfileKey(const StudioConfig& config) const
{
    // A measured profile's t_enc and bits/element depend on the codec; the Pi 4 table's do not.
    const bool measured = tradeoffProfiles_.effective() != TradeoffProfiles::Source::Pi4;
    return QStringLiteral("%1/%2").arg(tradeoffProfiles_.revision()).arg(measured ? config.codec : QString());
}

void MainWindow::refreshTradeoffProfile()
{
    adaptiveRatio_.configure(config_, tradeoffProfiles_.profile(config_.codec), tradeoffProfileKey(config_));
    updateTradeoffs();
}

void MainWindow::updateTradeoffs()
{
    const auto source = tradeoffProfiles_.effective();
    tradeoff_->setProfileChoice(static_cast<widgets::TradeoffView::ProfileChoice>(source),
                                tradeoffProfiles_.has(TradeoffProfiles::Source::Connected),
                                tradeoffProfiles_.has(TradeoffProfiles::Source::File));
    tradeoff_->setProfileSource(tradeoffProfiles_.label(), tradeoffProfiles_.warning(liveInputHeight_, liveInputWidth_));
    try {
        const latency::DeviceProfile profile = tradeoffProfiles_.profile(config_.codec);
        std::vector<double> rates;
        for (double r = 0.1; r <= 1000.0 * 1.0001; r *= 1.25)
            rates.push_back(r);
        const latency::Fig5Curves curves =
            latency::fig5Curves(profile, config_.split, rates, latency::fig5ImagesFor(profile));
        int chosen = config_.ratio;
        if (config_.adaptiveRatio) {
            const auto choice = latency::selectRatio(profile, config_.split, config_.rateMbps, config_.deadlineMs);
            chosen = choice ? choice->ratio : 0;
        }
        tradeoff_->setFig5(curves, config_.deadlineMs, chosen);
    } catch (const std::exception& e) {
        tradeoff_->setFig5({}, config_.deadlineMs, 0); // no curves of another split or profile left standing
        status_->setText(tr("Fig. 5: %1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::showInputBaseline(int source)
{
    if (source < 0 || source >= static_cast<int>(std::size(kInputBaselineSources)))
        return;
    inputBaselineSource_ = source;
    const InputBaselineSource& set = kInputBaselineSources[source];
    tradeoff_->inputBaseline()->setCurrentSource(source);
    QString error;
    std::vector<widgets::InputCodecPoint> inputs;
    std::vector<widgets::FrontierPoint> frontier;
    const QString inputPath = resourceFile(QString::fromLatin1(set.inputCsv));
    const QString frontierPath = resourceFile(QString::fromLatin1(set.frontierCsv));
    if (!inputPath.isEmpty()) {
        if (auto rows = widgets::readInputCodecCsv(inputPath, &error))
            inputs = *rows;
        else
            status_->setText(error);
    }
    if (!frontierPath.isEmpty()) {
        if (auto rows = widgets::readFrontierCsv(frontierPath, &error))
            frontier = *rows;
        else
            status_->setText(error);
    }
    tradeoff_->inputBaseline()->setData(
        inputs, frontier,
        inputPath.isEmpty() && frontierPath.isEmpty()
            ? tr("%1 and %2 not found").arg(QString::fromLatin1(set.inputCsv), QString::fromLatin1(set.frontierCsv))
            : tr("measured: %1 (input image) and %2 (%3)")
                  .arg(inputPath.isEmpty() ? tr("(no %1)").arg(QString::fromLatin1(set.inputCsv)) : inputPath,
                       frontierPath.isEmpty() ? tr("(no %1)").arg(QString::fromLatin1(set.frontierCsv)) : frontierPath,
                       tr(set.what)));
}

void MainWindow::loadTradeoffResults(const std::vector<widgets::Table1Row>& ours)
{
    showInputBaseline(inputBaselineSource_);

    // The edge side of measured device profiles: this machine's bench-model times, Table I ours,
    // and the unsplit model's accuracy on the lossless inputs of the demo model's test set.
    QString error;
    double unsplit = 0.0;
    const QString inputPath = resourceFile(QString::fromLatin1(kInputBaselineSources[0].inputCsv));
    if (!inputPath.isEmpty()) {
        if (auto inputs = widgets::readInputCodecCsv(inputPath, &error)) {
            for (const auto& input : *inputs)
                if (input.lossless)
                    unsplit = input.accuracy;
        } else {
            status_->setText(error);
        }
    }
    const QString benchPath = resourceFile(QStringLiteral("results/bench-model.json"));
    if (!benchPath.isEmpty()) {
        if (auto edge = edgeSideFromResults(benchPath, ours, unsplit, &error))
            tradeoffProfiles_.setEdgeSide(std::move(edge),
                                          tr("t_es and whole model from results/bench-model.json, t_dec and accuracy "
                                             "from results/table1.csv"));
        else
            status_->setText(error);
    }
    refreshTradeoffProfile();
}

} // namespace aecnn::studio
