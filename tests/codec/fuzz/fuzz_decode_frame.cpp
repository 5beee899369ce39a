// libFuzzer target for the feature-frame decoder (see tests/codec/standalone).
// Each input is decoded twice: as is (exercises the header checks and the
// CRC), and with its CRC recomputed so that the fuzzer also reaches the field
// validation and every payload decoder behind the CRC. Whatever decodes is
// encoded again with the frame's own settings and decoded once more; that must
// give the same tensor (any difference, or a refusal to encode or decode what
// was just decoded, traps):
//  - float32 / float32-shuffled / float16: the whole frame through encodeFrame;
//    the values must come back bit-identical (float16: NaN stays NaN, its payload
//    may gain the quiet bit);
//  - uint: the decoded symbols through the same coder (encodePayload) with the
//    frame's zero points; the symbols must come back identical, so dequantizing
//    with the frame's scales gives the same tensor. (Re-quantizing the floats would
//    choose new scales from their min/max: not a round trip of the frame.)
//
// Layout-framed frames (session_layout.h), on every input too:
//  - the whole input as a session frame of each of a fixed set of valid layouts (every
//    coder and representation, 2..8 bits, per channel / tensor, pruned, fixed ranges, context
//    priors — version-2 layouts, with probabilities down to 1 and up to 32767/32768): what
//    decodes is re-encoded (symbols through the coder, the frame rebuilt from the layout's
//    tag and the decoded ranges) and must decode to the same symbols and tensor;
//  - the input as [u8 n][n bytes: a serialized layout][the rest: a session frame of it],
//    once as is and once with the layout's CRC recomputed, so that mutations reach the
//    layout's field checks (n < 256: layouts with up to ~75 context priors); a layout that
//    parses must serialize to the same bytes. Re-encoding uses the layout's priors.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <zlib.h>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/session_layout.h"
#include "aecnn/error.h"

namespace {

using namespace aecnn::codec;

bool sameFloat(float a, float b)
{
    return std::memcmp(&a, &b, 4) == 0 || (std::isnan(a) && std::isnan(b));
}

bool sameValues(const std::vector<float>& a, const std::vector<float>& b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!sameFloat(a[i], b[i]))
            return false;
    return true;
}

void reencodeFloatFrame(const DecodedFrame& frame, const DecodeLimits& limits)
{
    CodecSettings settings;
    settings.coder = frame.coder;
    settings.representation = frame.symbols.representation;
    settings.bits = 8; // ignored by float representations
    const auto again = encodeFrame(frame.tensor, settings);
    const DecodedFrame back = decodeFrame(again.data(), again.size(), limits);
    if (back.coder != frame.coder || back.tensor.channels != frame.tensor.channels ||
        back.tensor.height != frame.tensor.height || back.tensor.width != frame.tensor.width ||
        back.tensor.originalChannels != frame.tensor.originalChannels ||
        back.tensor.keptChannels != frame.tensor.keptChannels || !sameValues(back.tensor.values, frame.tensor.values))
        __builtin_trap();
}

void reencodeSymbols(const DecodedFrame& frame)
{
    const QuantParams& quant = frame.symbols.quant;
    SymbolLayout layout{frame.tensor.channels,   frame.tensor.height, frame.tensor.width,
                        Representation::Uniform, quant.bits,          {}};
    for (const QuantRange& r : quant.ranges)
        layout.zeroPoints.push_back(r.zeroPoint);
    const auto& symbols = frame.symbols.bytes;
    const auto payload = encodePayload(frame.coder, symbols, layout, {});
    const auto back = decodePayload(frame.coder, payload.data(), payload.size(), symbols.size(), layout, {});
    if (back != symbols)
        __builtin_trap();
    SymbolTensor again = frame.symbols;
    again.bytes = back;
    FeatureTensor tensor = frame.tensor;
    fromSymbols(again, tensor);
    if (!sameValues(tensor.values, frame.tensor.values))
        __builtin_trap();
}

void decodeOrReject(const uint8_t* data, size_t size)
{
    DecodeLimits limits;
    limits.maxElements = 1 << 20; // keeps each execution fast; the checks are the same
    DecodedFrame frame;
    try {
        frame = decodeFrame(data, size, limits);
    } catch (const aecnn::Error&) {
        return;
    }
    if (frame.tensor.values.size() != frame.tensor.elementCount())
        __builtin_trap();
    try { // what decoded must encode again and decode to the same tensor
        if (frame.symbols.representation == Representation::Uniform)
            reencodeSymbols(frame);
        else
            reencodeFloatFrame(frame, limits);
    } catch (const aecnn::Error&) {
        __builtin_trap();
    }
}

// The decoded session frame coded again: the same symbols, and (rebuilt from the layout's
// tag, the decoded ranges and the new payload) the same frame decodes to the same tensor.
void reencodeSession(const DecodedFrame& frame, const SessionLayout& layout)
{
    SymbolLayout symbolLayout{layout.channels, layout.height, layout.width, layout.representation,
                              layout.representation == Representation::Uniform ? layout.bits : 8, {}};
    for (const QuantRange& r : frame.symbols.quant.ranges)
        symbolLayout.zeroPoints.push_back(r.zeroPoint);
    const auto& symbols = frame.symbols.bytes;
    CoderOptions options;
    options.contextPriors = layout.contextPriors.empty() ? nullptr : &layout.contextPriors;
    const auto payload = encodePayload(layout.coder, symbols, symbolLayout, options);
    std::vector<uint8_t> again{uint8_t(layoutId(layout))};
    if (layout.representation == Representation::Uniform && !layout.rangesFixed())
        for (const QuantRange& r : frame.symbols.quant.ranges) {
            uint32_t bits;
            std::memcpy(&bits, &r.scale, 4);
            for (int i = 0; i < 4; ++i)
                again.push_back(uint8_t(bits >> (8 * i)));
            again.push_back(r.zeroPoint);
        }
    again.insert(again.end(), payload.begin(), payload.end());
    const DecodedFrame back = decodeSessionFrame(again.data(), again.size(), layout);
    if (back.symbols.bytes != symbols || !sameValues(back.tensor.values, frame.tensor.values) ||
        back.tensor.keptChannels != layout.keptChannels)
        __builtin_trap();
}

void decodeSessionOrReject(const uint8_t* data, size_t size, const SessionLayout& layout)
{
    DecodedFrame frame;
    try {
        frame = decodeSessionFrame(data, size, layout);
    } catch (const aecnn::Error&) {
        return;
    }
    if (frame.tensor.values.size() != layout.elementCount() || frame.sizes.totalBytes != size)
        __builtin_trap();
    try {
        reencodeSession(frame, layout);
    } catch (const aecnn::Error&) {
        __builtin_trap();
    }
}

SessionLayout makeLayout(CoderId coder, Representation repr, int bits, bool perChannel, uint32_t c, uint32_t h,
                         uint32_t w, uint32_t original, std::vector<uint16_t> kept, bool fixed)
{
    SessionLayout l;
    l.coder = coder;
    l.representation = repr;
    l.bits = bits;
    l.perChannel = perChannel;
    l.channels = c;
    l.height = h;
    l.width = w;
    l.originalChannels = original;
    l.keptChannels = std::move(kept);
    if (fixed)
        for (uint32_t i = 0; i < (perChannel ? c : 1); ++i)
            l.fixedRanges.push_back(QuantRange{0.125f * float(i + 1), uint8_t(i % 3)});
    validate(l);
    return l;
}

// Deterministic priors over every `stride`-th adaptive bit, extreme probabilities included.
ContextPriors syntheticPriors(int stride, uint8_t confidence)
{
    ContextPriors priors;
    priors.confidence = confidence;
    for (int c = 0, k = 0; c < kContextModelBits; c += stride, ++k) {
        const uint16_t extremes[] = {1, 32767, 16384};
        const uint16_t p = k < 3 ? extremes[k] : uint16_t(1 + (uint32_t(c) * 7919u) % 32767u);
        priors.priors.push_back({uint16_t(c), p});
    }
    return priors;
}

SessionLayout withPriors(SessionLayout l, int stride, uint8_t confidence)
{
    l.contextPriors = syntheticPriors(stride, confidence);
    validate(l);
    return l;
}

const std::vector<SessionLayout>& knownLayouts()
{
    static const std::vector<SessionLayout> layouts = [] {
        std::vector<SessionLayout> v;
        using C = CoderId;
        using R = Representation;
        for (int bits = 2; bits <= 8; ++bits) {
            v.push_back(makeLayout(C::Context, R::Uniform, bits, true, 1, 14, 14, 64, {17}, false));
            v.push_back(makeLayout(C::Context, R::Uniform, bits, true, 1, 14, 14, 64, {17}, true));
        }
        v.push_back(makeLayout(C::Context, R::Uniform, 4, false, 3, 5, 7, 3, {}, false));
        v.push_back(withPriors(makeLayout(C::Context, R::Uniform, 3, true, 1, 14, 14, 64, {17}, true), 1, 16));
        v.push_back(withPriors(makeLayout(C::Context, R::Uniform, 8, true, 1, 14, 14, 64, {17}, false), 2, 31));
        v.push_back(withPriors(makeLayout(C::Context, R::Uniform, 2, false, 3, 5, 7, 3, {}, true), 5, 1));
        v.push_back(makeLayout(C::Context, R::Uniform, 3, true, 2, 6, 5, 16, {0, 9}, true));
        v.push_back(makeLayout(C::ZstdEntropy, R::Uniform, 8, true, 2, 7, 7, 8, {1, 6}, false));
        v.push_back(makeLayout(C::Zstd, R::Uniform, 5, false, 1, 9, 9, 1, {}, true));
        v.push_back(makeLayout(C::Store, R::Uniform, 2, true, 1, 4, 4, 1, {}, false));
        v.push_back(makeLayout(C::Store, R::Float16, 8, false, 1, 3, 3, 2, {1}, false));
        v.push_back(makeLayout(C::ZstdEntropy, R::Float32, 8, false, 2, 4, 3, 2, {}, false));
        v.push_back(makeLayout(C::Zstd, R::Float32Shuffled, 8, false, 1, 5, 2, 1, {}, false));
        return v;
    }();
    return layouts;
}

void layoutAndFrame(const uint8_t* data, size_t size)
{
    if (size < 1)
        return;
    const size_t n = data[0];
    if (n > size - 1)
        return;
    DecodeLimits limits;
    limits.maxElements = 1 << 16;
    std::vector<uint8_t> layoutBytes(data + 1, data + 1 + n);
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1) { // the layout's CRC recomputed
            if (n < 4)
                return;
            const uint32_t crc = uint32_t(crc32(0L, layoutBytes.data(), uInt(n - 4)));
            for (int i = 0; i < 4; ++i)
                layoutBytes[n - 4 + size_t(i)] = uint8_t(crc >> (8 * i));
        }
        SessionLayout layout;
        try {
            layout = parseLayout(layoutBytes.data(), layoutBytes.size(), limits);
        } catch (const aecnn::Error&) {
            continue;
        }
        try { // what parses serializes to the same bytes
            if (serializeLayout(layout) != layoutBytes)
                __builtin_trap();
        } catch (const aecnn::Error&) {
            __builtin_trap();
        }
        decodeSessionOrReject(data + 1 + n, size - 1 - n, layout);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    for (const auto& layout : knownLayouts())
        decodeSessionOrReject(data, size, layout);
    layoutAndFrame(data, size);
    decodeOrReject(data, size);
    if (size >= 4) {
        std::vector<uint8_t> sealed(data, data + size);
        const uint32_t crc = uint32_t(crc32(0L, sealed.data(), uInt(size - 4)));
        for (int i = 0; i < 4; ++i)
            sealed[size - 4 + size_t(i)] = uint8_t(crc >> (8 * i));
        decodeOrReject(sealed.data(), sealed.size());
    }
    return 0;
}
