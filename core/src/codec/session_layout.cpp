#include "aecnn/codec/session_layout.h"

#include <cmath>
#include <cstring>
#include <string>

#include "aecnn/codec/codec_errors.h"
#include "wire_io.h"

namespace aecnn::codec {
namespace {

using Code = CodecErrorCode;

constexpr uint8_t kLayoutMagic[4] = {'A', 'E', 'C', 'L'};
constexpr uint8_t kLayoutPerChannel = 1;
constexpr uint8_t kLayoutPruned = 2;
constexpr uint8_t kLayoutDictionary = 4;
constexpr uint8_t kLayoutFixedRanges = 8;

[[noreturn]] void invalid(const std::string& message)
{
    throw CodecError(Code::InvalidArgument, "session layout: " + message);
}

bool isUniform(const SessionLayout& l) { return l.representation == Representation::Uniform; }
size_t rangeCount(const SessionLayout& l) { return l.perChannel ? l.channels : 1; }
bool isPruned(const SessionLayout& l) { return l.originalChannels != l.channels; }

void putRange(std::vector<uint8_t>& out, const QuantRange& r)
{
    uint32_t bits;
    std::memcpy(&bits, &r.scale, 4);
    detail::putU32(out, bits);
    out.push_back(r.zeroPoint);
}

QuantRange readRange(detail::Reader& in, int bits, const char* container)
{
    QuantRange r;
    r.scale = in.f32("quantization scales");
    r.zeroPoint = in.u8("quantization zero points");
    if (!std::isfinite(r.scale) || r.scale < 0.0f)
        throw CodecError(Code::BadHeaderField, std::string(container) + " has an invalid quantization scale");
    if (r.zeroPoint > (1 << bits) - 1)
        throw CodecError(Code::BadHeaderField,
                         std::string(container) + " has a zero point beyond " + std::to_string(bits) + " bits");
    return r;
}

ContextPriors readPriors(detail::Reader& in, CoderId coder)
{
    if (coder != CoderId::Context)
        throw CodecError(Code::BadHeaderField, "session layout carries context priors for coder " + coderName(coder));
    ContextPriors priors;
    priors.confidence = in.u8("context prior confidence");
    if (priors.confidence < 1 || priors.confidence > 31)
        throw CodecError(Code::BadHeaderField, "session layout's context prior confidence " +
                                                   std::to_string(int(priors.confidence)) + " is not 1..31");
    const uint32_t count = in.varint("context prior count");
    if (count == 0 || count > uint32_t(kContextModelBits))
        throw CodecError(Code::BadHeaderField, "session layout lists " + std::to_string(count) +
                                                   " context priors (1.." + std::to_string(kContextModelBits) + ")");
    uint32_t context = 0;
    for (uint32_t i = 0; i < count; ++i) {
        const uint32_t step = in.varint("context prior index");
        if (i > 0 && step == 0)
            throw CodecError(Code::BadHeaderField, "session layout's context priors are not strictly increasing");
        context += step; // count <= kContextModelBits and each step < 2^32: checked before it can wrap
        if (step >= uint32_t(kContextModelBits) || context >= uint32_t(kContextModelBits))
            throw CodecError(Code::BadHeaderField, "session layout names context " + std::to_string(context) +
                                                       ", beyond the coder's " +
                                                       std::to_string(kContextModelBits) + " adaptive bits");
        const uint8_t low = in.u8("context prior"); // two statements: the order of reads is the byte order
        const uint16_t p = uint16_t(low | in.u8("context prior") << 8);
        if (p < 1 || p > 32767)
            throw CodecError(Code::BadHeaderField, "session layout's context prior " + std::to_string(p) +
                                                       "/32768 is outside 1..32767");
        priors.priors.push_back({uint16_t(context), p});
    }
    return priors;
}

std::string shapeText(uint32_t c, uint32_t h, uint32_t w)
{
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
}

} // namespace

bool SessionLayout::operator==(const SessionLayout& o) const
{
    if (coder != o.coder || representation != o.representation || perChannel != o.perChannel ||
        channels != o.channels || height != o.height || width != o.width || originalChannels != o.originalChannels ||
        keptChannels != o.keptChannels || dictionaryId != o.dictionaryId ||
        fixedRanges.size() != o.fixedRanges.size() || contextPriors != o.contextPriors)
        return false;
    if (representation == Representation::Uniform && bits != o.bits)
        return false;
    for (size_t i = 0; i < fixedRanges.size(); ++i)
        if (std::memcmp(&fixedRanges[i].scale, &o.fixedRanges[i].scale, 4) != 0 ||
            fixedRanges[i].zeroPoint != o.fixedRanges[i].zeroPoint)
            return false;
    return true;
}

void validate(const SessionLayout& l)
{
    if (uint8_t(l.coder) > uint8_t(CoderId::Context))
        invalid("unknown coder id " + std::to_string(int(l.coder)));
    if (uint8_t(l.representation) > uint8_t(Representation::Uniform))
        invalid("unknown representation id " + std::to_string(int(l.representation)));
    if (!coderSupports(l.coder, l.representation))
        invalid("coder " + coderName(l.coder) + " cannot carry " + representationName(l.representation) + " symbols");
    if (isUniform(l) && (l.bits < 2 || l.bits > 8))
        invalid("quantization needs 2..8 bits, got " + std::to_string(l.bits));
    if (!isUniform(l) && l.perChannel)
        invalid("per-channel quantization with a float representation");
    if (l.channels == 0 || l.height == 0 || l.width == 0)
        invalid("empty shape " + shapeText(l.channels, l.height, l.width));
    if (l.originalChannels < l.channels)
        invalid("fewer unpruned channels than kept ones");
    if (isPruned(l)) {
        if (l.originalChannels > 65536)
            invalid("cannot prune a tensor with more than 65536 channels");
        if (l.keptChannels.size() != l.channels)
            invalid("lists " + std::to_string(l.keptChannels.size()) + " kept channels for " +
                    std::to_string(l.channels));
        for (size_t i = 0; i < l.keptChannels.size(); ++i)
            if (l.keptChannels[i] >= l.originalChannels || (i > 0 && l.keptChannels[i] <= l.keptChannels[i - 1]))
                invalid("kept channel indices must be strictly increasing and below " +
                        std::to_string(l.originalChannels));
    } else if (!l.keptChannels.empty()) {
        invalid("lists kept channels but prunes nothing");
    }
    if (l.dictionaryId != 0 && l.coder != CoderId::Zstd && l.coder != CoderId::ZstdEntropy)
        invalid("names a dictionary for a coder that uses none");
    if (l.rangesFixed()) {
        if (!isUniform(l))
            invalid("fixed quantization ranges for a float representation");
        if (l.fixedRanges.size() != rangeCount(l))
            invalid("needs " + std::to_string(rangeCount(l)) + " fixed ranges, got " +
                    std::to_string(l.fixedRanges.size()));
        for (const auto& r : l.fixedRanges)
            if (!std::isfinite(r.scale) || r.scale < 0.0f || r.zeroPoint > (1 << l.bits) - 1)
                invalid("a fixed range has an invalid scale or zero point");
    }
    if (!l.contextPriors.empty()) {
        if (l.coder != CoderId::Context)
            invalid("carries context priors for coder " + coderName(l.coder));
        validate(l.contextPriors);
    }
}

std::vector<uint8_t> serializeLayout(const SessionLayout& l)
{
    validate(l);
    const bool uniform = isUniform(l);
    std::vector<uint8_t> out(kLayoutMagic, kLayoutMagic + 4);
    const bool priors = !l.contextPriors.empty();
    out.push_back(priors ? kLayoutVersionWithPriors : kLayoutVersion);
    out.push_back(uint8_t(uint8_t(l.coder) | uint8_t(l.representation) << 4));
    const uint8_t flags = uint8_t((uniform && l.perChannel ? kLayoutPerChannel : 0) | (isPruned(l) ? kLayoutPruned : 0) |
                                  (l.dictionaryId != 0 ? kLayoutDictionary : 0) |
                                  (l.rangesFixed() ? kLayoutFixedRanges : 0));
    out.push_back(uint8_t((uniform ? l.bits : 0) | flags << 4));
    detail::putVarint(out, l.channels);
    detail::putVarint(out, l.height);
    detail::putVarint(out, l.width);
    if (isPruned(l))
        detail::putVarint(out, l.originalChannels);
    if (l.dictionaryId != 0)
        detail::putU32(out, l.dictionaryId);
    if (isPruned(l))
        for (size_t i = 0; i < l.keptChannels.size(); ++i)
            detail::putVarint(out, uint32_t(l.keptChannels[i] - (i ? l.keptChannels[i - 1] : 0)));
    for (const auto& r : l.fixedRanges)
        putRange(out, r);
    if (priors) {
        const auto& entries = l.contextPriors.priors;
        out.push_back(l.contextPriors.confidence);
        detail::putVarint(out, uint32_t(entries.size()));
        for (size_t i = 0; i < entries.size(); ++i) {
            detail::putVarint(out, uint32_t(entries[i].context - (i ? entries[i - 1].context : 0)));
            out.push_back(uint8_t(entries[i].probabilityOfZero));
            out.push_back(uint8_t(entries[i].probabilityOfZero >> 8));
        }
    }
    detail::putU32(out, detail::crcOf(out.data(), out.size()));
    return out;
}

SessionLayout parseLayout(const uint8_t* data, size_t size, const DecodeLimits& limits)
{
    if (data == nullptr && size != 0)
        throw CodecError(Code::InvalidArgument, "no layout data");
    constexpr const char* kWhat = "session layout";
    detail::Reader in(data, size, kWhat);
    uint8_t magic[4];
    for (auto& b : magic)
        b = in.u8("magic");
    if (std::memcmp(magic, kLayoutMagic, 4) != 0)
        throw CodecError(Code::BadMagic, "not an AECNN session layout (bad magic)");
    const uint8_t version = in.u8("version");
    if (version != kLayoutVersion && version != kLayoutVersionWithPriors)
        throw CodecError(Code::UnsupportedVersion, "unsupported session layout version " + std::to_string(version) +
                                                       " (this build reads versions " +
                                                       std::to_string(kLayoutVersion) + " and " +
                                                       std::to_string(kLayoutVersionWithPriors) + ")");
    SessionLayout l;
    const uint8_t ids = in.u8("coder and representation");
    if ((ids & 0x0F) > uint8_t(CoderId::Context) || (ids >> 4) > uint8_t(Representation::Uniform))
        throw CodecError(Code::BadHeaderField, "session layout names an unknown coder or representation");
    l.coder = CoderId(ids & 0x0F);
    l.representation = Representation(ids >> 4);
    const uint8_t bitsAndFlags = in.u8("bits and flags");
    const int bits = bitsAndFlags & 0x0F;
    const uint8_t flags = uint8_t(bitsAndFlags >> 4);
    const bool uniform = isUniform(l);
    if (uniform ? (bits < 2 || bits > 8) : bits != 0)
        throw CodecError(Code::BadHeaderField, "session layout has an invalid bit count " + std::to_string(bits));
    l.bits = uniform ? bits : 8;
    l.perChannel = (flags & kLayoutPerChannel) != 0;
    if ((flags & (kLayoutPerChannel | kLayoutFixedRanges)) && !uniform)
        throw CodecError(Code::BadHeaderField, "session layout sets quantization flags for a float representation");
    if ((flags & kLayoutDictionary) && l.coder != CoderId::Zstd && l.coder != CoderId::ZstdEntropy)
        throw CodecError(Code::BadHeaderField, "session layout names a dictionary for a coder that uses none");
    if (!coderSupports(l.coder, l.representation))
        throw CodecError(Code::BadHeaderField, "session layout pairs coder " + coderName(l.coder) + " with " +
                                                   representationName(l.representation) + " symbols");
    l.channels = in.varint("channel count");
    l.height = in.varint("height");
    l.width = in.varint("width");
    if (l.channels == 0 || l.height == 0 || l.width == 0)
        throw CodecError(Code::BadHeaderField, "session layout has an empty shape");
    if (l.channels > limits.maxChannels || l.height > limits.maxHeight || l.width > limits.maxWidth ||
        l.elementCount() > limits.maxElements)
        throw CodecError(Code::LimitExceeded, "session layout shape " + shapeText(l.channels, l.height, l.width) +
                                                  " exceeds the decoder's limits");
    l.originalChannels = l.channels;
    if (flags & kLayoutPruned) {
        l.originalChannels = in.varint("unpruned channel count");
        if (l.originalChannels <= l.channels)
            throw CodecError(Code::BadHeaderField, "pruned session layout must keep fewer channels than it has");
        if (l.originalChannels > limits.maxChannels || l.originalChannels > 65536)
            throw CodecError(Code::LimitExceeded, "session layout's unpruned channel count exceeds the limits");
    }
    if (flags & kLayoutDictionary) {
        l.dictionaryId = in.u32("dictionary id");
        if (l.dictionaryId == 0)
            throw CodecError(Code::BadHeaderField, "session layout names dictionary id 0");
    }
    if (flags & kLayoutPruned) {
        uint64_t index = 0;
        for (uint32_t i = 0; i < l.channels; ++i) {
            const uint32_t step = in.varint("kept channel indices");
            if (i > 0 && step == 0)
                throw CodecError(Code::BadHeaderField, "session layout's kept channels are not strictly increasing");
            index += step;
            if (index >= l.originalChannels)
                throw CodecError(Code::BadHeaderField, "session layout's kept channel index " +
                                                           std::to_string(index) + " is not below " +
                                                           std::to_string(l.originalChannels));
            l.keptChannels.push_back(uint16_t(index));
        }
    }
    if (flags & kLayoutFixedRanges)
        for (size_t i = 0; i < rangeCount(l); ++i)
            l.fixedRanges.push_back(readRange(in, l.bits, kWhat));
    if (version == kLayoutVersionWithPriors)
        l.contextPriors = readPriors(in, l.coder);
    const size_t body = in.position();
    const uint32_t stored = in.u32("CRC");
    if (in.position() != size)
        throw CodecError(Code::TrailingBytes,
                         "session layout has " + std::to_string(size - in.position()) + " trailing bytes");
    if (detail::crcOf(data, body) != stored)
        throw CodecError(Code::CrcMismatch, "session layout CRC-32 mismatch: the layout is corrupt");
    return l;
}

uint32_t layoutId(const SessionLayout& layout)
{
    // The serialized layout's own CRC (of every byte before it). Not the CRC of the whole
    // serialization: that is CRC-32's constant residue, the same for every layout.
    const auto bytes = serializeLayout(layout);
    return detail::crcOf(bytes.data(), bytes.size() - 4);
}

std::string describeLayout(const SessionLayout& l)
{
    std::string text = coderName(l.coder) + " " + representationName(l.representation);
    if (isUniform(l))
        text += std::to_string(l.bits) + (l.perChannel ? " per-channel" : " per-tensor");
    text += " " + shapeText(l.channels, l.height, l.width);
    if (isPruned(l))
        text += " of " + std::to_string(l.originalChannels) + " channels";
    if (l.dictionaryId != 0)
        text += " dictionary " + std::to_string(l.dictionaryId);
    if (isUniform(l))
        text += l.rangesFixed() ? " ranges=fixed" : " ranges=frame";
    if (!l.contextPriors.empty())
        text += " priors=" + std::to_string(l.contextPriors.priors.size());
    return text;
}

SessionLayout layoutFor(const FeatureTensor& tensor, const CodecSettings& settings)
{
    validate(tensor);
    SessionLayout l;
    l.coder = settings.coder;
    l.representation = settings.representation;
    l.bits = settings.representation == Representation::Uniform ? settings.bits : 8;
    l.perChannel = settings.representation == Representation::Uniform && settings.perChannel;
    l.channels = tensor.channels;
    l.height = tensor.height;
    l.width = tensor.width;
    l.originalChannels = tensor.originalChannels;
    if (tensor.originalChannels != tensor.channels)
        l.keptChannels = tensor.keptChannels;
    if (settings.dictionary && settings.dictionary->id() != 0 &&
        (settings.coder == CoderId::Zstd || settings.coder == CoderId::ZstdEntropy))
        l.dictionaryId = settings.dictionary->id();
    validate(l);
    return l;
}

SessionSymbols sessionSymbols(const FeatureTensor& tensor, const SessionLayout& layout, const CodecSettings& settings)
{
    validate(layout);
    validate(tensor);
    if (tensor.channels != layout.channels || tensor.height != layout.height || tensor.width != layout.width)
        throw CodecError(Code::InvalidArgument, "tensor " + shapeText(tensor.channels, tensor.height, tensor.width) +
                                                    " does not match the session layout's " +
                                                    shapeText(layout.channels, layout.height, layout.width));
    const std::vector<uint16_t> noKept;
    const bool tensorPruned = tensor.originalChannels != tensor.channels;
    if (tensor.originalChannels != layout.originalChannels ||
        (tensorPruned ? tensor.keptChannels : noKept) != layout.keptChannels)
        throw CodecError(Code::InvalidArgument, "tensor's kept channels differ from the session layout's");
    const bool uniform = isUniform(layout);
    SessionSymbols out;
    if (uniform && layout.rangesFixed())
        out.symbols = toSymbolsWithRanges(tensor, QuantParams{layout.bits, layout.perChannel, layout.fixedRanges});
    else
        out.symbols = toSymbols(tensor, layout.representation, layout.bits, layout.perChannel, settings.range);
    out.coderLayout = SymbolLayout{layout.channels, layout.height, layout.width, layout.representation,
                                   uniform ? layout.bits : 8, {}};
    for (const auto& r : out.symbols.quant.ranges)
        out.coderLayout.zeroPoints.push_back(r.zeroPoint);
    return out;
}

size_t sessionFrameHeaderBytes(const SessionLayout& layout)
{
    return 1 + (isUniform(layout) && !layout.rangesFixed() ? rangeCount(layout) * 5 : 0);
}

std::vector<uint8_t> encodeSessionFrame(const FeatureTensor& tensor, const SessionLayout& layout,
                                        const CodecSettings& settings, FrameSizes* sizes, CoderWorkspace* workspace)
{
    const SessionSymbols coded = sessionSymbols(tensor, layout, settings);
    const ZstdDictionary* dictionary = nullptr;
    if (layout.dictionaryId != 0) {
        if (!settings.dictionary || settings.dictionary->id() != layout.dictionaryId)
            throw CodecError(Code::DictionaryMismatch, "the session layout needs zstd dictionary " +
                                                           std::to_string(layout.dictionaryId) +
                                                           ", which the encoder was not given");
        dictionary = settings.dictionary;
    }
    const bool uniform = isUniform(layout);
    const SymbolTensor& symbols = coded.symbols;
    const CoderOptions options{settings.zstdLevel, dictionary, workspace,
                               layout.contextPriors.empty() ? nullptr : &layout.contextPriors};
    const auto payload = encodePayload(layout.coder, symbols.bytes, coded.coderLayout, options);
    std::vector<uint8_t> out;
    out.reserve(sessionFrameHeaderBytes(layout) + payload.size());
    out.push_back(uint8_t(layoutId(layout)));
    if (uniform && !layout.rangesFixed())
        for (const auto& r : symbols.quant.ranges)
            putRange(out, r);
    const size_t headerBytes = out.size();
    out.insert(out.end(), payload.begin(), payload.end());
    if (sizes)
        *sizes = {headerBytes, payload.size(), out.size()};
    return out;
}

DecodedFrame decodeSessionFrame(const uint8_t* data, size_t size, const SessionLayout& layout,
                                const ZstdDictionary* dictionary, CoderWorkspace* workspace)
{
    validate(layout);
    if (data == nullptr && size != 0)
        throw CodecError(Code::InvalidArgument, "no frame data");
    constexpr const char* kWhat = "session frame";
    detail::Reader in(data, size, kWhat);
    const uint8_t tag = in.u8("layout tag");
    const uint32_t id = layoutId(layout);
    if (tag != uint8_t(id))
        throw CodecError(Code::LayoutMismatch,
                         "session frame was made for another layout (tag " + std::to_string(tag) + ", this session's " +
                             std::to_string(uint8_t(id)) + ": " + describeLayout(layout) + ")");
    const bool uniform = isUniform(layout);
    DecodedFrame frame;
    SymbolTensor& symbols = frame.symbols;
    symbols.representation = layout.representation;
    if (uniform) {
        symbols.quant.bits = layout.bits;
        symbols.quant.perChannel = layout.perChannel;
        if (layout.rangesFixed()) {
            symbols.quant.ranges = layout.fixedRanges;
        } else {
            for (size_t i = 0; i < rangeCount(layout); ++i)
                symbols.quant.ranges.push_back(readRange(in, layout.bits, kWhat));
        }
    }
    const size_t headerBytes = in.position();
    if (layout.dictionaryId != 0 && (dictionary == nullptr || dictionary->id() != layout.dictionaryId))
        throw CodecError(Code::DictionaryMismatch, "the session layout needs zstd dictionary " +
                                                       std::to_string(layout.dictionaryId) + ", which was not given");
    FeatureTensor& t = frame.tensor;
    t.channels = layout.channels;
    t.height = layout.height;
    t.width = layout.width;
    t.originalChannels = layout.originalChannels;
    t.keptChannels = layout.keptChannels;
    const size_t expected = size_t(layout.elementCount()) * size_t(bytesPerElement(layout.representation));
    SymbolLayout symbolLayout{layout.channels, layout.height, layout.width, layout.representation,
                              uniform ? layout.bits : 8, {}};
    for (const auto& r : symbols.quant.ranges)
        symbolLayout.zeroPoints.push_back(r.zeroPoint);
    const CoderOptions options{kDefaultZstdLevel, layout.dictionaryId != 0 ? dictionary : nullptr, workspace,
                               layout.contextPriors.empty() ? nullptr : &layout.contextPriors};
    symbols.bytes = decodePayload(layout.coder, data + headerBytes, size - headerBytes, expected, symbolLayout, options);
    if (uniform) {
        const int levels = (1 << layout.bits) - 1;
        for (uint8_t s : symbols.bytes)
            if (s > levels)
                throw CodecError(Code::CorruptPayload,
                                 "session frame payload holds a symbol beyond " + std::to_string(layout.bits) + " bits");
    }
    fromSymbols(symbols, t);
    frame.coder = layout.coder;
    frame.sizes = {headerBytes, size - headerBytes, size};
    return frame;
}

} // namespace aecnn::codec
