#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <tuple>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>

#include "aecnn/model/checkpoint.h"
#include "cmd_reproduce_options.h"
#include "cmd_reproduce_fig5.h"
#include "cmd_reproduce_transmission.h"

namespace aecnn::cli {
namespace {

struct Table1Row {
    int split = 0, channels = 0, height = 0, width = 0, ratio = 0, kept = 0;
    double bottleNet = -1.0, caPruned = -1.0, aecnn = -1.0; // accuracy in %, -1 = not run
    TransmissionStats transmission;
    SplitModelCost cost;
};

std::string percent(double v)
{
    if (v < 0)
        return "";
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    return b;
}

QByteArray table1Csv(const std::vector<Table1Row>& rows, const Algorithm1Result& result, const QJsonObject& provenance)
{
    std::ostringstream out;
    out << "# Table I reproduction (aecnn reproduce table1); accuracies in % on " << result.baseEvaluated
        << " test images, single run (no std over repeats)\n"
        << "# unsplit baseline accuracy: " << percent(100.0 * result.baseAccuracy) << "\n"
        << "# entropy_bits: H0 per element of the AECNN transmitted tensor (8-bit per-channel uniform symbols), "
           "mean/std over images; enc_ms/dec_ms: quantize+encode / decode+dequantize one frame with the default codec "
           "on this machine\n"
        << "# command: " << provenance.value("command").toString().toStdString() << "\n"
        << "# date: " << provenance.value("date").toString().toStdString()
        << "; machine: " << provenance.value("machine").toString().toStdString() << "\n";
    out << "split,C,H,W,V,bottlenetpp_acc,ca_pruned_acc,aecnn_acc,kept_C,entropy_bits,entropy_std,enc_ms,dec_ms,"
           "frame_bytes,baseline_acc,head_macs,fr_macs,tail_macs\n";
    char line[512];
    for (const auto& r : rows) {
        std::snprintf(line, sizeof line, "%d,%d,%d,%d,%d,%s,%s,%s,%d,%.3f,%.3f,%.4f,%.4f,%.1f,%s,%lld,%lld,%lld\n",
                      r.split, r.channels, r.height, r.width, r.ratio, percent(r.bottleNet).c_str(),
                      percent(r.caPruned).c_str(), percent(r.aecnn).c_str(), r.kept, r.transmission.entropyBits,
                      r.transmission.entropyBitsStd, r.transmission.encodeMs, r.transmission.decodeMs,
                      r.transmission.frameBytes, percent(100.0 * result.baseAccuracy).c_str(),
                      static_cast<long long>(r.cost.headMacs), static_cast<long long>(r.cost.codecMacs),
                      static_cast<long long>(r.cost.tailMacs));
        out << line;
    }
    return QByteArray::fromStdString(out.str());
}

// The targets, checked on the measured numbers (never adjusted).
QByteArray targetReport(const std::vector<Table1Row>& rows, double baseline)
{
    std::ostringstream out;
    out << "# Table I targets (computed by aecnn reproduce table1)\n\n"
        << "| split | V | AECNN >= CA_Pruned | AECNN > BottleNet++ | AECNN loss vs unsplit |\n"
        << "|---|---|---|---|---|\n";
    char line[256];
    for (const auto& r : rows) {
        auto verdict = [](bool ok, double margin) {
            char b[64];
            std::snprintf(b, sizeof b, "%s (%+.2f)", ok ? "yes" : "NO", margin);
            return std::string(b);
        };
        const std::string vsCa = r.caPruned < 0 ? "n/a" : verdict(r.aecnn >= r.caPruned, r.aecnn - r.caPruned);
        const std::string vsBn = r.bottleNet < 0 ? "n/a" : verdict(r.aecnn > r.bottleNet, r.aecnn - r.bottleNet);
        std::snprintf(line, sizeof line, "| %d | %d | %s | %s | %.2f points |\n", r.split, r.ratio, vsCa.c_str(),
                      vsBn.c_str(), 100.0 * baseline - r.aecnn);
        out << line;
    }
    for (const auto& r : rows)
        if (r.split == 1 && r.ratio == 64) {
            const double loss = 100.0 * baseline - r.aecnn;
            std::snprintf(line, sizeof line, "\nSplit 1, V = 64: AECNN loses %.2f points against the unsplit model "
                                             "(target <= 3): %s\n",
                          loss, loss <= 3.0 ? "met" : "MISSED");
            out << line;
        }
    return QByteArray::fromStdString(out.str());
}

QJsonObject reproduceTable1(const ParsedArgs& args, CommandContext& context)
{
    const auto start = std::chrono::steady_clock::now();
    const QDir out(QString::fromStdString(args.text("out")));
    auto inputs = loadMethodInputs(args, context.text);
    auto options = algorithm1OptionsFor(args, inputs);
    const QString models = modelsDir(args, out);
    *context.text << "Table I: Algorithm 1 into " << models.toStdString() << " (resumable), " << context.threads
                  << " thread(s)\n";
    const auto result = runStoppableBySignal(options, models, [&] {
        return runAlgorithm1(inputs.base, inputs.data, options, models, context.progress, stageLogTo(context.text));
    });

    const int codecImages = args.integer("codec-images", 1, 1 << 20);
    const ImageSet test = options.evalLimit > 0 ? inputs.data.test.head(options.evalLimit) : inputs.data.test;
    std::map<std::pair<int, int>, Table1Row> byKey;
    for (const auto& e : result.entries) {
        auto& row = byKey[{e.split, e.ratio}];
        row.split = e.split;
        row.ratio = e.ratio;
        const double acc = 100.0 * e.accuracy;
        if (e.variant == SplitVariant::BottleNetPP) {
            row.bottleNet = acc;
            continue;
        }
        if (e.variant == SplitVariant::CaPruned) {
            row.caPruned = acc;
            continue;
        }
        row.aecnn = acc;
        row.cost = e.cost;
        row.height = e.cost.featureHeight;
        row.width = e.cost.featureWidth;
        auto model = loadAecnnClassifierFile(e.path);
        row.channels = model.net->featureChannels();
        row.kept = model.net->transmittedChannels();
        *context.text << "split " << e.split << ", V " << e.ratio << ": measuring the transmitted tensor on "
                      << std::min<int64_t>(codecImages, test.size()) << " images\n";
        row.transmission = measureTransmission(*model.net, test, codecImages);
    }
    std::vector<Table1Row> rows;
    for (const auto& [key, row] : byKey)
        rows.push_back(row);

    auto provenance =
        runProvenance(context, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    writeFileAtomically(out.filePath("table1.csv"), table1Csv(rows, result, provenance));
    writeFileAtomically(out.filePath("table1-targets.md"), targetReport(rows, result.baseAccuracy));
    auto json = toJson(result);
    json.insert("provenance", provenance);
    json.insert("batch", inputs.batch.toJson());
    insertDeviceJson(json, args, options.caTraining.device);
    QJsonArray table;
    for (const auto& r : rows)
        table.append(QJsonObject{{"split", r.split},
                                 {"C", r.channels},
                                 {"H", r.height},
                                 {"W", r.width},
                                 {"V", r.ratio},
                                 {"bottlenetpp_acc", r.bottleNet},
                                 {"ca_pruned_acc", r.caPruned},
                                 {"aecnn_acc", r.aecnn},
                                 {"kept_C", r.kept},
                                 {"entropy_bits", r.transmission.entropyBits},
                                 {"entropy_std", r.transmission.entropyBitsStd},
                                 {"enc_ms", r.transmission.encodeMs},
                                 {"dec_ms", r.transmission.decodeMs},
                                 {"frame_bytes", r.transmission.frameBytes}});
    json.insert("table1", table);
    writeFileAtomically(out.filePath("table1.json"), QJsonDocument(json).toJson(QJsonDocument::Indented));

    printAlgorithm1Table(*context.text, result);
    *context.text << "wrote " << out.filePath("table1.csv").toStdString() << ", table1-targets.md, table1.json\n";
    return json;
}

QJsonObject runReproduce(const ParsedArgs& args, CommandContext& context)
{
    if (args.positional().size() != 1)
        throw UsageError("name what to reproduce: 'table1', 'fig4' or 'fig5'");
    if (args.text("out").empty())
        throw UsageError("--out DIR is required (trained models go to DIR/models; reruns resume from there)");
    const std::string what = args.positional().front();
    QJsonObject json;
    if (what == "table1")
        json = reproduceTable1(args, context);
    else if (what == "fig4")
        json = reproduceFig4(args, context);
    else if (what == "fig5")
        json = reproduceFig5(args, context);
    else
        throw UsageError("cannot reproduce '" + what + "'; valid: table1, fig4, fig5");
    json.insert("memory", peakRssJson());
    printPeakRss(*context.text);
    return json;
}

} // namespace

Command reproduceCommand()
{
    auto options = algorithm1OptionSpecs("1,2", "2,4,8,16,32,64");
    options.insert(options.begin(), {"codec-images", "N", "test images for the entropy and codec timing columns", "200"});
    options.insert(options.begin(), {"models", "DIR", "where trained models are kept and resumed (default: OUT/models)", ""});
    options.insert(options.begin(), {"out", "DIR", "output directory for CSV, PNG, JSON", ""});
    options.insert(options.begin(), datasetOption());
    options.insert(options.begin(), modelOption());
    for (auto& option : fig5OptionSpecs())
        options.push_back(option);
    return {"reproduce",
            "reproduce the paper's Table I (reproduce table1), Fig. 4 (reproduce fig4; uses the first --splits) or Fig. 5 "
            "(reproduce fig5: latency-model curves + live points from a local agent; --models DIR with split<L>-v<V>-aecnn)",
            options, 1, runReproduce};
}

} // namespace aecnn::cli
