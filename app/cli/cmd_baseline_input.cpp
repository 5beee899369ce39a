// aecnn baseline-input: what sending the image itself costs with standard codecs
// (PNG, lossless WebP, JPEG) and what JPEG's losses do to the model's accuracy —
// the baseline that AECNN's compressed feature maps are compared with.
#include <cstring>
#include <iomanip>
#include <sstream>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QSysInfo>

#include <opencv2/core/version.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/model/checkpoint_kind.h"
#include "aecnn/split/inference_model.h"
#include "cli_common.h"
#include "command.h"
#include "input_codecs.h"
#include "run_resources.h"

namespace aecnn::cli {
namespace {

struct BaselineRow {
    std::string label;
    std::string codec;
    int quality = -1;
    bool lossless = true;
    std::string params;
    int64_t totalBytes = 0;
    EvalResult eval;
};

// Encodes every image of `set`; when `decoded` is given, fills it (same shape) with
// the decoded pixels. Lossless codecs must give back exactly the input.
int64_t encodeAllImages(const ImageSet& set, const InputCodec& codec, torch::Tensor* decoded)
{
    const auto images = set.images.contiguous();
    const int channels = set.channels(), height = set.height(), width = set.width();
    const int64_t imageBytes = int64_t(channels) * height * width;
    const uint8_t* in = images.data_ptr<uint8_t>();
    uint8_t* out = decoded ? decoded->data_ptr<uint8_t>() : nullptr;
    std::vector<uint8_t> back(size_t(imageBytes), 0);
    int64_t total = 0;
    for (int64_t i = 0; i < set.size(); ++i) {
        const uint8_t* pixels = in + i * imageBytes;
        const auto bytes = encodeImage(pixels, channels, height, width, codec);
        total += int64_t(bytes.size());
        uint8_t* target = out ? out + i * imageBytes : back.data();
        decodeImage(bytes, channels, height, width, target);
        if (codec.lossless && std::memcmp(target, pixels, size_t(imageBytes)) != 0)
            throw Error(codec.label() + " did not give back image " + std::to_string(i) +
                        " exactly; this OpenCV build's codec is not lossless with " + codec.paramsText());
    }
    return total;
}

std::string baselineCsv(const std::vector<BaselineRow>& rows, int64_t count, int64_t rawBytes,
                        const std::string& header)
{
    std::ostringstream csv;
    csv << header
        << "codec,quality,lossless,opencv_params,images,total_bytes,mean_bytes,bits_per_pixel,"
           "ratio_vs_raw,correct,accuracy\n";
    csv << std::setprecision(10);
    for (const auto& r : rows) {
        const double mean = double(r.totalBytes) / double(count);
        csv << r.codec << "," << (r.quality >= 0 ? std::to_string(r.quality) : "") << ","
            << (r.lossless ? "true" : "false") << "," << r.params << "," << count << "," << r.totalBytes << "," << mean
            << "," << 8.0 * mean / double(rawBytes) << "," << double(rawBytes) / mean << "," << r.eval.correct << ","
            << r.eval.accuracy() << "\n";
    }
    return csv.str();
}

QJsonObject runBaselineInput(const ParsedArgs& args, CommandContext& context)
{
    const std::string modelSpec = args.text("model");
    const std::string dataSpec = args.text("dataset");
    const int limit = args.integer("limit", 0, 1 << 30);
    const auto qualities = args.integerList("jpeg-qualities", 1, 100);
    const std::string csvPath = args.has("csv") ? args.text("csv") : "";
    const auto codecs = baselineInputCodecs(qualities);
    for (const auto& codec : codecs) // fail before the slow loading below
        if (!cv::haveImageWriter(codec.extension))
            throw Error("this OpenCV build cannot write " + codec.extension + " images; install one with " +
                        codec.name + " support");

    auto model = loadInferenceModel(modelSpec);
    DataLimits limits;
    limits.needTrain = false;
    limits.test = limit;
    const auto data = loadDatasetForModel(dataSpec, model, 1, limits);
    const ImageSet set = limited(data.test, limit);
    if (set.size() == 0)
        throw Error("dataset '" + dataSpec + "' has no test images");
    const int64_t count = set.size();
    const int64_t rawBytes = int64_t(set.channels()) * set.height() * set.width();
    *context.text << count << " test images of " << set.channels() << "x" << set.height() << "x" << set.width() << " ("
                  << rawBytes << " bytes raw), model " << modelSpec << "\n";

    std::vector<BaselineRow> rows;
    // Batches of at most 128 images, fewer when they would not fit in memory (memory_budget.h).
    const auto batch = inferenceBatchSize(model.config, set.height(), set.width(), 128);
    noteInferenceBatch(batch, "baseline-input", context.text);
    const EvalResult original = evaluateClassifier(*model.module, model.forward, set, batch.batchSize);
    rows.push_back({"raw", "raw", -1, true, "", rawBytes * count, original});
    for (const auto& codec : codecs) {
        BaselineRow row{codec.label(), codec.name, codec.quality, codec.lossless, codec.paramsText(), 0, original};
        if (codec.lossless) { // checked to decode to the same pixels: same accuracy
            row.totalBytes = encodeAllImages(set, codec, nullptr);
        } else {
            torch::Tensor decoded = torch::empty_like(set.images.contiguous());
            row.totalBytes = encodeAllImages(set, codec, &decoded);
            ImageSet lossy = set;
            lossy.images = decoded;
            row.eval = evaluateClassifier(*model.module, model.forward, lossy, batch.batchSize);
        }
        rows.push_back(row);
    }

    *context.text << "codec           mean bytes  bits/pixel  ratio vs raw  accuracy\n";
    QJsonArray jsonRows;
    for (const auto& r : rows) {
        const double mean = double(r.totalBytes) / double(count);
        const double bitsPerPixel = 8.0 * mean / double(rawBytes);
        std::ostringstream line;
        line << std::left << std::setw(16) << r.label << std::right << std::fixed << std::setprecision(1)
             << std::setw(10) << mean << std::setprecision(3) << std::setw(12) << bitsPerPixel << std::setprecision(2)
             << std::setw(14) << double(rawBytes) / mean << std::setprecision(2) << std::setw(9)
             << 100.0 * r.eval.accuracy() << " % (" << r.eval.correct << "/" << r.eval.count << ")\n";
        *context.text << line.str();
        QJsonObject o{{"codec", QString::fromStdString(r.codec)},
                      {"label", QString::fromStdString(r.label)},
                      {"lossless", r.lossless},
                      {"opencv_params", QString::fromStdString(r.params)},
                      {"images", qint64(count)},
                      {"total_bytes", qint64(r.totalBytes)},
                      {"mean_bytes", mean},
                      {"bits_per_pixel", bitsPerPixel},
                      {"ratio_vs_raw", double(rawBytes) / mean},
                      {"correct", qint64(r.eval.correct)},
                      {"n", qint64(r.eval.count)},
                      {"accuracy", r.eval.accuracy()}};
        if (r.quality >= 0)
            o.insert("quality", r.quality);
        jsonRows.append(o);
    }

    const auto date = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    const auto machine = QSysInfo::prettyProductName() + " " + QSysInfo::currentCpuArchitecture();
    if (!csvPath.empty()) {
        const std::string header = "# " + context.commandLine + "\n# " + machine.toStdString() + ", " +
                                   date.toStdString() + ", OpenCV " + CV_VERSION + "\n";
        writeFileAtomically(QString::fromStdString(csvPath),
                            QByteArray::fromStdString(baselineCsv(rows, count, rawBytes, header)));
    }
    return {{"model", QString::fromStdString(modelSpec)},
            {"model_kind", checkpointKindName(model.kind)},
            {"model_description", model.description},
            {"dataset", QString::fromStdString(dataSpec)},
            {"subset", "test"},
            {"images", qint64(count)},
            {"image_shape", QJsonArray{set.channels(), set.height(), set.width()}},
            {"raw_bytes_per_image", qint64(rawBytes)},
            {"original", QJsonObject{{"correct", qint64(original.correct)},
                                     {"n", qint64(original.count)},
                                     {"accuracy", original.accuracy()}}},
            {"codecs", jsonRows},
            {"forward_batch", inferenceBatchJson(batch)},
            {"opencv_version", CV_VERSION},
            {"threads", context.threads},
            {"date", date},
            {"machine", machine},
            {"command", QString::fromStdString(context.commandLine)}};
}

} // namespace

Command baselineInputCommand()
{
    return {"baseline-input",
            "bytes per test image as PNG, lossless WebP and JPEG, and the model's accuracy on the decoded images "
            "(the send-the-image baseline)",
            {modelOption(),
             datasetOption(),
             {"limit", "N", "only the first N test images, 0 = all", "0"},
             {"jpeg-qualities", "Q,..", "JPEG qualities (1..100)", "50,75,90"},
             {"csv", "FILE", "also write one CSV row per codec there (atomically)", ""}},
            0,
            runBaselineInput};
}

} // namespace aecnn::cli
