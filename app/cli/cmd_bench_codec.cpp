#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QSysInfo>

#include "aecnn/model/checkpoint.h"
#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_stats.h"
#include "aecnn/codec/entropy_coder.h"
#include "aecnn/error.h"
#include "aecnn/model/model_spec.h"
#include "cli_common.h"
#include "codec_features.h"
#include "command.h"

namespace aecnn::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Wall clock, or the calling thread's CPU time: on a shared machine the latter is
// disturbed much less by other processes (the benchmark is single-threaded).
enum class TimingClock { Wall, ThreadCpu };

double secondsNow(TimingClock clock)
{
    if (clock == TimingClock::Wall)
        return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

// One coder configuration of the benchmark.
struct Config {
    std::string label;
    codec::CodecSettings settings;
    bool withDictionary = false;
};

std::vector<Config> configsFor(const std::vector<int>& bitList)
{
    using codec::CoderId;
    using codec::Representation;
    std::vector<Config> configs{
        {"float32 zstd-1", {CoderId::Zstd, Representation::Float32, 8, false, 1}},
        {"float32 zstd-19", {CoderId::Zstd, Representation::Float32, 8, false, 19}},
        {"float32-shuffled zstd-entropy", {CoderId::ZstdEntropy, Representation::Float32Shuffled, 8, false}},
        {"float16 zstd-entropy", {CoderId::ZstdEntropy, Representation::Float16, 8, false}},
    };
    for (int bits : bitList) {
        const std::string b = "uint" + std::to_string(bits) + " ";
        configs.push_back({b + "zstd-1", {CoderId::Zstd, Representation::Uniform, bits, true, 1}});
        configs.push_back({b + "zstd-entropy", {CoderId::ZstdEntropy, Representation::Uniform, bits, true}});
        configs.push_back({b + "zstd-entropy+dict", {CoderId::ZstdEntropy, Representation::Uniform, bits, true}, true});
        configs.push_back({b + "context", {CoderId::Context, Representation::Uniform, bits, true}});
    }
    return configs;
}

template <typename F> double bestSeconds(TimingClock clock, int repeats, F&& run)
{
    double best = 1e300;
    for (int r = 0; r < repeats; ++r) {
        const double start = secondsNow(clock);
        run();
        best = std::min(best, secondsNow(clock) - start);
    }
    return best;
}

struct Measured {
    double h0 = 0, coded = 0, frame = 0, ratio = 0, encodeMBs = 0, decodeMBs = 0, encodeUs = 0, decodeUs = 0;
    uint64_t frameBytes = 0; // all tensors
    size_t tensors = 0;
    double frameBytesPerTensor() const { return tensors ? double(frameBytes) / double(tensors) : 0.0; }
};

// Codes every tensor with one configuration; times the coder alone (MB/s of
// symbol bytes) and the whole frame path (µs per tensor, quantization included).
Measured measure(const std::vector<codec::FeatureTensor>& tensors, const codec::CodecSettings& settings,
                 TimingClock clock, int repeats)
{
    Measured m;
    std::vector<codec::SymbolTensor> symbols;
    std::vector<codec::SymbolLayout> layouts;
    std::vector<std::vector<uint8_t>> payloads, frames;
    uint64_t elements = 0, symbolBytes = 0, payloadBytes = 0;
    double entropyBits = 0;
    codec::CoderWorkspace workspace; // reused as the live path reuses one per connection
    const codec::CoderOptions options{settings.zstdLevel, settings.dictionary, &workspace};
    for (const auto& t : tensors) {
        symbols.push_back(codec::toSymbols(t, settings.representation, settings.bits, settings.perChannel));
        codec::SymbolLayout layout{t.channels, t.height, t.width, settings.representation, settings.bits, {}};
        for (const auto& r : symbols.back().quant.ranges)
            layout.zeroPoints.push_back(r.zeroPoint);
        layouts.push_back(layout);
        entropyBits += codec::computeSymbolStats(t, symbols.back()).entropyBitsPerElement * double(t.elementCount());
        elements += t.elementCount();
        symbolBytes += symbols.back().bytes.size();
        frames.push_back(codec::encodeFrame(t, settings));
        m.frameBytes += frames.back().size();
    }
    const double encodeSeconds = bestSeconds(clock, repeats, [&] {
        payloads.clear();
        for (size_t i = 0; i < tensors.size(); ++i)
            payloads.push_back(codec::encodePayload(settings.coder, symbols[i].bytes, layouts[i], options));
    });
    for (size_t i = 0; i < tensors.size(); ++i) {
        payloadBytes += payloads[i].size();
        if (codec::decodePayload(settings.coder, payloads[i].data(), payloads[i].size(), symbols[i].bytes.size(),
                                 layouts[i], options) != symbols[i].bytes)
            throw Error("benchmark round trip failed for " + codec::coderName(settings.coder));
    }
    const double decodeSeconds = bestSeconds(clock, repeats, [&] {
        for (size_t i = 0; i < tensors.size(); ++i)
            codec::decodePayload(settings.coder, payloads[i].data(), payloads[i].size(), symbols[i].bytes.size(),
                                 layouts[i], options);
    });
    const double frameEncode = bestSeconds(clock, repeats, [&] {
        for (const auto& t : tensors)
            codec::encodeFrame(t, settings, nullptr, &workspace);
    });
    const double frameDecode = bestSeconds(clock, repeats, [&] {
        for (const auto& f : frames)
            codec::decodeFrame(f.data(), f.size(), {}, settings.dictionary, &workspace);
    });
    m.tensors = tensors.size();
    m.h0 = entropyBits / double(elements);
    m.coded = double(payloadBytes) * 8.0 / double(elements);
    m.frame = double(m.frameBytes) * 8.0 / double(elements);
    const auto& first = tensors.front();
    m.ratio = double(first.originalChannels) * double(first.planeSize()) * 32.0 * double(tensors.size()) /
              (double(m.frameBytes) * 8.0);
    m.encodeMBs = double(symbolBytes) / 1e6 / encodeSeconds;
    m.decodeMBs = double(symbolBytes) / 1e6 / decodeSeconds;
    m.encodeUs = frameEncode * 1e6 / double(tensors.size());
    m.decodeUs = frameDecode * 1e6 / double(tensors.size());
    return m;
}

QJsonObject toJson(const Config& c, const Measured& m)
{
    return {{"coder", QString::fromStdString(c.label)},
            {"h0_bits_per_element", m.h0},
            {"coded_bits_per_element", m.coded},
            {"coded_over_h0", m.h0 > 0 ? m.coded / m.h0 : 0.0},
            {"frame_bits_per_element", m.frame},
            {"frame_bytes_per_tensor", m.frameBytesPerTensor()},
            {"compression_ratio", m.ratio},
            {"encode_mb_per_s", m.encodeMBs},
            {"decode_mb_per_s", m.decodeMBs},
            {"encode_us_per_tensor", m.encodeUs},
            {"decode_us_per_tensor", m.decodeUs}};
}

std::string csvRow(const std::string& split, int ratio, const codec::FeatureTensor& shape, const std::string& label,
                   const Measured& m)
{
    char line[512];
    std::snprintf(line, sizeof line, "%s,%d,%ux%ux%u,%s,%.4f,%.4f,%.4f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", split.c_str(),
                  ratio, shape.channels, shape.height, shape.width, label.c_str(), m.h0, m.coded,
                  m.h0 > 0 ? m.coded / m.h0 : 0.0, m.frameBytesPerTensor(), m.ratio, m.encodeMBs, m.decodeMBs,
                  m.encodeUs, m.decodeUs);
    return line;
}

const char* kCsvHeader = "split,ratio,shape,coder,h0_bits_per_element,coded_bits_per_element,coded_over_h0,"
                         "frame_bytes_per_tensor,compression_ratio,encode_mb_per_s,decode_mb_per_s,"
                         "encode_us_per_tensor,decode_us_per_tensor\n";

void printRow(std::ostream& out, const std::string& label, const Measured& m, size_t tensors)
{
    char line[256];
    std::snprintf(line, sizeof line, "  %-30s %7.3f %8.3f %6.3f %9.1f %8.1fx %8.1f %8.1f %9.1f %9.1f\n",
                  label.c_str(), m.h0, m.coded, m.h0 > 0 ? m.coded / m.h0 : 0.0, double(m.frameBytes) / double(tensors),
                  m.ratio, m.encodeMBs, m.decodeMBs, m.encodeUs, m.decodeUs);
    out << line;
}

const char* kHeader = "  coder                          H0 b/el  coded   /H0   frame B     ratio  enc MB/s dec MB/s  enc us/t  dec us/t\n";

struct BenchOptions {
    std::string modelSpec;
    std::vector<int> splits, ratios, bitList;
    int count = 0, repeats = 0, accuracyImages = 0;
    TimingClock clock = TimingClock::ThreadCpu;
    std::string timing; // how the times were taken, for the JSON and the CSV
    std::string dictDir, csvPath;
};

BenchOptions benchOptionsFrom(const ParsedArgs& args, const Classifier& model)
{
    BenchOptions o;
    o.modelSpec = args.text("model");
    o.splits = args.integerList("splits", 1, model.net->splitPointCount());
    o.ratios = args.integerList("ratios", 1, 4096);
    o.bitList = args.integerList("bits", 2, 8);
    o.count = args.integer("count", 8, 100000);
    o.repeats = args.integer("repeats", 1, 1000);
    const std::string clockName = args.text("clock");
    if (clockName != "cpu" && clockName != "wall")
        throw Error("--clock must be cpu (the thread's CPU time) or wall, got '" + clockName + "'");
    o.clock = clockName == "cpu" ? TimingClock::ThreadCpu : TimingClock::Wall;
    o.timing = std::string("best of repeats, single thread, ") +
               (o.clock == TimingClock::ThreadCpu ? "thread CPU time" : "wall clock") +
               "; MB/s of symbol bytes through the coder alone (zstd contexts reused through a "
               "CoderWorkspace); us per tensor for the whole frame (quantization, header, CRC)";
    o.accuracyImages = args.integer("accuracy-images", 0, 1 << 20);
    o.dictDir = args.has("dict-dir") ? args.text("dict-dir") : "";
    o.csvPath = args.has("csv") ? args.text("csv") : "";
    return o;
}

// What every step of one benchmark run shares.
struct Bench {
    const BenchOptions& options;
    Classifier& model;
    const DataSplit& data;
    ImageSet images;      // timed and sized
    ImageSet calibration; // channel selection, channel means, dictionaries: train images
    std::ostream& text;
    std::string csv; // rows so far
};

// Per-channel means over the calibration images: what a pruned channel is
// replaced with in the no-recovery accuracy bound.
std::vector<double> channelMeans(Bench& bench, int split)
{
    std::vector<double> channelMean;
    for (const auto& t : dumpFeatures(bench.model, split, bench.calibration, {}, 1).tensors) {
        channelMean.resize(t.channels, 0.0);
        for (uint32_t c = 0; c < t.channels; ++c)
            for (size_t i = 0; i < t.planeSize(); ++i)
                channelMean[c] += t.values[c * t.planeSize() + i] / double(t.planeSize() * bench.calibration.size());
    }
    return channelMean;
}

void saveDictionary(const Bench& bench, int split, int ratio, int bits, const codec::ZstdDictionary& dict)
{
    const QString dir = QString::fromStdString(bench.options.dictDir);
    const QString name = QString("%1.split%2.v%3.b%4.zdict")
                             .arg(QFileInfo(QString::fromStdString(bench.options.modelSpec)).baseName())
                             .arg(split)
                             .arg(ratio)
                             .arg(bits);
    QDir().mkpath(dir);
    writeFileAtomically(QDir(dir).filePath(name),
                        QByteArray(reinterpret_cast<const char*>(dict.bytes.data()), qsizetype(dict.bytes.size())));
}

// Trains a zstd dictionary on the calibration tensors; false (and a note) when zstd cannot.
bool trainBenchDictionary(Bench& bench, const Config& config, const FeatureDump& calibrationDump,
                     codec::ZstdDictionary* dict)
{
    std::vector<std::vector<uint8_t>> samples;
    for (const auto& t : calibrationDump.tensors)
        samples.push_back(
            codec::toSymbols(t, config.settings.representation, config.settings.bits, config.settings.perChannel)
                .bytes);
    try {
        *dict = codec::trainZstdDictionary(samples, 4096);
    } catch (const Error& e) {
        bench.text << "  " << config.label << ": skipped (" << e.what() << ")\n";
        return false;
    }
    return true;
}

// Every coder configuration on the tensors of one (split, V): a table row, a JSON row, a CSV row each.
QJsonArray benchCoders(Bench& bench, int split, int ratio, const FeatureDump& dump,
                       const FeatureDump& calibrationDump)
{
    QJsonArray rows;
    for (auto config : configsFor(bench.options.bitList)) {
        codec::ZstdDictionary dict;
        if (config.withDictionary) {
            if (!trainBenchDictionary(bench, config, calibrationDump, &dict))
                continue;
            config.settings.dictionary = &dict;
            if (!bench.options.dictDir.empty())
                saveDictionary(bench, split, ratio, config.settings.bits, dict);
        }
        const Measured m = measure(dump.tensors, config.settings, bench.options.clock, bench.options.repeats);
        printRow(bench.text, config.label, m, dump.tensors.size());
        rows.append(toJson(config, m));
        bench.csv += csvRow(std::to_string(split), ratio, dump.tensors.front(), config.label, m);
    }
    return rows;
}

// Kept channels quantized to `bits`, pruned ones replaced by their mean.
void keepQuantizedFillMean(codec::FeatureTensor& t, const FeatureDump& dump, const std::vector<double>& channelMean,
                           int bits)
{
    codec::FeatureTensor keptOnly = dump.tensors.front();
    const size_t plane = t.planeSize();
    keptOnly.values.resize(keptOnly.elementCount());
    for (size_t k = 0; k < dump.kept.size(); ++k)
        std::copy_n(t.values.begin() + std::ptrdiff_t(dump.kept[k] * plane), plane,
                    keptOnly.values.begin() + std::ptrdiff_t(k * plane));
    codec::fromSymbols(codec::toSymbols(keptOnly, codec::Representation::Uniform, bits, true), keptOnly);
    for (uint32_t c = 0; c < t.channels; ++c)
        std::fill_n(t.values.begin() + std::ptrdiff_t(c * plane), plane, float(channelMean[c]));
    for (size_t k = 0; k < dump.kept.size(); ++k)
        std::copy_n(keptOnly.values.begin() + std::ptrdiff_t(k * plane), plane,
                    t.values.begin() + std::ptrdiff_t(dump.kept[k] * plane));
}

// Lower bound on accuracy at this V: kept channels quantized, pruned ones
// replaced by their mean; no feature recovery, no fine-tuning.
QJsonArray prunedAccuracy(Bench& bench, int split, const ImageSet& evalSet, const FeatureDump& dump,
                          const std::vector<double>& channelMean)
{
    QJsonArray accuracy;
    bench.text << "  accuracy (kept channels quantized, pruned = channel mean, no FR) on " << evalSet.size()
               << " images:";
    for (int bits : bench.options.bitList) {
        const double acc = accuracyThroughSplit(bench.model, split, evalSet, [&](codec::FeatureTensor& t) {
            keepQuantizedFillMean(t, dump, channelMean, bits);
        });
        bench.text << " uint" << bits << " " << acc;
        accuracy.append(QJsonObject{{"bits", bits}, {"accuracy_no_recovery", acc}});
    }
    bench.text << "\n";
    return accuracy;
}

QJsonObject benchRatio(Bench& bench, int split, int ratio, const ImageSet& evalSet,
                       const std::vector<double>& channelMean)
{
    const auto kept = ratio > 1 ? keepImportantChannels(bench.model, split, bench.calibration, ratio)
                                : std::vector<uint16_t>{};
    const auto dump = dumpFeatures(bench.model, split, bench.images, kept, ratio);
    const auto calibrationDump = dumpFeatures(bench.model, split, bench.calibration, kept, ratio);
    const auto& first = dump.tensors.front();
    bench.text << "split " << split << ", V = " << ratio << ": " << dump.tensors.size() << " tensors of "
               << first.channels << "x" << first.height << "x" << first.width << " (of " << dump.channels
               << " channels)\n"
               << kHeader;
    const QJsonArray rows = benchCoders(bench, split, ratio, dump, calibrationDump);
    QJsonArray keptJson;
    for (uint16_t c : dump.kept)
        keptJson.append(int(c));
    QJsonArray pruned;
    if (bench.options.accuracyImages > 0 && ratio > 1)
        pruned = prunedAccuracy(bench, split, evalSet, dump, channelMean);
    return QJsonObject{{"ratio", ratio},
                       {"shape", QJsonArray{int(first.channels), int(first.height), int(first.width)}},
                       {"kept_channels", keptJson},
                       {"coders", rows},
                       {"accuracy_pruned_no_recovery", pruned}};
}

// Accuracy cost of the representation alone (all channels, no pruning).
QJsonArray representationAccuracy(Bench& bench, int split, const ImageSet& evalSet)
{
    QJsonArray accuracy;
    const double reference = accuracyThroughSplit(bench.model, split, evalSet, [](codec::FeatureTensor&) {});
    bench.text << "split " << split << " accuracy on " << evalSet.size() << " test images, V = 1: float32 "
               << reference;
    accuracy.append(QJsonObject{{"repr", "float32"}, {"bits", 32}, {"accuracy", reference}});
    std::vector<std::pair<std::string, int>> reprs{{"float16", 16}};
    for (int bits : bench.options.bitList)
        reprs.push_back({"uint", bits});
    for (const auto& [name, bits] : reprs) {
        const auto representation = codec::representationFromName(name);
        const double acc = accuracyThroughSplit(bench.model, split, evalSet, [&](codec::FeatureTensor& t) {
            codec::fromSymbols(codec::toSymbols(t, representation, bits == 16 ? 8 : bits, true), t);
        });
        bench.text << ", " << name << (bits == 16 ? "" : std::to_string(bits)) << " " << acc;
        accuracy.append(QJsonObject{{"repr", QString::fromStdString(name)},
                                    {"bits", bits},
                                    {"accuracy", acc},
                                    {"accuracy_loss_points", 100.0 * (reference - acc)}});
    }
    bench.text << "\n";
    return accuracy;
}

QJsonObject benchSplit(Bench& bench, int split)
{
    QJsonArray ratioResults;
    const auto evalSet = limited(bench.data.test, bench.options.accuracyImages);
    const std::vector<double> channelMean = channelMeans(bench, split);
    for (int ratio : bench.options.ratios)
        ratioResults.append(benchRatio(bench, split, ratio, evalSet, channelMean));
    QJsonArray accuracy;
    if (bench.options.accuracyImages > 0)
        accuracy = representationAccuracy(bench, split, evalSet);
    return QJsonObject{{"split", split}, {"ratios", ratioResults}, {"accuracy_v1", accuracy}};
}

// The paper's shapes (1x56x56, 32x56x56), filled with real split-1 activations
// upsampled to 56x56, for the per-tensor times Table I reports.
QJsonArray benchPaperShapes(Bench& bench)
{
    QJsonArray paperShapes;
    const auto dump = dumpFeatures(bench.model, 1, limited(bench.data.test, 16), {}, 1);
    bench.text << "paper shapes (real split-1 maps upsampled to 56x56)\n" << kHeader;
    for (uint32_t channels : {1u, 32u}) {
        std::vector<codec::FeatureTensor> tensors;
        for (const auto& t : dump.tensors)
            tensors.push_back(resizedPlanes(t, channels, 56, 56));
        QJsonArray rows;
        for (const auto& config : configsFor({8})) {
            if (config.withDictionary)
                continue;
            const Measured m = measure(tensors, config.settings, bench.options.clock, bench.options.repeats);
            printRow(bench.text, std::to_string(channels) + "x56x56 " + config.label, m, tensors.size());
            rows.append(toJson(config, m));
            bench.csv += csvRow("paper", 1, tensors.front(), config.label, m);
        }
        paperShapes.append(QJsonObject{{"shape", QJsonArray{int(channels), 56, 56}}, {"coders", rows}});
    }
    return paperShapes;
}

void writeBenchCsv(const Bench& bench, const std::string& commandLine, const QString& machine, const QString& date)
{
    const std::string text = "# " + commandLine + "\n# " + machine.toStdString() + ", " + date.toStdString() + "; " +
                             bench.options.timing + "\n" + kCsvHeader + bench.csv;
    writeFileAtomically(QString::fromStdString(bench.options.csvPath), QByteArray::fromStdString(text));
}

QJsonObject runBenchCodec(const ParsedArgs& args, CommandContext& context)
{
    auto model = loadClassifierSpec(args.text("model"));
    const BenchOptions options = benchOptionsFrom(args, model);
    const auto data = loadDatasetForModel(args.text("dataset"), model);
    Bench bench{options, model, data, limited(data.test, options.count),
                limited(data.train, std::max(options.count, 64)), *context.text, {}};

    QJsonArray splitResults;
    for (int split : options.splits)
        splitResults.append(benchSplit(bench, split));
    const QJsonArray paperShapes = benchPaperShapes(bench);
    const auto date = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    const auto machine = QSysInfo::prettyProductName() + " " + QSysInfo::currentCpuArchitecture();
    if (!options.csvPath.empty())
        writeBenchCsv(bench, context.commandLine, machine, date);
    return {{"model", QString::fromStdString(options.modelSpec)},
            {"dataset", QString::fromStdString(args.text("dataset"))},
            {"tensors_per_point", options.count},
            {"repeats", options.repeats},
            {"timing", QString::fromStdString(options.timing)},
            {"channel_selection", "C/V channels of highest Eq. 8 importance (mean channel attention) on train images"},
            {"splits", splitResults},
            {"paper_shapes", paperShapes},
            {"date", date},
            {"machine", machine},
            {"command", QString::fromStdString(context.commandLine)}};
}

} // namespace

Command benchCodecCommand()
{
    return {"bench-codec",
            "every coder's bits/element against H0, MB/s and us per tensor on real activations",
            {modelOption(),
             datasetOption(),
             {"splits", "L,..", "split points", "1,2"},
             {"ratios", "V,..", "pruning ratios (1 = all channels)", "1,2,4,8,16,32,64"},
             {"bits", "n,..", "quantization bit depths", "2,3,4,8"},
             {"count", "N", "test images (tensors) per split and ratio", "64"},
             {"repeats", "N", "timed repetitions (best reported)", "3"},
             {"clock", "cpu|wall", "time by the thread's CPU time (robust on a shared machine) or the wall clock", "cpu"},
             {"accuracy-images", "N", "test images for the accuracy of each representation (0 = skip)", "1000"},
             {"dict-dir", "DIR", "also save the trained zstd dictionaries there", ""},
             {"csv", "FILE", "also write one CSV row per split, ratio and coder there", ""}},
            0,
            runBenchCodec};
}

} // namespace aecnn::cli
