#include "aecnn/codec/entropy_coder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "aecnn/codec/codec_errors.h"
#include "aecnn/error.h"
#include "context_coder.h"
#include "zstd_coder.h"

namespace aecnn::codec {
namespace {

constexpr CoderId kAllCoders[] = {CoderId::Store, CoderId::Zstd, CoderId::ZstdEntropy, CoderId::Context};

} // namespace

std::string coderName(CoderId id)
{
    switch (id) {
    case CoderId::Store: return "store";
    case CoderId::Zstd: return "zstd";
    case CoderId::ZstdEntropy: return "zstd-entropy";
    case CoderId::Context: return "context";
    }
    return "unknown";
}

std::vector<std::string> coderNames()
{
    std::vector<std::string> names;
    for (CoderId id : kAllCoders)
        names.push_back(coderName(id));
    return names;
}

CoderId coderFromName(const std::string& name)
{
    for (CoderId id : kAllCoders)
        if (coderName(id) == name)
            return id;
    std::string valid;
    for (const auto& n : coderNames())
        valid += (valid.empty() ? "" : ", ") + n;
    throw Error("unknown codec '" + name + "'; valid codecs: " + valid);
}

bool coderSupports(CoderId id, Representation representation)
{
    return id != CoderId::Context || representation == Representation::Uniform;
}

void validate(const ContextPriors& priors)
{
    if (priors.empty())
        return;
    if (priors.confidence < 1 || priors.confidence > 31)
        throw CodecError(CodecErrorCode::InvalidArgument, "context priors need a confidence of 1..31 bits, got " +
                                                              std::to_string(int(priors.confidence)));
    for (size_t i = 0; i < priors.priors.size(); ++i) {
        const ContextPrior& p = priors.priors[i];
        if (p.context >= kContextModelBits || (i > 0 && p.context <= priors.priors[i - 1].context))
            throw CodecError(CodecErrorCode::InvalidArgument,
                             "context priors must name strictly increasing adaptive bits below " +
                                 std::to_string(kContextModelBits) + " (entry " + std::to_string(i) + ": " +
                                 std::to_string(p.context) + ")");
        if (p.probabilityOfZero < 1 || p.probabilityOfZero > 32767)
            throw CodecError(CodecErrorCode::InvalidArgument,
                             "context prior of bit " + std::to_string(p.context) + " has probability " +
                                 std::to_string(p.probabilityOfZero) + "/32768, outside 1..32767");
    }
}

namespace {

void requireContextCoderForPriors(CoderId coder, const CoderOptions& options)
{
    if (options.contextPriors && !options.contextPriors->empty() && coder != CoderId::Context)
        throw CodecError(CodecErrorCode::InvalidArgument, "context priors are for the context coder, not " +
                                                              coderName(coder));
}

} // namespace

void ContextPriorCounter::add(const std::vector<uint8_t>& symbols, const SymbolLayout& layout)
{
    const uint64_t n = uint64_t(layout.channels) * layout.height * layout.width;
    if (symbols.size() != n)
        throw Error("context priors: got " + std::to_string(symbols.size()) + " symbols for " + std::to_string(n) +
                    " elements");
    detail::contextCountDecisions(symbols.data(), layout, zeros_.data(), ones_.data());
    ++frames_;
}

ContextPriors ContextPriorCounter::priors(uint8_t confidence) const
{
    ContextPriors out;
    out.confidence = confidence;
    for (int i = 0; i < kContextModelBits; ++i) {
        const double zeros = double(zeros_[size_t(i)]), total = zeros + double(ones_[size_t(i)]);
        if (total == 0)
            continue; // never used by these frames: starts at 1/2 as without priors
        // Add-0.4 smoothing keeps a bit never seen as 1 from certainty; the clamp keeps
        // one surprise from costing more than ~10 bits.
        const long p = std::lround(32768.0 * (zeros + 0.4) / (total + 0.8));
        out.priors.push_back({uint16_t(i), uint16_t(std::clamp(p, 32L, 32767L - 31L))});
    }
    validate(out);
    return out;
}

std::vector<uint8_t> encodePayload(CoderId coder, const std::vector<uint8_t>& symbols, const SymbolLayout& layout,
                                   const CoderOptions& options)
{
    if (!coderSupports(coder, layout.representation))
        throw Error("codec '" + coderName(coder) + "' cannot code " + representationName(layout.representation) +
                    " symbols; quantize them (uint, --bits n) or choose zstd, zstd-entropy or store");
    requireContextCoderForPriors(coder, options);
    switch (coder) {
    case CoderId::Store: return symbols;
    case CoderId::Zstd: return detail::zstdCompress(symbols, false, options.zstdLevel, options.dictionary, options.workspace);
    case CoderId::ZstdEntropy: return detail::zstdCompress(symbols, true, options.zstdLevel, options.dictionary, options.workspace);
    case CoderId::Context: {
        const uint64_t n = uint64_t(layout.channels) * layout.height * layout.width;
        if (symbols.size() != n)
            throw Error("context coder got " + std::to_string(symbols.size()) + " symbols for " +
                        std::to_string(n) + " elements");
        return detail::contextEncode(symbols.data(), layout, options.contextPriors);
    }
    }
    throw Error("unknown coder id " + std::to_string(int(coder)));
}

std::vector<uint8_t> decodePayload(CoderId coder, const uint8_t* payload, size_t payloadSize, size_t expectedSize,
                                   const SymbolLayout& layout, const CoderOptions& options)
{
    if (!coderSupports(coder, layout.representation))
        throw CodecError(CodecErrorCode::BadHeaderField, "codec '" + coderName(coder) + "' cannot carry " +
                                                             representationName(layout.representation) + " symbols");
    requireContextCoderForPriors(coder, options);
    switch (coder) {
    case CoderId::Store: {
        if (payloadSize != expectedSize)
            throw CodecError(CodecErrorCode::CorruptPayload, "stored payload has " + std::to_string(payloadSize) +
                                                                 " bytes, the header needs " +
                                                                 std::to_string(expectedSize));
        return std::vector<uint8_t>(payload, payload + payloadSize);
    }
    case CoderId::Zstd:
    case CoderId::ZstdEntropy: return detail::zstdDecompress(payload, payloadSize, expectedSize, options.dictionary,
                                                                                    options.workspace);
    case CoderId::Context: {
        const uint64_t n = uint64_t(layout.channels) * layout.height * layout.width;
        if (n != expectedSize)
            throw CodecError(CodecErrorCode::InvalidArgument, "context payload size does not match the shape");
        std::vector<uint8_t> out(expectedSize);
        detail::contextDecode(payload, payloadSize, layout, out.data(), options.contextPriors);
        return out;
    }
    }
    throw CodecError(CodecErrorCode::BadHeaderField, "unknown coder id " + std::to_string(int(coder)));
}

} // namespace aecnn::codec
