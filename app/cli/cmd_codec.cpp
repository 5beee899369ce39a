#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>

#include <QJsonArray>

#include "aecnn/model/checkpoint.h"
#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_stats.h"
#include "aecnn/error.h"
#include "cli_common.h"
#include "cmd_codec_dict.h"
#include "command.h"
#include "feature_file.h"
#include "transport_options.h"

namespace aecnn::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<uint8_t> readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open " + path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes)
{
    writeFileAtomically(QString::fromStdString(path),
                        QByteArray(reinterpret_cast<const char*>(bytes.data()), qsizetype(bytes.size())));
}

codec::CodecSettings settingsFrom(const ParsedArgs& args, const codec::ZstdDictionary* dictionary)
{
    TransportSettings transport = readTransportOptions(args, TransportCommand::Codec).base;
    transport.zstdLevel = args.integer("level", -7, 22);
    checkTransportSettings(transport);
    codec::CodecSettings s = toCodecSettings(transport);
    s.dictionary = dictionary;
    return s;
}

codec::ZstdDictionary dictionaryFrom(const ParsedArgs& args)
{
    codec::ZstdDictionary dict;
    if (args.has("dict"))
        dict.bytes = readBytes(args.text("dict"));
    return dict;
}

// Splits a file of concatenated frames and decodes each.
std::vector<codec::DecodedFrame> decodeFrames(const std::vector<uint8_t>& bytes, const codec::ZstdDictionary& dict)
{
    std::vector<codec::DecodedFrame> frames;
    size_t offset = 0;
    while (offset < bytes.size()) {
        const size_t length = codec::frameLength(bytes.data() + offset, bytes.size() - offset);
        if (length > bytes.size() - offset)
            throw Error("frame " + std::to_string(frames.size()) + " is truncated");
        frames.push_back(codec::decodeFrame(bytes.data() + offset, length, {}, &dict));
        offset += length;
    }
    return frames;
}

QJsonObject encodeFile(const ParsedArgs& args, CommandContext& context, const std::string& in, const std::string& out)
{
    const auto dict = dictionaryFrom(args);
    const auto settings = settingsFrom(args, &dict);
    const auto tensors = loadFeatureFile(in);
    std::vector<uint8_t> bytes;
    for (const auto& t : tensors) {
        const auto frame = codec::encodeFrame(t, settings);
        bytes.insert(bytes.end(), frame.begin(), frame.end());
    }
    writeBytes(out, bytes);
    const double inputBytes = double(tensors.size() * tensors.front().values.size() * 4);
    *context.text << "encoded " << tensors.size() << " tensors: " << inputBytes << " -> " << bytes.size()
                  << " bytes with " << codec::coderName(settings.coder) << "\n";
    return {{"frames", int(tensors.size())}, {"bytes", qint64(bytes.size())}, {"input_bytes", inputBytes}};
}

QJsonObject decodeFile(const ParsedArgs& args, CommandContext& context, const std::string& in, const std::string& out)
{
    const auto dict = dictionaryFrom(args);
    const auto frames = decodeFrames(readBytes(in), dict);
    if (frames.empty())
        throw Error(in + " holds no frames");
    std::vector<codec::FeatureTensor> tensors;
    for (const auto& f : frames)
        tensors.push_back(f.tensor);
    saveFeatureFile(out, tensors);
    *context.text << "decoded " << frames.size() << " frames into " << out << "\n";
    return {{"frames", int(frames.size())}, {"out", QString::fromStdString(out)}};
}

// Sums over every tensor of a file, for `codec stats`.
struct FileStats {
    double entropySum = 0, zeroSum = 0, encodeSeconds = 0, decodeSeconds = 0, squaredError = 0, maxAbs = 0;
    float lowest = 0.0f, highest = 0.0f; // finite range of the input, the PSNR peak
    uint64_t payloadBytes = 0, frameBytes = 0, elements = 0;
    bool roundTrip = true;
    std::vector<double> channelEntropy;
    std::vector<uint64_t> histogram;
};

// What follows from the sums.
struct StatsSummary {
    codec::CodingStats coding;
    double h0 = 0, mse = 0, psnr = 0, symbolMB = 0;
};

void addSymbolStats(FileStats& sums, const codec::FeatureTensor& t, const codec::SymbolTensor& symbols,
                    codec::Representation representation, size_t tensorCount)
{
    const auto stats = codec::computeSymbolStats(t, symbols);
    sums.entropySum += stats.entropyBitsPerElement * double(t.elementCount());
    sums.zeroSum += stats.zeroFraction * double(t.elementCount());
    for (size_t c = 0; c < sums.channelEntropy.size(); ++c)
        sums.channelEntropy[c] += stats.channelEntropyBitsPerElement[c] / double(tensorCount);
    sums.histogram.resize(stats.histogram.size(), 0);
    if (representation == codec::Representation::Uniform)
        for (size_t i = 0; i < sums.histogram.size(); ++i)
            sums.histogram[i] += stats.histogram[i];
}

// Encodes and decodes one tensor as a frame: sizes, times, exactness and error.
void addRoundTrip(FileStats& sums, const codec::FeatureTensor& t, const codec::SymbolTensor& symbols,
                  const codec::CodecSettings& settings, const codec::ZstdDictionary& dict)
{
    codec::FrameSizes sizes;
    const auto start = Clock::now();
    const auto frame = codec::encodeFrame(t, settings, &sizes);
    const auto middle = Clock::now();
    const auto decoded = codec::decodeFrame(frame.data(), frame.size(), {}, &dict);
    sums.encodeSeconds += std::chrono::duration<double>(middle - start).count();
    sums.decodeSeconds += std::chrono::duration<double>(Clock::now() - middle).count();
    sums.roundTrip = sums.roundTrip && decoded.symbols.bytes == symbols.bytes;
    const auto error = codec::measureError(t.values, decoded.tensor.values);
    for (float v : t.values)
        if (std::isfinite(v)) {
            sums.lowest = std::min(sums.lowest, v);
            sums.highest = std::max(sums.highest, v);
        }
    sums.maxAbs = std::max(sums.maxAbs, error.maxAbs);
    sums.squaredError += error.mse * double(t.elementCount());
    sums.payloadBytes += sizes.payloadBytes;
    sums.frameBytes += sizes.totalBytes;
    sums.elements += t.elementCount();
}

FileStats statsOfTensors(const std::vector<codec::FeatureTensor>& tensors, const codec::CodecSettings& settings,
                         const codec::ZstdDictionary& dict)
{
    FileStats sums;
    sums.channelEntropy.assign(tensors.front().channels, 0.0);
    for (const auto& t : tensors) {
        const auto symbols = codec::toSymbols(t, settings.representation, settings.bits, settings.perChannel);
        addSymbolStats(sums, t, symbols, settings.representation, tensors.size());
        addRoundTrip(sums, t, symbols, settings, dict);
    }
    return sums;
}

StatsSummary summarizeStats(const FileStats& sums, const std::vector<codec::FeatureTensor>& tensors,
                       const codec::CodecSettings& settings)
{
    const auto& first = tensors.front();
    codec::FeatureTensor total = first; // shape of all tensors stacked along H, for the ratio
    total.height = uint32_t(first.height * tensors.size());
    StatsSummary summary;
    summary.coding = codec::computeCodingStats(total, sums.payloadBytes, sums.frameBytes);
    summary.h0 = sums.entropySum / double(sums.elements);
    summary.mse = sums.squaredError / double(sums.elements);
    const double peak = sums.highest > sums.lowest ? double(sums.highest) - double(sums.lowest) : 1.0;
    summary.psnr = summary.mse > 0 ? 10.0 * std::log10(peak * peak / summary.mse) : INFINITY;
    summary.symbolMB = double(sums.elements * uint64_t(codec::bytesPerElement(settings.representation))) / 1e6;
    return summary;
}

void printStats(std::ostream& out, const FileStats& sums, const StatsSummary& summary,
                const std::vector<codec::FeatureTensor>& tensors, const codec::CodecSettings& settings)
{
    const auto& first = tensors.front();
    const auto& coding = summary.coding;
    char line[512];
    std::snprintf(line, sizeof line,
                  "%zu tensors of %ux%ux%u (of %u channels), %s %s%s\n"
                  "H0 %.4f bit/elem, coded %.4f bit/elem (%.1f%% of H0), frame %.4f bit/elem\n"
                  "bytes: payload %llu, frames %llu; compression vs unpruned float32: %.1fx (payload %.1fx)\n"
                  "zero fraction %.3f; error max %.4g, MSE %.4g, PSNR %.2f dB; round trip %s\n"
                  "encode %.1f MB/s, decode %.1f MB/s of symbols\n",
                  tensors.size(), first.channels, first.height, first.width, first.originalChannels,
                  codec::coderName(settings.coder).c_str(), codec::representationName(settings.representation).c_str(),
                  settings.representation == codec::Representation::Uniform
                      ? (" " + std::to_string(settings.bits) + " bits").c_str()
                      : "",
                  summary.h0, coding.codedBitsPerElement,
                  100.0 * coding.codedBitsPerElement / std::max(summary.h0, 1e-12), coding.frameBitsPerElement,
                  (unsigned long long)sums.payloadBytes, (unsigned long long)sums.frameBytes,
                  coding.compressionRatio, coding.payloadCompressionRatio, sums.zeroSum / double(sums.elements),
                  sums.maxAbs, summary.mse, summary.psnr, sums.roundTrip ? "exact" : "FAILED",
                  summary.symbolMB / sums.encodeSeconds, summary.symbolMB / sums.decodeSeconds);
    out << line;
}

QJsonObject statsJson(const FileStats& sums, const StatsSummary& summary,
                      const std::vector<codec::FeatureTensor>& tensors, const codec::CodecSettings& settings)
{
    const auto& first = tensors.front();
    QJsonArray hist;
    for (auto h : sums.histogram)
        hist.append(qint64(h));
    return {{"tensors", int(tensors.size())},
            {"shape", QJsonArray{int(first.channels), int(first.height), int(first.width)}},
            {"original_channels", int(first.originalChannels)},
            {"codec", QString::fromStdString(codec::coderName(settings.coder))},
            {"repr", QString::fromStdString(codec::representationName(settings.representation))},
            {"bits", settings.representation == codec::Representation::Uniform ? settings.bits : 0},
            {"h0_bits_per_element", summary.h0},
            {"channel_h0_bits_per_element", toJsonArray(sums.channelEntropy)},
            {"coded_bits_per_element", summary.coding.codedBitsPerElement},
            {"frame_bits_per_element", summary.coding.frameBitsPerElement},
            {"payload_bytes", qint64(sums.payloadBytes)},
            {"frame_bytes", qint64(sums.frameBytes)},
            {"compression_ratio", summary.coding.compressionRatio},
            {"payload_compression_ratio", summary.coding.payloadCompressionRatio},
            {"zero_fraction", sums.zeroSum / double(sums.elements)},
            {"histogram", hist},
            {"max_abs_error", sums.maxAbs},
            {"mse", summary.mse},
            {"psnr_db", std::isfinite(summary.psnr) ? QJsonValue(summary.psnr) : QJsonValue("inf")},
            {"round_trip", sums.roundTrip},
            {"encode_mb_per_s", summary.symbolMB / sums.encodeSeconds},
            {"decode_mb_per_s", summary.symbolMB / sums.decodeSeconds}};
}

QJsonObject statsOfFile(const ParsedArgs& args, CommandContext& context, const std::string& in)
{
    const auto dict = dictionaryFrom(args);
    const auto settings = settingsFrom(args, &dict);
    const auto tensors = loadFeatureFile(in);
    const FileStats sums = statsOfTensors(tensors, settings, dict);
    const StatsSummary summary = summarizeStats(sums, tensors, settings);
    printStats(*context.text, sums, summary, tensors, settings);
    if (!sums.roundTrip)
        throw Error("round trip failed: decoded symbols differ from the encoded ones");
    return statsJson(sums, summary, tensors, settings);
}

QJsonObject trainDictionary(const ParsedArgs& args, CommandContext& context, const std::string& in,
                            const std::string& out)
{
    const auto settings = settingsFrom(args, nullptr);
    std::vector<std::vector<uint8_t>> samples;
    for (const auto& t : loadFeatureFile(in))
        samples.push_back(codec::toSymbols(t, settings.representation, settings.bits, settings.perChannel).bytes);
    const auto dict = codec::trainZstdDictionary(samples, size_t(args.integer("dict-size", 256, 1 << 20)));
    writeBytes(out, dict.bytes);
    *context.text << "trained zstd dictionary " << dict.id() << " (" << dict.bytes.size() << " bytes) from "
                  << samples.size() << " tensors into " << out << "\n";
    return {{"dictionary_id", qint64(dict.id())}, {"bytes", qint64(dict.bytes.size())}};
}

QJsonObject runCodec(const ParsedArgs& args, CommandContext& context)
{
    const auto& p = args.positional();
    const std::string action = p.empty() ? "" : p[0];
    const auto need = [&](size_t count, const char* usage) {
        if (p.size() != count)
            throw UsageError(std::string("usage: aecnn codec ") + usage);
    };
    QJsonObject result;
    if (action == "encode") {
        need(3, "encode IN.npy OUT.aecf");
        result = encodeFile(args, context, p[1], p[2]);
    } else if (action == "decode") {
        need(3, "decode IN.aecf OUT.npy");
        result = decodeFile(args, context, p[1], p[2]);
    } else if (action == "stats") {
        need(2, "stats IN.npy");
        result = statsOfFile(args, context, p[1]);
    } else if (action == "train-dict" && args.has("model")) {
        result = trainModelDictionary(args, context);
    } else if (action == "train-dict") {
        need(3, "train-dict CALIBRATION.npy OUT.zdict");
        result = trainDictionary(args, context, p[1], p[2]);
    } else {
        throw UsageError("codec needs an action: encode, decode, stats or train-dict");
    }
    result["action"] = QString::fromStdString(action);
    return result;
}

} // namespace

Command codecCommand()
{
    auto options = transportOptions(TransportCommand::Codec);
    const std::vector<OptionSpec> more{
        {"level", "N", "zstd level for --codec zstd", std::to_string(codec::kDefaultZstdLevel)},
        {"dict", "FILE", "zstd dictionary (from train-dict) for the zstd codecs", ""},
        {"dict-size", "BYTES", "train-dict: dictionary capacity", "16384"},
        {"model", "SPLIT_MODEL", "train-dict: train on this split model's transmitted tensors instead of a .npy", ""},
        {"dataset", "SPEC", "train-dict --model: calibration images (train subset)", "fashion-mnist"},
        {"count", "N", "train-dict --model: calibration images", "1000"},
        {"store", "", "train-dict --model: store the dictionary in the model file (in place)", ""},
        {"out", "FILE", "train-dict --model: write a copy of the model with the dictionary there", ""}};
    options.insert(options.end(), more.begin(), more.end());
    return {"codec", "encode|decode|stats|train-dict feature tensors (.npy) with a named entropy coder", options, 3,
            runCodec};
}

} // namespace aecnn::cli
