#include "aecnn/codec/bitstream.h"

#include <cmath>
#include <cstring>
#include <string>

#include <zlib.h>

#include "aecnn/error.h"

namespace aecnn::codec {
namespace {

constexpr uint8_t kMagic[4] = {'A', 'E', 'C', 'F'};
constexpr uint16_t kFlagPerChannel = 1;
constexpr size_t kCrcBytes = 4;
constexpr size_t kMaxPayload = size_t(1) << 30;

uint32_t crcOf(const uint8_t* data, size_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) { // zlib takes uInt lengths
        const uInt chunk = uInt(std::min<size_t>(size, 1u << 30));
        crc = crc32(crc, data, chunk);
        data += chunk;
        size -= chunk;
    }
    return uint32_t(crc);
}

void putU16(std::vector<uint8_t>& out, uint16_t v)
{
    out.push_back(uint8_t(v));
    out.push_back(uint8_t(v >> 8));
}
void putU32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(uint8_t(v >> (8 * i)));
}

// Bounds-checked little-endian reader over one frame.
class Reader {
public:
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    void need(size_t bytes, const char* what) const
    {
        if (bytes > size_ - pos_)
            throw Error(std::string("frame is truncated: ") + what + " is incomplete");
    }
    uint8_t u8(const char* what)
    {
        need(1, what);
        return data_[pos_++];
    }
    uint16_t u16(const char* what)
    {
        need(2, what);
        const uint16_t v = uint16_t(data_[pos_] | (data_[pos_ + 1] << 8));
        pos_ += 2;
        return v;
    }
    uint32_t u32(const char* what)
    {
        need(4, what);
        uint32_t v = 0;
        for (int i = 3; i >= 0; --i)
            v = (v << 8) | data_[pos_ + size_t(i)];
        pos_ += 4;
        return v;
    }
    float f32(const char* what)
    {
        const uint32_t bits = u32(what);
        float v;
        std::memcpy(&v, &bits, 4);
        return v;
    }
    size_t position() const { return pos_; }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

struct Header {
    uint8_t version = 0;
    CoderId coder = CoderId::Store;
    Representation representation = Representation::Float32;
    int bits = 0;
    uint16_t flags = 0;
    uint32_t channels = 0, height = 0, width = 0, originalChannels = 0;
    uint32_t dictionaryId = 0;
    uint32_t payloadLength = 0;
};

// Reads and validates the fixed header (everything needed to know the frame length).
Header readFixedHeader(Reader& in, const DecodeLimits& limits)
{
    uint8_t magic[4];
    for (auto& b : magic)
        b = in.u8("magic");
    if (std::memcmp(magic, kMagic, 4) != 0)
        throw Error("not an AECNN feature frame (bad magic)");
    Header h;
    h.version = in.u8("version");
    if (h.version != kFrameVersion)
        throw Error("unsupported frame version " + std::to_string(h.version) + " (this build reads version " +
                    std::to_string(kFrameVersion) + ")");
    const uint8_t coder = in.u8("coder id");
    if (coder > uint8_t(CoderId::Context))
        throw Error("frame names unknown coder id " + std::to_string(coder));
    h.coder = CoderId(coder);
    const uint8_t representation = in.u8("representation");
    if (representation > uint8_t(Representation::Uniform))
        throw Error("frame names unknown representation id " + std::to_string(representation));
    h.representation = Representation(representation);
    h.bits = in.u8("bits");
    if (h.representation == Representation::Uniform ? (h.bits < 2 || h.bits > 8) : h.bits != 0)
        throw Error("frame has an invalid bit count " + std::to_string(h.bits) + " for " +
                    representationName(h.representation));
    h.flags = in.u16("flags");
    if (h.flags & ~kFlagPerChannel)
        throw Error("frame sets unknown flags " + std::to_string(h.flags));
    if ((h.flags & kFlagPerChannel) && h.representation != Representation::Uniform)
        throw Error("frame sets per-channel quantization for a float representation");
    if (in.u16("reserved field") != 0)
        throw Error("frame's reserved field is not zero");
    h.channels = in.u32("channel count");
    h.height = in.u32("height");
    h.width = in.u32("width");
    h.originalChannels = in.u32("unpruned channel count");
    if (h.channels == 0 || h.height == 0 || h.width == 0)
        throw Error("frame has an empty shape");
    if (h.channels > limits.maxChannels || h.originalChannels > limits.maxChannels || h.height > limits.maxHeight ||
        h.width > limits.maxWidth)
        throw Error("frame shape " + std::to_string(h.channels) + "(of " + std::to_string(h.originalChannels) + ")x" +
                    std::to_string(h.height) + "x" + std::to_string(h.width) + " exceeds the decoder's limits");
    if (uint64_t(h.channels) * h.height * h.width > limits.maxElements)
        throw Error("frame has more elements than the decoder's limit of " + std::to_string(limits.maxElements));
    if (h.originalChannels < h.channels)
        throw Error("frame keeps more channels than the unpruned tensor has");
    if (h.originalChannels > 65536 && h.originalChannels != h.channels)
        throw Error("frame prunes a tensor with more than 65536 channels");
    h.dictionaryId = in.u32("dictionary id");
    if (h.dictionaryId != 0 && h.coder != CoderId::Zstd && h.coder != CoderId::ZstdEntropy)
        throw Error("frame names a dictionary for a coder that uses none");
    if (!coderSupports(h.coder, h.representation))
        throw Error("frame pairs coder " + coderName(h.coder) + " with " + representationName(h.representation) +
                    " symbols, which it cannot carry");
    h.payloadLength = in.u32("payload length");
    if (h.payloadLength > kMaxPayload)
        throw Error("frame payload length " + std::to_string(h.payloadLength) + " is implausible");
    return h;
}

size_t variableHeaderBytes(const Header& h)
{
    size_t bytes = h.channels == h.originalChannels ? 0 : size_t(h.channels) * 2;
    if (h.representation == Representation::Uniform)
        bytes += ((h.flags & kFlagPerChannel) ? h.channels : 1) * size_t(5);
    return bytes;
}

} // namespace

std::vector<uint8_t> encodeFrame(const FeatureTensor& tensor, const CodecSettings& settings, FrameSizes* sizes)
{
    validate(tensor);
    if (tensor.originalChannels > 65536 && tensor.originalChannels != tensor.channels)
        throw Error("cannot prune a tensor with more than 65536 channels");
    if (!coderSupports(settings.coder, settings.representation))
        throw Error("codec '" + coderName(settings.coder) + "' cannot code " +
                    representationName(settings.representation) + " symbols; use --bits n (uint) with it");
    const SymbolTensor symbols = toSymbols(tensor, settings.representation, settings.bits, settings.perChannel);
    SymbolLayout layout{tensor.channels, tensor.height, tensor.width, settings.representation, symbols.quant.bits, {}};
    for (const auto& r : symbols.quant.ranges)
        layout.zeroPoints.push_back(r.zeroPoint);
    const bool usesDictionary = settings.dictionary && !settings.dictionary->bytes.empty() &&
                                (settings.coder == CoderId::Zstd || settings.coder == CoderId::ZstdEntropy);
    CoderOptions options{settings.zstdLevel, usesDictionary ? settings.dictionary : nullptr};
    const std::vector<uint8_t> payload = encodePayload(settings.coder, symbols.bytes, layout, options);
    if (payload.size() > kMaxPayload)
        throw Error("encoded payload is too large for one frame");

    const bool uniform = settings.representation == Representation::Uniform;
    std::vector<uint8_t> out(kMagic, kMagic + 4);
    out.push_back(kFrameVersion);
    out.push_back(uint8_t(settings.coder));
    out.push_back(uint8_t(settings.representation));
    out.push_back(uint8_t(uniform ? symbols.quant.bits : 0));
    putU16(out, uniform && symbols.quant.perChannel ? kFlagPerChannel : 0);
    putU16(out, 0);
    putU32(out, tensor.channels);
    putU32(out, tensor.height);
    putU32(out, tensor.width);
    putU32(out, tensor.originalChannels);
    putU32(out, usesDictionary ? settings.dictionary->id() : 0);
    putU32(out, uint32_t(payload.size()));
    if (tensor.channels != tensor.originalChannels)
        for (uint16_t index : tensor.keptChannels)
            putU16(out, index);
    if (uniform) {
        for (const auto& r : symbols.quant.ranges) {
            uint32_t bits;
            std::memcpy(&bits, &r.scale, 4);
            putU32(out, bits);
            out.push_back(r.zeroPoint);
        }
    }
    const size_t headerBytes = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    putU32(out, crcOf(out.data(), out.size()));
    if (sizes)
        *sizes = {headerBytes, payload.size(), out.size()};
    return out;
}

size_t frameLength(const uint8_t* data, size_t size, const DecodeLimits& limits)
{
    Reader in(data, size);
    const Header h = readFixedHeader(in, limits);
    return kFixedHeaderSize + variableHeaderBytes(h) + h.payloadLength + kCrcBytes;
}

DecodedFrame decodeFrame(const uint8_t* data, size_t size, const DecodeLimits& limits,
                         const ZstdDictionary* dictionary)
{
    if (data == nullptr && size != 0)
        throw Error("no frame data");
    Reader in(data, size);
    const Header h = readFixedHeader(in, limits);
    const size_t expectedTotal = kFixedHeaderSize + variableHeaderBytes(h) + h.payloadLength + kCrcBytes;
    if (size < expectedTotal)
        throw Error("frame is truncated: " + std::to_string(size) + " of " + std::to_string(expectedTotal) +
                    " bytes");
    if (size > expectedTotal)
        throw Error("frame has " + std::to_string(size - expectedTotal) + " trailing bytes");
    uint32_t storedCrc = 0;
    for (int i = 3; i >= 0; --i)
        storedCrc = (storedCrc << 8) | data[size - 4 + size_t(i)];
    if (crcOf(data, size - kCrcBytes) != storedCrc)
        throw Error("frame CRC-32 mismatch: the frame is corrupt");

    DecodedFrame frame;
    FeatureTensor& t = frame.tensor;
    t.channels = h.channels;
    t.height = h.height;
    t.width = h.width;
    t.originalChannels = h.originalChannels;
    if (h.channels != h.originalChannels) {
        t.keptChannels.resize(h.channels);
        for (uint32_t i = 0; i < h.channels; ++i) {
            t.keptChannels[i] = in.u16("kept channel indices");
            if (t.keptChannels[i] >= h.originalChannels || (i > 0 && t.keptChannels[i] <= t.keptChannels[i - 1]))
                throw Error("frame's kept channel indices are not strictly increasing below " +
                            std::to_string(h.originalChannels));
        }
    }
    SymbolTensor& symbols = frame.symbols;
    symbols.representation = h.representation;
    if (h.representation == Representation::Uniform) {
        symbols.quant.bits = h.bits;
        symbols.quant.perChannel = (h.flags & kFlagPerChannel) != 0;
        const uint32_t count = symbols.quant.perChannel ? h.channels : 1;
        const int levels = (1 << h.bits) - 1;
        for (uint32_t i = 0; i < count; ++i) {
            QuantRange r;
            r.scale = in.f32("quantization scales");
            r.zeroPoint = in.u8("quantization zero points");
            if (!std::isfinite(r.scale) || r.scale < 0.0f)
                throw Error("frame has an invalid quantization scale");
            if (r.zeroPoint > levels)
                throw Error("frame has a zero point beyond " + std::to_string(h.bits) + " bits");
            symbols.quant.ranges.push_back(r);
        }
    }
    if (h.dictionaryId != 0 && (dictionary == nullptr || dictionary->id() != h.dictionaryId))
        throw Error("frame needs zstd dictionary " + std::to_string(h.dictionaryId) +
                    (dictionary && !dictionary->bytes.empty()
                         ? " but dictionary " + std::to_string(dictionary->id()) + " was given"
                         : std::string(" but none was given")));
    const size_t payloadStart = in.position();
    const size_t expectedSymbols = size_t(t.elementCount()) * size_t(bytesPerElement(h.representation));
    SymbolLayout layout{h.channels, h.height, h.width, h.representation, h.representation == Representation::Uniform ? h.bits : 8, {}};
    for (const auto& r : symbols.quant.ranges)
        layout.zeroPoints.push_back(r.zeroPoint);
    CoderOptions options{kDefaultZstdLevel, h.dictionaryId != 0 ? dictionary : nullptr};
    symbols.bytes = decodePayload(h.coder, data + payloadStart, h.payloadLength, expectedSymbols, layout, options);
    if (h.representation == Representation::Uniform)
        for (uint8_t s : symbols.bytes)
            if (s > (1 << h.bits) - 1)
                throw Error("frame payload holds a symbol beyond " + std::to_string(h.bits) + " bits");
    fromSymbols(symbols, t);
    frame.coder = h.coder;
    frame.sizes = {payloadStart, h.payloadLength, size};
    return frame;
}

} // namespace aecnn::codec
