#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include "aecnn/error.h"
#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/latency_model.h"
#include "aecnn/latency/ratio_selection.h"
#include "command.h"

namespace aecnn::cli {
namespace {

using namespace aecnn::latency;

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, ','))
        if (!item.empty())
            items.push_back(item);
    return items;
}

double parsePositive(const std::string& text, const std::string& what)
{
    size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || !(value > 0) || !std::isfinite(value))
        throw UsageError(what + ": expected a positive number, got '" + text + "'");
    return value;
}

std::vector<double> parseRates(const std::string& text)
{
    std::vector<double> rates;
    for (const auto& item : splitList(text))
        rates.push_back(parsePositive(item, "--rates"));
    if (rates.empty())
        throw UsageError("--rates needs at least one rate in Mbps, e.g. 1,10,100");
    return rates;
}

// WxH:BYTES gives the JPEG size; WxH the size the profile measured at that capture size
// (a measured device profile's "jpeg"), else the paper's 1920x1080 = 200 KB density.
std::vector<ImageSize> parseImages(const std::string& text, const DeviceProfile& profile)
{
    std::vector<ImageSize> images;
    for (const auto& item : splitList(text)) {
        const auto colon = item.find(':');
        const std::string dims = item.substr(0, colon);
        const auto x = dims.find('x');
        int w = 0, h = 0;
        if (x == std::string::npos || std::sscanf(dims.c_str(), "%dx%d", &w, &h) != 2 || w <= 0 || h <= 0)
            throw UsageError("--images: expected WxH or WxH:BYTES, got '" + item + "'");
        ImageSize image = imageAtPaperDensity(w, h);
        if (const FullOffloadTiming* measured = profile.fullOffloadAt(w, h))
            image.bytes = measured->bytes;
        if (colon != std::string::npos)
            image.bytes = parsePositive(item.substr(colon + 1), "--images bytes of " + dims);
        images.push_back(image);
    }
    if (images.empty())
        throw UsageError("--images needs at least one image size");
    return images;
}

QJsonObject crossoverJson(const Crossover& c)
{
    static const char* kinds[] = {"below", "above", "always", "never"};
    return {{"kind", kinds[static_cast<int>(c.kind)]}, {"rate_mbps", c.rateMbps}};
}

void writeText(const std::string& path, const std::string& text)
{
    QSaveFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::WriteOnly) || file.write(text.data(), qint64(text.size())) != qint64(text.size()) ||
        !file.commit())
        throw Error("cannot write '" + path + "': " + file.errorString().toStdString());
}

std::string curveHeader(const Fig5Curves& curves, const std::vector<ImageSize>& images)
{
    char line[512];
    std::string header = "   rate_Mbps";
    for (int v : curves.ratios) {
        std::snprintf(line, sizeof line, " %9s", (v == 1 ? std::string("V=1x") : "V=" + std::to_string(v)).c_str());
        header += line;
    }
    header += "     local";
    for (const auto& image : images) {
        std::snprintf(line, sizeof line, " %9s", ("full_" + image.label()).c_str());
        header += line;
    }
    return header;
}

// One row per rate: AECNN at every V, local, full offloading of every image.
QJsonObject curveRow(std::ostream& out, const Fig5Curves& curves, const std::vector<ImageSize>& images, double rate,
                     size_t i)
{
    char line[512];
    std::snprintf(line, sizeof line, "%12g", rate);
    out << line;
    QJsonObject row{{"rate_mbps", rate}};
    QJsonObject aecnn;
    for (size_t v = 0; v < curves.ratios.size(); ++v) {
        std::snprintf(line, sizeof line, " %9.2f", curves.aecnnMs[v][i]);
        out << line;
        aecnn[QString::number(curves.ratios[v])] = curves.aecnnMs[v][i];
    }
    std::snprintf(line, sizeof line, " %9.2f", curves.localMs[i]);
    out << line;
    QJsonObject full;
    for (size_t m = 0; m < images.size(); ++m) {
        std::snprintf(line, sizeof line, " %*.2f", int(std::max<size_t>(9, images[m].label().size() + 5)),
                      curves.fullMs[m][i]);
        out << line;
        full[QString::fromStdString(images[m].label())] = curves.fullMs[m][i];
    }
    out << "\n";
    row["aecnn_ms"] = aecnn;
    row["local_ms"] = curves.localMs[i];
    row["full_ms"] = full;
    return row;
}

QJsonArray curveTable(std::ostream& out, const Fig5Curves& curves, const std::vector<double>& rates,
                      const std::vector<ImageSize>& images, int split)
{
    out << "completion time (ms) at split " << split << ", Eq. 4\n";
    out << curveHeader(curves, images) << "\n";
    QJsonArray rows;
    for (size_t i = 0; i < rates.size(); ++i)
        rows.append(curveRow(out, curves, images, rates[i], i));
    return rows;
}

QJsonArray crossoverTable(std::ostream& out, const DeviceProfile& profile, int split, const Fig5Curves& curves,
                          const std::vector<ImageSize>& images)
{
    char line[512];
    out << "\ncrossover against full offloading (AECNN faster below the rate)\n";
    QJsonArray crossovers;
    for (const auto& image : images) {
        out << "  " << image.label() << " (" << static_cast<long long>(image.bytes) << " B):";
        QJsonObject perRatio;
        for (int v : curves.ratios) {
            const auto c = crossoverRate(profile, split, v, image);
            perRatio[QString::number(v)] = crossoverJson(c);
            if (c.kind == Crossover::Kind::BelowRate)
                std::snprintf(line, sizeof line, " V=%d %.2f", v, c.rateMbps);
            else
                std::snprintf(line, sizeof line, " V=%d %s", v, describe(c).c_str());
            out << line;
        }
        out << "\n";
        crossovers.append(QJsonObject{{"image", QString::fromStdString(image.label())},
                                      {"bytes", image.bytes},
                                      {"by_ratio", perRatio}});
    }
    return crossovers;
}

QJsonArray deadlineChoices(std::ostream& out, const DeviceProfile& profile, int split, const std::vector<double>& rates,
                           double deadline)
{
    char line[512];
    std::snprintf(line, sizeof line, "\nmost accurate V meeting a %g ms deadline\n", deadline);
    out << line;
    QJsonArray choices;
    for (double r : rates) {
        const auto choice = selectRatio(profile, split, r, deadline);
        if (choice) {
            std::snprintf(line, sizeof line, "  %8g Mbps: V=%-3d %7.2f ms  accuracy %.2f%%  %s\n", r, choice->ratio,
                          choice->prediction.totalMs(), choice->accuracy,
                          choice->prediction.entropyCoded ? "entropy coded" : "raw float32");
            choices.append(QJsonObject{{"rate_mbps", r},
                                       {"ratio", choice->ratio},
                                       {"predicted_ms", choice->prediction.totalMs()},
                                       {"accuracy", choice->accuracy},
                                       {"entropy_coded", choice->prediction.entropyCoded}});
        } else {
            std::snprintf(line, sizeof line, "  %8g Mbps: no V meets the deadline\n", r);
            choices.append(QJsonObject{{"rate_mbps", r}, {"ratio", QJsonValue::Null}});
        }
        out << line;
    }
    return choices;
}

// The terms of Eq. 3 for full offloading of each image: device-side ones (capture + resize,
// JPEG encode) where the profile measured that capture size, else none (the paper's Fig. 5).
QJsonArray fullOffloadTerms(std::ostream& out, const DeviceProfile& profile, const std::vector<ImageSize>& images)
{
    char line[512];
    QJsonArray terms;
    for (const auto& image : images) {
        const FullOffloadTiming* measured = profile.fullOffloadAt(image.width, image.height);
        const Prediction p = predictFullOffloading(profile, image, 1.0);
        std::snprintf(line, sizeof line,
                      "full offloading %s: %.0f B JPEG; t_iot (capture + resize) %.4f ms, t_enc (JPEG) %.4f ms, "
                      "t_dec %.4f ms, t_es %.4f ms%s\n",
                      image.label().c_str(), image.bytes, p.iotMs, p.encMs, p.decMs, p.edgeMs,
                      measured ? " (device side measured)" : " (device side not measured: 0, as the paper)");
        out << line;
        terms.append(QJsonObject{{"image", QString::fromStdString(image.label())},
                                 {"bytes", image.bytes},
                                 {"measured", measured != nullptr},
                                 {"quality", measured ? QJsonValue(measured->quality) : QJsonValue()},
                                 {"iot_ms", p.iotMs},
                                 {"enc_ms", p.encMs},
                                 {"dec_ms", p.decMs},
                                 {"es_ms", p.edgeMs}});
    }
    return terms;
}

QJsonObject runLatency(const ParsedArgs& args, CommandContext& context)
{
    auto profile = loadDeviceProfile(args.text("profile"), args.has("coder") ? args.text("coder") : "",
                                           args.has("bits") ? args.integer("bits", 0, 8) : -1);
    if (args.has("edge-bench")) {
        // The edge side a measured device profile lacks: this edge's `aecnn bench-model --json`.
        const std::string path = args.text("edge-bench");
        QFile file(QString::fromStdString(path));
        if (!file.open(QIODevice::ReadOnly))
            throw Error("cannot open --edge-bench '" + path + "': " + file.errorString().toStdString() +
                        "; make it with aecnn bench-model --json > FILE");
        applyEdgeSide(profile, edgeSideFromBenchModel(QJsonDocument::fromJson(file.readAll()).object(), path));
    }
    const int split = args.integer("split", 1, 1000);
    const auto rates = parseRates(args.text("rates"));
    const double deadline = args.number("deadline-ms", 1e-6, 1e9);
    const auto images = args.has("images") ? parseImages(args.text("images"), profile) : fig5ImagesFor(profile);
    const auto curves = fig5Curves(profile, split, rates, images);
    auto& out = *context.text;

    out << "profile " << profile.name << " (" << profile.inputLabel() << "): " << profile.source << "\n";
    QJsonArray fullTerms = fullOffloadTerms(out, profile, images);
    out << "\n";
    const QJsonArray rows = curveTable(out, curves, rates, images, split);
    const QJsonArray crossovers = crossoverTable(out, profile, split, curves, images);
    const QJsonArray choices = deadlineChoices(out, profile, split, rates, deadline);

    if (args.has("csv")) {
        // Provenance first: the command and the profile the curves were computed from.
        std::string source = profile.source;
        std::replace(source.begin(), source.end(), '\n', ' ');
        writeText(args.text("csv"), "# command: " + context.commandLine + "\n# profile: " + profile.name + " (" +
                                        profile.inputLabel() + "): " + source + "\n" + fig5Csv(curves));
        out << "\nwrote " << args.text("csv") << "\n";
    }
    if (args.has("save-profile"))
        writeDeviceProfile(QString::fromStdString(args.text("save-profile")), profile);

    QJsonArray ratios;
    for (int v : curves.ratios)
        ratios.append(v);
    return {{"profile", toJson(profile)},
            {"split", split},
            {"deadline_ms", deadline},
            {"ratios", ratios},
            {"curves", rows},
            {"crossovers", crossovers},
            {"choices", choices},
            {"full_offloading", fullTerms}};
}

} // namespace

Command latencyCommand()
{
    return {"latency",
            "latency model (paper Eq. 1-4): Fig. 5 curves, crossover vs full offloading, deadline-aware choice of V",
            {{"profile", "P", "device profile: " + deviceProfileHelp(), "pi4"},
             {"coder", "C", "measured device profile: the entropy coder whose t_enc and bits/element to use "
                            "(default: the first one measured)", ""},
             {"bits", "B", "measured device profile: its bit depth (0 = float32)", ""},
             {"edge-bench", "FILE", "edge side (t_es per split, whole model on the edge) from `aecnn bench-model "
                                    "--json` on the edge, e.g. resources/results/bench-model.json; for a measured "
                                    "device profile, which has none (default: 0)", ""},
             {"split", "L", "split point", "1"},
             {"rates", "R1,R2,..", "uplink data rates in Mbps", "1,2,5,10,20,50,100,150,200,500"},
             {"deadline-ms", "MS", "deadline for choosing V", "100"},
             {"images", "WxH[:BYTES],..",
              "full-offloading images (default: the capture sizes a measured device profile has, else "
              "224x224,640x480,1280x720,1920x1080; bytes: measured, else scaled from 1920x1080 = 200 KB)",
              ""},
             {"csv", "FILE", "write the curves as CSV", ""},
             {"save-profile", "FILE", "write the profile as JSON (a template for measured times)", ""}},
            0,
            runLatency};
}

} // namespace aecnn::cli
