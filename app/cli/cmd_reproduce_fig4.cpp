#include <algorithm>
#include <chrono>
#include <cstdio>

#include <QDir>
#include <QJsonDocument>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "aecnn/model/checkpoint.h"
#include "aecnn/error.h"
#include "cmd_reproduce_options.h"

namespace aecnn::cli {
namespace {

// Line plot of attention weight against channel index, one line per sampled batch
// and a black line for the dataset mean (Eq. 8).
QByteArray plotAttention(const ImportanceReport& report)
{
    const int width = 1000, height = 520, left = 70, right = 20, top = 40, bottom = 60;
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
    double lo = 1.0, hi = 0.0;
    auto extend = [&](const std::vector<double>& v) {
        for (double x : v) {
            lo = std::min(lo, x);
            hi = std::max(hi, x);
        }
    };
    extend(report.importance);
    for (const auto& b : report.batchMeans)
        extend(b);
    const double margin = std::max(0.01, (hi - lo) * 0.05);
    lo = std::max(0.0, lo - margin);
    hi = std::min(1.0, hi + margin);
    const int channels = report.channels;
    auto px = [&](double c) { return left + static_cast<int>((width - left - right) * c / std::max(1, channels - 1)); };
    auto py = [&](double v) { return top + static_cast<int>((height - top - bottom) * (hi - v) / (hi - lo)); };
    const cv::Scalar axis(0, 0, 0), grid(225, 225, 225);
    for (int i = 0; i <= 5; ++i) {
        const double v = lo + (hi - lo) * i / 5.0;
        cv::line(image, {left, py(v)}, {width - right, py(v)}, grid, 1);
        char label[16];
        std::snprintf(label, sizeof label, "%.2f", v);
        cv::putText(image, label, {8, py(v) + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
    }
    const int step = std::max(1, channels / 8);
    for (int c = 0; c < channels; c += step)
        cv::putText(image, std::to_string(c), {px(c) - 6, height - bottom + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1,
                    cv::LINE_AA);
    cv::rectangle(image, {left, top}, {width - right, height - bottom}, axis, 1);
    cv::putText(image, "channel index", {width / 2 - 60, height - 15}, cv::FONT_HERSHEY_SIMPLEX, 0.55, axis, 1, cv::LINE_AA);
    cv::putText(image, "attention weight Q at split " + std::to_string(report.split) + ": sampled batches and dataset mean",
                {left, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.55, axis, 1, cv::LINE_AA);

    const cv::Scalar colours[] = {{200, 80, 30}, {40, 140, 40}, {30, 30, 210}, {160, 40, 160}, {20, 160, 200}};
    auto polyline = [&](const std::vector<double>& values, const cv::Scalar& colour, int thickness) {
        for (int c = 1; c < channels; ++c)
            cv::line(image, {px(c - 1), py(values[c - 1])}, {px(c), py(values[c])}, colour, thickness, cv::LINE_AA);
    };
    for (size_t b = 0; b < report.batchMeans.size(); ++b) {
        const auto& colour = colours[b % 5];
        polyline(report.batchMeans[b], colour, 1);
        const int y = top + 18 + 18 * static_cast<int>(b);
        cv::line(image, {width - right - 150, y - 4}, {width - right - 125, y - 4}, colour, 2);
        cv::putText(image, "batch " + std::to_string(b + 1), {width - right - 118, y}, cv::FONT_HERSHEY_SIMPLEX, 0.45,
                    axis, 1, cv::LINE_AA);
    }
    polyline(report.importance, axis, 2);
    const int y = top + 18 + 18 * static_cast<int>(report.batchMeans.size());
    cv::line(image, {width - right - 150, y - 4}, {width - right - 125, y - 4}, axis, 2);
    cv::putText(image, "dataset mean", {width - right - 118, y}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);

    std::vector<uchar> png;
    if (!cv::imencode(".png", image, png))
        throw Error("could not encode the Fig. 4 plot as PNG");
    return QByteArray(reinterpret_cast<const char*>(png.data()), static_cast<qsizetype>(png.size()));
}

} // namespace

QJsonObject reproduceFig4(const ParsedArgs& args, CommandContext& context)
{
    const auto start = std::chrono::steady_clock::now();
    const QDir out(QString::fromStdString(args.text("out")));
    auto inputs = loadMethodInputs(args, context.text);
    auto options = algorithm1OptionsFor(args, inputs);
    const int split = options.splits.front();
    const QString models = modelsDir(args, out);
    *context.text << "Fig. 4: attention at split " << split << " (CA training resumes from " << models.toStdString()
                  << ")\n";
    const auto ca = runStoppableBySignal(options, models, [&] {
        return runCaStage(inputs.base, inputs.data, split, options, models, context.progress,
                          stageLogTo(context.text));
    });
    const auto& report = ca.importance;
    if (report.batchMeans.empty())
        throw UsageError("Fig. 4 needs sampled batches: use --importance-batches >= 1");
    writeFileAtomically(out.filePath("fig4.csv"), importanceCsv(report));
    writeFileAtomically(out.filePath("fig4.png"), plotAttention(report));
    auto json = toJson(report);
    json.remove("batch_indices");
    json.insert("provenance",
                runProvenance(context, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()));
    json.insert("ca_network", ca.network.usage.provenance);
    writeFileAtomically(out.filePath("fig4.json"), QJsonDocument(json).toJson(QJsonDocument::Indented));
    const auto& s = report.stability;
    *context.text << "wrote " << out.filePath("fig4.csv").toStdString() << " and fig4.png: " << report.channels
                  << " channels, " << report.batchMeans.size() << " batches of " << options.importanceBatchSize
                  << "; Spearman between batches " << s.spearmanMean << " (min " << s.spearmanMin << ")\n";
    return json;
}

} // namespace aecnn::cli
