// Writes seed inputs for the session-layout paths of fuzz_decode_frame into a folder:
//   session-<k>.bin  a session frame of one of the target's known layouts (the whole input)
//   layout-<k>.bin   [u8 n][n bytes: serialized layout][a session frame of it]
// Usage: make_session_seeds DIR   (the committed seeds: tests/codec/fuzz/corpus)
#include <cstdio>
#include <string>
#include <vector>

#include "../codec_fixtures.h"
#include "aecnn/codec/session_layout.h"

using namespace aecnn::codec;

namespace {

void write(const std::string& path, const std::vector<uint8_t>& bytes)
{
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
        std::perror(path.c_str());
        std::exit(1);
    }
    std::fclose(f);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const std::string dir = argv[1];
    struct Seed {
        CoderId coder;
        Representation repr;
        int bits;
        bool perChannel;
        uint32_t c, h, w, original;
        std::vector<uint16_t> kept;
        bool fixed;
        int priorStride = 0; // > 0: context priors on every priorStride-th adaptive bit (version-2 layout)
    };
    // The same as the fuzz target's knownLayouts() (a subset).
    const std::vector<Seed> seeds{
        {CoderId::Context, Representation::Uniform, 4, true, 1, 14, 14, 64, {17}, false},
        {CoderId::Context, Representation::Uniform, 3, true, 1, 14, 14, 64, {17}, true},
        {CoderId::Context, Representation::Uniform, 8, true, 1, 14, 14, 64, {17}, false},
        {CoderId::Context, Representation::Uniform, 4, false, 3, 5, 7, 3, {}, false},
        {CoderId::ZstdEntropy, Representation::Uniform, 8, true, 2, 7, 7, 8, {1, 6}, false},
        {CoderId::Store, Representation::Float16, 8, false, 1, 3, 3, 2, {1}, false},
        {CoderId::Context, Representation::Uniform, 3, true, 1, 14, 14, 64, {17}, true, 1},   // (as in the target)
        {CoderId::Context, Representation::Uniform, 3, true, 1, 14, 14, 64, {17}, true, 11},  // fits the u8 length
    };
    for (size_t k = 0; k < seeds.size(); ++k) {
        const Seed& s = seeds[k];
        FeatureTensor t = testing::reluBlobs(s.c, s.h, s.w, uint32_t(k + 1));
        t.originalChannels = s.original;
        t.keptChannels = s.kept;
        CodecSettings settings;
        settings.coder = s.coder;
        settings.representation = s.repr;
        settings.bits = s.bits;
        settings.perChannel = s.perChannel && s.repr == Representation::Uniform;
        SessionLayout layout = layoutFor(t, settings);
        if (s.fixed)
            for (uint32_t i = 0; i < (layout.perChannel ? s.c : 1); ++i)
                layout.fixedRanges.push_back(QuantRange{0.125f * float(i + 1), uint8_t(i % 3)});
        if (s.priorStride > 0) {
            layout.contextPriors.confidence = 16;
            for (int c = 0, k = 0; c < kContextModelBits; c += s.priorStride, ++k)
                layout.contextPriors.priors.push_back(
                    {uint16_t(c), uint16_t(k == 0 ? 1 : k == 1 ? 32767 : k == 2 ? 16384 : 1 + (uint32_t(c) * 7919u) % 32767u)});
        }
        const auto frame = encodeSessionFrame(t, layout, settings);
        write(dir + "/session-" + std::to_string(k) + ".bin", frame);
        const auto layoutBytes = serializeLayout(layout);
        if (layoutBytes.size() > 255) // the target's [u8 n] framing: only the session frame is a seed
            continue;
        std::vector<uint8_t> both{uint8_t(layoutBytes.size())};
        both.insert(both.end(), layoutBytes.begin(), layoutBytes.end());
        both.insert(both.end(), frame.begin(), frame.end());
        write(dir + "/layout-" + std::to_string(k) + ".bin", both);
    }
    return 0;
}
