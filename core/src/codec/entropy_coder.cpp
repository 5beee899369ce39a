#include "aecnn/codec/entropy_coder.h"

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

std::vector<uint8_t> encodePayload(CoderId coder, const std::vector<uint8_t>& symbols, const SymbolLayout& layout,
                                   const CoderOptions& options)
{
    if (!coderSupports(coder, layout.representation))
        throw Error("codec '" + coderName(coder) + "' cannot code " + representationName(layout.representation) +
                    " symbols; quantize them (uint, --bits n) or choose zstd, zstd-entropy or store");
    switch (coder) {
    case CoderId::Store: return symbols;
    case CoderId::Zstd: return detail::zstdCompress(symbols, false, options.zstdLevel, options.dictionary, options.workspace);
    case CoderId::ZstdEntropy: return detail::zstdCompress(symbols, true, options.zstdLevel, options.dictionary, options.workspace);
    case CoderId::Context: {
        const uint64_t n = uint64_t(layout.channels) * layout.height * layout.width;
        if (symbols.size() != n)
            throw Error("context coder got " + std::to_string(symbols.size()) + " symbols for " +
                        std::to_string(n) + " elements");
        return detail::contextEncode(symbols.data(), layout);
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
        detail::contextDecode(payload, payloadSize, layout, out.data());
        return out;
    }
    }
    throw CodecError(CodecErrorCode::BadHeaderField, "unknown coder id " + std::to_string(int(coder)));
}

} // namespace aecnn::codec
