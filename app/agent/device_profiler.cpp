#include "device_profiler.h"

#include <cstdio>
#include <numeric>

#include <QDateTime>
#include <QFile>
#include <QSysInfo>

#include <torch/torch.h>

#include "aecnn/codec/entropy_coder.h"
#include "aecnn/error.h"
#include "aecnn/latency/timing.h"
#include "aecnn/model/model_spec.h"
#include "aecnn/split/model_input.h"
#include "aecnn/split/split_model.h"
#include "aecnn/split/split_transport.h"
#include "frame_source.h"
#include "jpeg_capture.h"

namespace aecnn::agent {
namespace {

using latency::medianMilliseconds;

std::string cpuModelName()
{
    QFile cpuinfo("/proc/cpuinfo");
    if (cpuinfo.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : cpuinfo.readAll().split('\n')) {
            // x86: "model name"; ARM (Raspberry Pi OS): "Model" or "Hardware".
            if (line.startsWith("model name") || line.startsWith("Model") || line.startsWith("Hardware")) {
                const int colon = line.indexOf(':');
                if (colon > 0)
                    return line.mid(colon + 1).trimmed().toStdString();
            }
        }
    }
    return QSysInfo::currentCpuArchitecture().toStdString();
}

void checkCoder(const std::string& coder)
{
    codec::coderFromName(coder); // throws, listing the valid names
}

// "native" -> (0, 0); "WxH" -> (W, H); throws naming the option.
std::pair<int, int> parseCaptureSize(const std::string& size)
{
    if (size == "native")
        return {0, 0};
    int w = 0, h = 0;
    char tail = 0;
    if (std::sscanf(size.c_str(), "%dx%d%c", &w, &h, &tail) != 2 || w < 1 || h < 1 || w > 16384 || h > 16384)
        throw Error("--profile-jpeg-sizes: '" + size + "' is not 'native' or WxH (e.g. 640x480)");
    return {w, h};
}

// Full offloading at each capture size: resize + JPEG encode times (median over `repeats`,
// cycling through `images`) and the mean JPEG bytes of those images.
std::vector<latency::JpegMeasurement> measureJpeg(const ProfileRequest& request, const std::vector<SourceImage>& images)
{
    std::vector<latency::JpegMeasurement> out;
    for (const auto& size : request.jpegSizes) {
        const auto [w, h] = parseCaptureSize(size);
        latency::JpegMeasurement j;
        j.size = size;
        j.quality = request.jpegQuality;
        size_t next = 0;
        cv::Mat resized;
        j.resizeMs = w == 0 ? 0.0 : medianMilliseconds(request.repeats, [&] {
            resized = resizeToCaptureSize(images[next++ % images.size()].image, w, h);
        });
        std::vector<cv::Mat> captured;
        double bytes = 0;
        for (const auto& image : images) {
            captured.push_back(resizeToCaptureSize(image.image, w, h));
            bytes += static_cast<double>(encodeJpeg(captured.back(), j.quality).size());
        }
        j.width = captured.front().cols;
        j.height = captured.front().rows;
        j.bytes = bytes / static_cast<double>(captured.size());
        next = 0;
        j.encMs = medianMilliseconds(request.repeats,
                                     [&] { encodeJpeg(captured[next++ % captured.size()], j.quality); });
        out.push_back(j);
    }
    return out;
}

// One head (input .. CL l) and what it transmits.
struct ProfiledHead {
    torch::Tensor output;
    TransmittedLayout layout;
};

} // namespace

latency::MeasuredDeviceProfile measureDeviceProfile(const ProfileRequest& request,
                                                    const std::function<void(const std::string&)>& progress)
{
    auto say = [&](const std::string& text) {
        if (progress)
            progress(text);
    };
    for (const auto& coder : request.coders)
        checkCoder(coder);
    for (int b : request.bits)
        if (b != 0 && (b < 2 || b > 8))
            throw Error("--profile-bits: " + std::to_string(b) + " is not a bit depth (2..8, or 0 for float32)");
    if (request.jpegQuality < 1 || request.jpegQuality > 100)
        throw Error("--profile-jpeg-quality must be 1..100, got " + std::to_string(request.jpegQuality));
    for (const auto& size : request.jpegSizes)
        parseCaptureSize(size);
    for (int v : request.ratios)
        if (v < 1)
            throw Error("--profile-ratios: V must be >= 1, got " + std::to_string(v));
    if (request.repeats < 1)
        throw Error("--repeats must be >= 1");
    torch::set_num_threads(request.threads);
    torch::NoGradGuard noGrad;

    auto model = loadClassifierSpec(request.model);
    auto& net = *model.net;
    net.eval();
    const int height = model.usage.inputHeight, width = model.usage.inputWidth;
    const int channels = net.config().inChannels;

    latency::MeasuredDeviceProfile p;
    p.hostname = QSysInfo::machineHostName().toStdString();
    p.arch = QSysInfo::currentCpuArchitecture().toStdString();
    p.cpu = cpuModelName();
    p.os = QSysInfo::prettyProductName().toStdString();
    p.threads = request.threads;
    p.name = request.name.empty() ? p.arch + "-" + p.hostname : request.name;
    p.model = request.model;
    p.inputHeight = height;
    p.inputWidth = width;
    p.inputChannels = channels;
    p.date = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    p.command = request.command;
    p.repeats = request.repeats;

    // Capture and pre-processing, from the frame source the stream would use.
    auto source = makeFrameSource(request.dataset, height, width, channels);
    say("capture + pre-processing from " + source->describe());
    SourceImage image;
    p.captureMs = medianMilliseconds(request.repeats, [&] { image = source->next(); });
    torch::Tensor input;
    p.preprocessMs = medianMilliseconds(request.repeats, [&] {
        input = edge::modelInput(image.image, model.usage.normalization, height, width);
    });
    p.localMs = medianMilliseconds(request.repeats, [&] { net.forward(input); });
    if (!request.jpegSizes.empty()) {
        std::vector<SourceImage> images{image};
        for (int i = 1; i < 8; ++i)
            images.push_back(source->next());
        say("full offloading: resize + JPEG encode (quality " + std::to_string(request.jpegQuality) + ") at " +
            std::to_string(request.jpegSizes.size()) + " capture size(s)");
        p.jpeg = measureJpeg(request, images);
    }

    std::vector<int> splits = request.splits;
    if (splits.empty()) {
        splits.resize(static_cast<size_t>(net.splitPointCount()));
        std::iota(splits.begin(), splits.end(), 1);
    }
    for (int split : splits) {
        if (split < 1 || split > net.splitPointCount())
            throw Error("--profile-splits: the model has split points 1.." + std::to_string(net.splitPointCount()) +
                        ", not " + std::to_string(split));
        const auto full = net.head(input, split);
        const int c = static_cast<int>(full.size(1));
        for (int ratio : request.ratios) {
            if (c % ratio != 0) {
                say("split " + std::to_string(split) + ": V=" + std::to_string(ratio) + " does not divide its " +
                    std::to_string(c) + " channels; skipped");
                continue;
            }
            ProfiledHead head;
            latency::HeadMeasurement h;
            h.split = split;
            h.ratio = ratio;
            if (ratio == 1) {
                h.headMs = medianMilliseconds(request.repeats, [&] { head.output = net.head(input, split); });
                head.layout.variant = "aecnn";
                head.layout.split = split;
                head.layout.ratio = 1;
                head.layout.featureChannels = head.layout.channels = static_cast<uint32_t>(c);
                head.layout.height = static_cast<uint32_t>(full.size(2));
                head.layout.width = static_cast<uint32_t>(full.size(3));
            } else {
                // Pruned head computing C / V channels; which ones does not change its cost.
                std::vector<int64_t> kept(static_cast<size_t>(c / ratio));
                std::iota(kept.begin(), kept.end(), int64_t{0});
                AecnnModel pruned(SplitVariant::CaPruned, net, split, kept, ratio);
                pruned->eval();
                h.headMs = medianMilliseconds(request.repeats, [&] { head.output = pruned->encode(input); });
                head.layout = transmittedLayout(*pruned, height, width);
            }
            h.channels = static_cast<int>(head.output.size(1));
            h.height = static_cast<int>(head.output.size(2));
            h.width = static_cast<int>(head.output.size(3));
            p.heads.push_back(h);
            for (const auto& coder : request.coders)
                for (int bits : request.bits) {
                    TransportSettings settings;
                    settings.coder = coder;
                    settings.representation = bits == 0 ? "float32" : "uint";
                    settings.bits = bits == 0 ? 8 : bits;
                    std::unique_ptr<SplitTransport> transport;
                    try {
                        transport = std::make_unique<SplitTransport>(head.layout, settings);
                        transport->encode(head.output);
                    } catch (const Error& e) {
                        say("coder " + coder + " at " + (bits == 0 ? std::string("float32") : std::to_string(bits)) +
                            " bits: " + e.what() + "; skipped");
                        continue;
                    }
                    codec::CoderWorkspace workspace;
                    TransportFrameInfo info;
                    latency::EncoderMeasurement e;
                    e.split = split;
                    e.ratio = ratio;
                    e.coder = coder;
                    e.bits = bits;
                    e.encMs = medianMilliseconds(request.repeats,
                                                 [&] { transport->encode(head.output, &info, &workspace); });
                    e.bitsPerElement = 8.0 * static_cast<double>(info.sizes.payloadBytes) /
                                       static_cast<double>(head.layout.elements());
                    p.encoders.push_back(e);
                }
            say("split " + std::to_string(split) + " V=" + std::to_string(ratio) + ": head " +
                std::to_string(h.headMs) + " ms");
        }
    }
    if (p.heads.empty())
        throw Error("nothing to profile: no V of --profile-ratios divides the channels of the chosen split points");
    return p;
}

std::string describeProfile(const latency::MeasuredDeviceProfile& p)
{
    std::string out;
    char line[256];
    std::snprintf(line, sizeof line,
                  "device profile '%s': %s, %s, %d thread(s), input %dx%dx%d, model %s, median of %d runs\n",
                  p.name.c_str(), p.arch.c_str(), p.cpu.c_str(), p.threads, p.inputChannels, p.inputHeight,
                  p.inputWidth, p.model.c_str(), p.repeats);
    out += line;
    std::snprintf(line, sizeof line, "capture %.4f ms, pre-processing %.4f ms, whole model (local) %.4f ms\n",
                  p.captureMs, p.preprocessMs, p.localMs);
    out += line;
    out += "split    V  tensor          t_iot ms   coder@bits: t_enc ms (bits/element)\n";
    for (const auto& h : p.heads) {
        std::snprintf(line, sizeof line, "%5d %4d  %4dx%3dx%-3d %11.4f  ", h.split, h.ratio, h.channels, h.height,
                      h.width, h.headMs);
        out += line;
        for (const auto& e : p.encoders)
            if (e.split == h.split && e.ratio == h.ratio) {
                std::snprintf(line, sizeof line, " %s@%s: %.4f (%.3f)", e.coder.c_str(),
                              e.bits == 0 ? "f32" : std::to_string(e.bits).c_str(), e.encMs, e.bitsPerElement);
                out += line;
            }
        out += "\n";
    }
    if (!p.jpeg.empty())
        out += "full offloading   image      quality  resize ms  JPEG enc ms  bytes\n";
    for (const auto& j : p.jpeg) {
        std::snprintf(line, sizeof line, "  %-14s %5dx%-5d %4d %10.4f %12.4f %8.1f\n", j.size.c_str(), j.width,
                      j.height, j.quality, j.resizeMs, j.encMs, j.bytes);
        out += line;
    }
    return out;
}

} // namespace aecnn::agent
