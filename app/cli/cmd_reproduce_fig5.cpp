#include "cmd_reproduce_fig5.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include "aecnn/model/checkpoint.h"
#include "aecnn/error.h"
#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/latency_model.h"
#include "cmd_edge_agent_process.h"
#include "cmd_edge_run.h"
#include "cmd_reproduce_fig5_plot.h"
#include "cmd_reproduce_options.h"

namespace aecnn::cli {
namespace {

using edge::EdgeFrameResult;

struct LivePoint {
    int ratio = 0;
    double rateMbps = 0;
    EdgeRunResult run;
    double meanOf(double EdgeFrameResult::*field) const { return run.stage(field).mean; }
};

std::vector<double> logSpace(double lo, double hi, int n)
{
    std::vector<double> v;
    for (int i = 0; i < n; ++i)
        v.push_back(lo * std::pow(hi / lo, double(i) / (n - 1)));
    return v;
}

// Eq. 4 with this machine's measured component times and bytes for one V.
struct LiveModel {
    double bytes = 0, cmpMs = 0;
    double at(double rate) const { return latency::transmitMs(bytes, rate) + cmpMs; }
};

LiveModel liveModelOf(const std::vector<LivePoint>& points, int ratio)
{
    LiveModel m;
    int n = 0;
    for (const auto& p : points) {
        if (p.ratio != ratio)
            continue;
        m.bytes += p.run.bytes().mean;
        m.cmpMs += p.meanOf(&EdgeFrameResult::iotMs) + p.meanOf(&EdgeFrameResult::encMs) +
                   p.meanOf(&EdgeFrameResult::decMs) + p.meanOf(&EdgeFrameResult::esMs);
        ++n;
    }
    if (n > 0)
        m.bytes /= n, m.cmpMs /= n;
    return m;
}

QByteArray liveCsv(const std::vector<LivePoint>& points, int split, const QJsonObject& provenance)
{
    std::ostringstream out;
    out << "# Fig. 5 live points (aecnn reproduce fig5): a local aecnn-agent streams AECNN frames through its "
           "token-bucket uplink at each rate; the edge finishes them. Times in ms, means over the frames.\n"
        << "# predicted_ms: Eq. 4 per frame with that frame's measured t_iot, t_enc, t_dec, t_es and bytes at the set "
           "rate\n"
        << "# command: " << provenance.value("command").toString().toStdString() << "\n"
        << "# date: " << provenance.value("date").toString().toStdString()
        << "; machine: " << provenance.value("machine").toString().toStdString() << "\n"
        << "split,V,rate_mbps,frames,accuracy,bytes_per_frame,t_iot_ms,t_enc_ms,t_com_ms,t_dec_ms,t_es_ms,measured_ms,"
           "measured_median_ms,measured_p95_ms,predicted_ms,achieved_mbps\n";
    char line[512];
    for (const auto& p : points) {
        const double com = p.meanOf(&EdgeFrameResult::comMs);
        const double bytes = p.run.bytes().mean;
        const auto measured = p.run.stage(&EdgeFrameResult::measuredMs);
        std::snprintf(line, sizeof line,
                      "%d,%d,%g,%zu,%.4f,%.1f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f\n", split, p.ratio,
                      p.rateMbps, p.run.frames.size(), p.run.accuracy(), bytes, p.meanOf(&EdgeFrameResult::iotMs),
                      p.meanOf(&EdgeFrameResult::encMs), com, p.meanOf(&EdgeFrameResult::decMs),
                      p.meanOf(&EdgeFrameResult::esMs), measured.mean, measured.median, measured.p95,
                      p.meanOf(&EdgeFrameResult::predictedMs), com > 0 ? bytes * 8.0 / (com * 1000.0) : 0.0);
        out << line;
    }
    return QByteArray::fromStdString(out.str());
}

const int kColours[][3] = {{200, 80, 30}, {40, 140, 40}, {30, 30, 210}, {160, 40, 160}, {20, 160, 200}, {90, 90, 90}};

PlotSeries coloured(PlotSeries s, size_t i)
{
    const auto* c = kColours[i % (sizeof kColours / sizeof kColours[0])];
    s.blue = c[0], s.green = c[1], s.red = c[2];
    return s;
}

PlotPanel profilePanel(const latency::Fig5Curves& curves, const std::string& profileName)
{
    PlotPanel panel;
    panel.title = "latency model, profile " + profileName + ", split " + std::to_string(curves.split);
    size_t colour = 0;
    for (size_t v = 0; v < curves.ratios.size(); ++v) {
        const int ratio = curves.ratios[v];
        if (ratio != 1 && ratio != 4 && ratio != 16 && ratio != 64)
            continue; // a readable subset; the CSV has every V
        panel.series.push_back(coloured({ratio == 1 ? "AECNN 1x" : "AECNN V=" + std::to_string(ratio),
                                         curves.ratesMbps, curves.aecnnMs[v]},
                                        colour++));
    }
    panel.series.push_back(coloured({"local", curves.ratesMbps, curves.localMs}, colour++));
    const auto& full = curves.images.back();
    auto s = coloured({"full " + full.label(), curves.ratesMbps, curves.fullMs.back()}, colour++);
    s.dashed = true;
    panel.series.push_back(s);
    return panel;
}

PlotPanel livePanel(const std::vector<LivePoint>& points, const std::vector<int>& ratios, int split)
{
    PlotPanel panel;
    panel.title = "live on this machine, split " + std::to_string(split) + ": Eq. 4 (lines), measured (o)";
    const auto rates = logSpace(0.1, 100, 46);
    for (size_t i = 0; i < ratios.size(); ++i) {
        const auto model = liveModelOf(points, ratios[i]);
        PlotSeries line{"V=" + std::to_string(ratios[i]) + " Eq. 4", rates, {}};
        for (double r : rates)
            line.y.push_back(model.at(r));
        PlotSeries measured{"V=" + std::to_string(ratios[i]) + " measured", {}, {}};
        measured.markers = true;
        for (const auto& p : points)
            if (p.ratio == ratios[i]) {
                measured.x.push_back(p.rateMbps);
                measured.y.push_back(p.run.stage(&EdgeFrameResult::measuredMs).mean);
            }
        panel.series.push_back(coloured(line, i));
        panel.series.push_back(coloured(measured, i));
    }
    return panel;
}

} // namespace

std::vector<OptionSpec> fig5OptionSpecs()
{
    return {{"rates", "LIST", "fig5: shaped uplink rates of the live points, Mbps", "0.2,1,5,10,20"},
            {"live-ratios", "LIST", "fig5: V of the live points (models MODELS/split<L>-v<V>-aecnn.aecnn)", "4,16,64"},
            {"frames", "N", "fig5: frames per live point", "40"},
            {"profile", "P", "fig5: device profile of the model curves (pi4 or a JSON file)", "pi4"},
            {"agent", "PATH", "fig5: the aecnn-agent executable (default: next to aecnn)", ""}};
}

QJsonObject reproduceFig5(const ParsedArgs& args, CommandContext& context)
{
    const auto start = std::chrono::steady_clock::now();
    QDir out(QString::fromStdString(args.text("out")));
    if (!out.mkpath("."))
        throw Error("cannot create the output directory " + out.path().toStdString());
    const int split = args.integerList("splits", 1, 100).front();
    const auto ratios = args.integerList("live-ratios", 2, 4096);
    std::vector<double> rates;
    std::stringstream list(args.text("rates"));
    for (std::string item; std::getline(list, item, ',');) {
        size_t used = 0;
        double rate = 0;
        try {
            rate = std::stod(item, &used);
        } catch (const std::exception&) {
        }
        if (used != item.size() || !(rate > 0) || rate > 100000)
            throw UsageError("--rates: expected positive rates in Mbps, e.g. 0.5,1,5,20; got '" + item + "'");
        rates.push_back(rate);
    }
    if (rates.empty())
        throw UsageError("--rates needs at least one rate in Mbps");
    const int frames = args.integer("frames", 1, 100000);
    const QString models = args.has("models") ? QString::fromStdString(args.text("models")) : out.filePath("models");
    std::vector<QString> modelFiles;
    for (int v : ratios) {
        const QString file = QDir(models).filePath(QString("split%1-v%2-aecnn.aecnn").arg(split).arg(v));
        if (!QFileInfo::exists(file))
            throw UsageError("no AECNN model for split " + std::to_string(split) + ", V = " + std::to_string(v) +
                             " at " + file.toStdString() +
                             "; train them with aecnn reproduce table1 (--models DIR) or give --models DIR");
        modelFiles.push_back(file);
    }
    const auto profile = latency::loadDeviceProfile(args.text("profile"));
    const auto curves = latency::fig5Curves(profile, split, logSpace(0.1, 1000, 61), latency::defaultFig5Images());
    writeFileAtomically(out.filePath("fig5-model.csv"), QByteArray::fromStdString(latency::fig5Csv(curves)));

    const std::string dataset = args.text("dataset");
    LocalAgentProcess agent(args.has("agent") ? QString::fromStdString(args.text("agent")) : QString(), dataset, 1);
    *context.text << "agent " << agent.program().toStdString() << " on 127.0.0.1:" << agent.port() << ", " << dataset
                  << "\n";
    std::vector<LivePoint> points;
    for (size_t i = 0; i < ratios.size(); ++i) {
        for (double rate : rates) {
            EdgeRunRequest request;
            request.port = agent.port();
            request.modelPath = modelFiles[i];
            request.settings = {{"mode", "aecnn"}, {"rate_mbps", rate}, {"window", 1}, {"first_image", 0}};
            request.frames = static_cast<uint32_t>(frames);
            LivePoint point{ratios[i], rate, runEdge(request)};
            char line[256];
            std::snprintf(line, sizeof line,
                          "V=%-3d r=%6g Mbps: measured %8.3f ms, Eq. 4 %8.3f ms, %7.1f B/frame, accuracy %.4f\n",
                          point.ratio, rate, point.run.stage(&EdgeFrameResult::measuredMs).mean,
                          point.run.stage(&EdgeFrameResult::predictedMs).mean, point.run.bytes().mean,
                          point.run.accuracy());
            *context.text << line << std::flush;
            points.push_back(std::move(point));
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto provenance = runProvenance(context, seconds);
    writeFileAtomically(out.filePath("fig5-live.csv"), liveCsv(points, split, provenance));
    writeFileAtomically(out.filePath("fig5.png"),
                        plotLogLogPanels({profilePanel(curves, profile.name), livePanel(points, ratios, split)}));
    QJsonArray live;
    for (const auto& p : points)
        live.append(QJsonObject{{"V", p.ratio},
                                {"rate_mbps", p.rateMbps},
                                {"frames", static_cast<qint64>(p.run.frames.size())},
                                {"accuracy", p.run.accuracy()},
                                {"bytes_per_frame", p.run.bytes().mean},
                                {"measured_ms", toJson(p.run.stage(&EdgeFrameResult::measuredMs))},
                                {"predicted_ms", toJson(p.run.stage(&EdgeFrameResult::predictedMs))},
                                {"t_com_ms", toJson(p.run.stage(&EdgeFrameResult::comMs))}});
    QJsonObject json{{"figure", "fig5"},        {"split", split},         {"profile", QString::fromStdString(profile.name)},
                     {"dataset", QString::fromStdString(dataset)}, {"live", live}, {"provenance", provenance}};
    writeFileAtomically(out.filePath("fig5.json"), QJsonDocument(json).toJson());
    *context.text << "wrote " << out.filePath("fig5.png").toStdString() << ", fig5-model.csv, fig5-live.csv, fig5.json\n";
    return json;
}

} // namespace aecnn::cli
