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
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <zlib.h>

#include "aecnn/codec/bitstream.h"
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
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
