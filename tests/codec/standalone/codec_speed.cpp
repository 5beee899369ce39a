// Single-thread speed of one coder on real activations (an N x C x H x W .npy from
// `aecnn dump-features`), without LibTorch:
//   codec_speed FILE.npy [CODER=context] [BITS=8] [REPEATS=15] [CHANNELS=all] [fresh]
// CHANNELS keeps the first channels of every tensor (small tensors: per-call cost);
// "fresh" codes without a CoderWorkspace (new zstd contexts per call).
// Prints symbol MB/s (best of REPEATS) by wall clock and by thread CPU time; the
// CPU-time figure is the one to trust on a shared machine.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <ctime>
#include <string>
#include <vector>

#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/npy_io.h"
#include "aecnn/codec/quantizer.h"

using namespace aecnn::codec;

namespace {

double threadSeconds()
{
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

double wallSeconds()
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Best {
    double wall = 1e300, cpu = 1e300;
};

template <typename F> Best best(int repeats, F&& run)
{
    Best b;
    for (int r = 0; r < repeats; ++r) {
        const double w0 = wallSeconds(), c0 = threadSeconds();
        run();
        b.cpu = std::min(b.cpu, threadSeconds() - c0);
        b.wall = std::min(b.wall, wallSeconds() - w0);
    }
    return b;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: codec_speed FILE.npy [CODER=context] [BITS=8] [REPEATS=15] [CHANNELS=all] [fresh]\n");
        return 2;
    }
    try {
        const NpyArray array = readNpy(argv[1]);
        const CoderId coder = coderFromName(argc > 2 ? argv[2] : "context");
        const int bits = argc > 3 ? std::stoi(argv[3]) : 8;
        const int repeats = argc > 4 ? std::stoi(argv[4]) : 15;
        if (array.shape.size() != 4)
            throw std::runtime_error("need an N x C x H x W array");
        const size_t keptChannels = argc > 5 ? std::min<size_t>(std::stoul(argv[5]), array.shape[1]) : array.shape[1];
        std::vector<SymbolTensor> symbols;
        std::vector<SymbolLayout> layouts;
        size_t symbolBytes = 0;
        const size_t n = array.shape[0], perTensor = array.values.size() / n;
        for (size_t i = 0; i < n; ++i) {
            FeatureTensor t;
            t.channels = uint32_t(keptChannels);
            t.originalChannels = uint32_t(array.shape[1]);
            for (size_t c = 0; c < keptChannels && keptChannels < array.shape[1]; ++c)
                t.keptChannels.push_back(uint16_t(c));
            t.height = uint32_t(array.shape[2]);
            t.width = uint32_t(array.shape[3]);
            const size_t keptValues = keptChannels * array.shape[2] * array.shape[3];
            t.values.assign(array.values.begin() + std::ptrdiff_t(i * perTensor),
                            array.values.begin() + std::ptrdiff_t(i * perTensor + keptValues));
            symbols.push_back(toSymbols(t, Representation::Uniform, bits, true));
            SymbolLayout layout{t.channels, t.height, t.width, Representation::Uniform, bits, {}};
            for (const auto& r : symbols.back().quant.ranges)
                layout.zeroPoints.push_back(r.zeroPoint);
            layouts.push_back(layout);
            symbolBytes += symbols.back().bytes.size();
        }
        CoderWorkspace workspace;
        CoderOptions options;
        if (!(argc > 6 && std::string(argv[6]) == "fresh")) // "fresh": new zstd contexts per call
            options.workspace = &workspace;
        std::vector<std::vector<uint8_t>> payloads(n);
        const Best enc = best(repeats, [&] {
            for (size_t i = 0; i < n; ++i)
                payloads[i] = encodePayload(coder, symbols[i].bytes, layouts[i], options);
        });
        size_t payloadBytes = 0;
        uint64_t checksum = 1469598103934665603ull; // FNV-1a of every payload: same coder output?
        for (size_t i = 0; i < n; ++i) {
            payloadBytes += payloads[i].size();
            for (uint8_t byte : payloads[i])
                checksum = (checksum ^ byte) * 1099511628211ull;
            if (decodePayload(coder, payloads[i].data(), payloads[i].size(), symbols[i].bytes.size(), layouts[i],
                              options) != symbols[i].bytes)
                throw std::runtime_error("round trip failed");
        }
        const Best dec = best(repeats, [&] {
            for (size_t i = 0; i < n; ++i)
                decodePayload(coder, payloads[i].data(), payloads[i].size(), symbols[i].bytes.size(), layouts[i],
                              options);
        });
        const double mb = double(symbolBytes) / 1e6;
        std::printf("%s %d bits, %zu tensors, %.3f bit/el: encode %.1f MB/s (cpu %.1f), decode %.1f MB/s (cpu %.1f), payload FNV %016llx\n",
                    coderName(coder).c_str(), bits, n, 8.0 * double(payloadBytes) / double(symbolBytes),
                    mb / enc.wall, mb / enc.cpu, mb / dec.wall, mb / dec.cpu, (unsigned long long)checksum);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "codec_speed: %s\n", e.what());
        return 1;
    }
    return 0;
}
