#include "aecnn/codec/bitstream.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include <zlib.h>

#include "aecnn/codec/codec_errors.h"
#include "aecnn/error.h"
#include "wire_io.h"

namespace aecnn::codec {
namespace {

using Code = CodecErrorCode;
using detail::crcOf;
using detail::putU32;
using detail::putVarint;
using detail::Reader;

constexpr uint8_t kMagic[4] = {'A', 'E', 'C', 'F'};
constexpr uint8_t kFlagPerChannel = 1;
constexpr uint8_t kFlagPruned = 2;
constexpr uint8_t kFlagDictionary = 4;
constexpr size_t kCrcBytes = 4;
constexpr uint32_t kMaxPayload = uint32_t(1) << 30;

struct Header {
    CoderId coder = CoderId::Store;
    Representation representation = Representation::Float32;
    int bits = 0;
    uint8_t flags = 0;
    uint32_t channels = 0, height = 0, width = 0, originalChannels = 0;
    uint32_t dictionaryId = 0;
    uint32_t payloadLength = 0;
    std::vector<uint16_t> kept;
    QuantParams quant;
    size_t payloadOffset = 0;
    size_t totalSize() const { return payloadOffset + payloadLength + kCrcBytes; }
};

// Reads and validates everything before the payload.
Header readHeader(Reader& in, const DecodeLimits& limits)
{
    uint8_t magic[4];
    for (auto& b : magic)
        b = in.u8("magic");
    if (std::memcmp(magic, kMagic, 4) != 0)
        throw CodecError(Code::BadMagic, "not an AECNN feature frame (bad magic)");
    const uint8_t version = in.u8("version");
    if (version < kOldestReadableFrameVersion || version > kFrameVersion)
        throw CodecError(Code::UnsupportedVersion, "unsupported frame version " + std::to_string(version) +
                                                       " (this build reads versions " +
                                                       std::to_string(kOldestReadableFrameVersion) + " to " +
                                                       std::to_string(kFrameVersion) + ")");
    Header h;
    const uint8_t ids = in.u8("coder and representation");
    if ((ids & 0x0F) > uint8_t(CoderId::Context))
        throw CodecError(Code::BadHeaderField, "frame names unknown coder id " + std::to_string(ids & 0x0F));
    if ((ids >> 4) > uint8_t(Representation::Uniform))
        throw CodecError(Code::BadHeaderField, "frame names unknown representation id " + std::to_string(ids >> 4));
    h.coder = CoderId(ids & 0x0F);
    h.representation = Representation(ids >> 4);
    const uint8_t bitsAndFlags = in.u8("bits and flags");
    h.bits = bitsAndFlags & 0x0F;
    h.flags = uint8_t(bitsAndFlags >> 4);
    const bool uniform = h.representation == Representation::Uniform;
    if (uniform ? (h.bits < 2 || h.bits > 8) : h.bits != 0)
        throw CodecError(Code::BadHeaderField, "frame has an invalid bit count " + std::to_string(h.bits) + " for " +
                                                   representationName(h.representation));
    if (h.flags & ~(kFlagPerChannel | kFlagPruned | kFlagDictionary))
        throw CodecError(Code::BadHeaderField, "frame sets unknown flags " + std::to_string(h.flags));
    if ((h.flags & kFlagPerChannel) && !uniform)
        throw CodecError(Code::BadHeaderField, "frame sets per-channel quantization for a float representation");
    if ((h.flags & kFlagDictionary) && h.coder != CoderId::Zstd && h.coder != CoderId::ZstdEntropy)
        throw CodecError(Code::BadHeaderField, "frame names a dictionary for a coder that uses none");
    if (!coderSupports(h.coder, h.representation))
        throw CodecError(Code::BadHeaderField, "frame pairs coder " + coderName(h.coder) + " with " +
                                                   representationName(h.representation) +
                                                   " symbols, which it cannot carry");
    if (version == 1 && h.coder == CoderId::Context && h.bits > 4)
        throw CodecError(Code::UnsupportedVersion,
                         "frame version 1 codes " + std::to_string(h.bits) +
                             "-bit symbols with the context coder's old magnitude coding, which this build no longer "
                             "reads; re-encode the tensor with this version");

    h.channels = in.varint("channel count");
    h.height = in.varint("height");
    h.width = in.varint("width");
    if (h.channels == 0 || h.height == 0 || h.width == 0)
        throw CodecError(Code::BadHeaderField, "frame has an empty shape");
    if (h.channels > limits.maxChannels || h.height > limits.maxHeight || h.width > limits.maxWidth)
        throw CodecError(Code::LimitExceeded, "frame shape " + std::to_string(h.channels) + "x" +
                                                  std::to_string(h.height) + "x" + std::to_string(h.width) +
                                                  " exceeds the decoder's limits");
    if (uint64_t(h.channels) * h.height * h.width > limits.maxElements)
        throw CodecError(Code::LimitExceeded,
                         "frame has more elements than the decoder's limit of " + std::to_string(limits.maxElements));
    h.originalChannels = h.channels;
    if (h.flags & kFlagPruned) {
        h.originalChannels = in.varint("unpruned channel count");
        if (h.originalChannels <= h.channels)
            throw CodecError(Code::BadHeaderField,
                             "pruned frame must keep fewer channels than the unpruned tensor has");
        if (h.originalChannels > limits.maxChannels || h.originalChannels > 65536)
            throw CodecError(Code::LimitExceeded, "frame's unpruned channel count exceeds the decoder's limits");
    }
    if (h.flags & kFlagDictionary) {
        h.dictionaryId = in.u32("dictionary id");
        if (h.dictionaryId == 0)
            throw CodecError(Code::BadHeaderField, "frame names dictionary id 0");
    }
    h.payloadLength = in.varint("payload length");
    if (h.payloadLength > kMaxPayload)
        throw CodecError(Code::LimitExceeded,
                         "frame payload length " + std::to_string(h.payloadLength) + " is implausible");
    if (h.flags & kFlagPruned) {
        h.kept.reserve(h.channels);
        uint64_t index = 0;
        for (uint32_t i = 0; i < h.channels; ++i) {
            const uint32_t step = in.varint("kept channel indices");
            if (i > 0 && step == 0)
                throw CodecError(Code::BadHeaderField, "frame's kept channel indices are not strictly increasing");
            index += step;
            if (index >= h.originalChannels)
                throw CodecError(Code::BadHeaderField, "frame's kept channel index " + std::to_string(index) +
                                                           " is not below " + std::to_string(h.originalChannels));
            h.kept.push_back(uint16_t(index));
        }
    }
    if (uniform) {
        h.quant.bits = h.bits;
        h.quant.perChannel = (h.flags & kFlagPerChannel) != 0;
        const uint32_t count = h.quant.perChannel ? h.channels : 1;
        const int levels = (1 << h.bits) - 1;
        h.quant.ranges.reserve(count);
        for (uint32_t i = 0; i < count; ++i) {
            QuantRange r;
            r.scale = in.f32("quantization scales");
            r.zeroPoint = in.u8("quantization zero points");
            if (!std::isfinite(r.scale) || r.scale < 0.0f)
                throw CodecError(Code::BadHeaderField, "frame has an invalid quantization scale");
            if (r.zeroPoint > levels)
                throw CodecError(Code::BadHeaderField,
                                 "frame has a zero point beyond " + std::to_string(h.bits) + " bits");
            h.quant.ranges.push_back(r);
        }
    }
    h.payloadOffset = in.position();
    return h;
}

} // namespace

std::vector<uint8_t> encodeFrame(const FeatureTensor& tensor, const CodecSettings& settings, FrameSizes* sizes,
                                 CoderWorkspace* workspace)
{
    validate(tensor);
    const bool pruned = tensor.channels != tensor.originalChannels;
    if (pruned && tensor.originalChannels > 65536)
        throw Error("cannot prune a tensor with more than 65536 channels");
    if (!coderSupports(settings.coder, settings.representation))
        throw Error("codec '" + coderName(settings.coder) + "' cannot code " +
                    representationName(settings.representation) + " symbols; use --bits n (uint) with it");
    const SymbolTensor symbols =
        toSymbols(tensor, settings.representation, settings.bits, settings.perChannel, settings.range);
    const bool uniform = settings.representation == Representation::Uniform;
    SymbolLayout layout{tensor.channels, tensor.height, tensor.width, settings.representation, symbols.quant.bits, {}};
    for (const auto& r : symbols.quant.ranges)
        layout.zeroPoints.push_back(r.zeroPoint);
    const bool usesDictionary = settings.dictionary && settings.dictionary->id() != 0 &&
                                (settings.coder == CoderId::Zstd || settings.coder == CoderId::ZstdEntropy);
    const CoderOptions options{settings.zstdLevel, usesDictionary ? settings.dictionary : nullptr, workspace};
    const std::vector<uint8_t> payload = encodePayload(settings.coder, symbols.bytes, layout, options);
    if (payload.size() > kMaxPayload)
        throw Error("encoded payload is too large for one frame");

    std::vector<uint8_t> out(kMagic, kMagic + 4);
    out.push_back(kFrameVersion);
    out.push_back(uint8_t(uint8_t(settings.coder) | uint8_t(settings.representation) << 4));
    const uint8_t flags = uint8_t((uniform && symbols.quant.perChannel ? kFlagPerChannel : 0) |
                                  (pruned ? kFlagPruned : 0) | (usesDictionary ? kFlagDictionary : 0));
    out.push_back(uint8_t((uniform ? symbols.quant.bits : 0) | flags << 4));
    putVarint(out, tensor.channels);
    putVarint(out, tensor.height);
    putVarint(out, tensor.width);
    if (pruned)
        putVarint(out, tensor.originalChannels);
    if (usesDictionary)
        putU32(out, settings.dictionary->id());
    putVarint(out, uint32_t(payload.size()));
    if (pruned)
        for (size_t i = 0; i < tensor.keptChannels.size(); ++i)
            putVarint(out, uint32_t(tensor.keptChannels[i] - (i ? tensor.keptChannels[i - 1] : 0)));
    for (const auto& r : symbols.quant.ranges) {
        uint32_t bits;
        std::memcpy(&bits, &r.scale, 4);
        putU32(out, bits);
        out.push_back(r.zeroPoint);
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
    return readHeader(in, limits).totalSize();
}

DecodedFrame decodeFrame(const uint8_t* data, size_t size, const DecodeLimits& limits,
                         const ZstdDictionary* dictionary, CoderWorkspace* workspace)
{
    if (data == nullptr && size != 0)
        throw CodecError(Code::InvalidArgument, "no frame data");
    Reader in(data, size);
    Header h = readHeader(in, limits);
    if (size < h.totalSize())
        throw CodecError(Code::Truncated, "frame is truncated: " + std::to_string(size) + " of " +
                                              std::to_string(h.totalSize()) + " bytes");
    if (size > h.totalSize())
        throw CodecError(Code::TrailingBytes, "frame has " + std::to_string(size - h.totalSize()) + " trailing bytes");
    uint32_t storedCrc = 0;
    for (int i = 3; i >= 0; --i)
        storedCrc = (storedCrc << 8) | data[size - 4 + size_t(i)];
    if (crcOf(data, size - kCrcBytes) != storedCrc)
        throw CodecError(Code::CrcMismatch, "frame CRC-32 mismatch: the frame is corrupt");
    if (h.dictionaryId != 0 && (dictionary == nullptr || dictionary->id() != h.dictionaryId))
        throw CodecError(Code::DictionaryMismatch,
                         "frame needs zstd dictionary " + std::to_string(h.dictionaryId) +
                             (dictionary && dictionary->id() != 0
                                  ? " but dictionary " + std::to_string(dictionary->id()) + " was given"
                                  : std::string(" but none was given")));

    DecodedFrame frame;
    FeatureTensor& t = frame.tensor;
    t.channels = h.channels;
    t.height = h.height;
    t.width = h.width;
    t.originalChannels = h.originalChannels;
    t.keptChannels = std::move(h.kept);
    SymbolTensor& symbols = frame.symbols;
    symbols.representation = h.representation;
    symbols.quant = h.quant;
    const bool uniform = h.representation == Representation::Uniform;
    const size_t expectedSymbols = size_t(t.elementCount()) * size_t(bytesPerElement(h.representation));
    SymbolLayout layout{h.channels, h.height, h.width, h.representation, uniform ? h.bits : 8, {}};
    for (const auto& r : symbols.quant.ranges)
        layout.zeroPoints.push_back(r.zeroPoint);
    const CoderOptions options{kDefaultZstdLevel, h.dictionaryId != 0 ? dictionary : nullptr, workspace};
    symbols.bytes =
        decodePayload(h.coder, data + h.payloadOffset, h.payloadLength, expectedSymbols, layout, options);
    if (uniform) {
        const int levels = (1 << h.bits) - 1;
        for (uint8_t s : symbols.bytes)
            if (s > levels)
                throw CodecError(Code::CorruptPayload,
                                 "frame payload holds a symbol beyond " + std::to_string(h.bits) + " bits");
    }
    fromSymbols(symbols, t);
    frame.coder = h.coder;
    frame.sizes = {h.payloadOffset, h.payloadLength, size};
    return frame;
}

} // namespace aecnn::codec
