#define ZSTD_STATIC_LINKING_ONLY // for ZSTD_c_literalCompressionMode (an experimental parameter)
#include "zstd_coder.h"

#include <memory>
#include <string>

#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "aecnn/codec/codec_errors.h"
#include "aecnn/error.h"

namespace aecnn::codec::detail {
namespace {

// Throws for a zstd error result; when decoding, the error is the payload's (or the
// dictionary's) fault, so it carries `code` (memory errors excepted).
size_t check(size_t result, const char* what, CodecErrorCode code = CodecErrorCode::Generic)
{
    if (!ZSTD_isError(result))
        return result;
    const ZSTD_ErrorCode zstdCode = ZSTD_getErrorCode(result);
    if (zstdCode == ZSTD_error_memory_allocation)
        code = CodecErrorCode::OutOfMemory;
    else if (code == CodecErrorCode::CorruptPayload && zstdCode == ZSTD_error_dictionary_wrong)
        code = CodecErrorCode::DictionaryMismatch;
    throw CodecError(code, std::string("zstd ") + what + " failed: " + ZSTD_getErrorName(result));
}

struct CCtxDeleter {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

using CompressionContext = std::unique_ptr<ZSTD_CCtx, CCtxDeleter>;
using DecompressionContext = std::unique_ptr<ZSTD_DCtx, DCtxDeleter>;

void configure(ZSTD_CCtx* cctx, bool entropyOnly, int level, const ZstdDictionary* dictionary)
{
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, entropyOnly ? 1 : level), "set level");
    if (entropyOnly) {
        // Measured best for tensors (codec-notes.md): no useful matches exist, so
        // skip the search and always Huffman-code the literals.
        check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_strategy, ZSTD_fast), "set strategy");
        check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_targetLength, 131072), "set target length");
        check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_literalCompressionMode, ZSTD_ps_enable), "set literal mode");
    }
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 0), "set checksum"); // the frame has a CRC
    check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1), "set content size");
    if (dictionary)
        check(ZSTD_CCtx_loadDictionary(cctx, dictionary->bytes.data(), dictionary->bytes.size()), "load dictionary");
}

} // namespace

} // namespace aecnn::codec::detail

namespace aecnn::codec {

// A context keeps its parameters between frames; they are set again only when the
// coder or level changes, or a dictionary is used (loaded again on every call: the
// same pointer does not prove the same bytes).
struct CoderWorkspace::ZstdContexts {
    detail::CompressionContext compression;
    detail::DecompressionContext decompression;
    bool compressionConfigured = false; // for (entropyOnly, level) without a dictionary
    bool entropyOnly = false;
    int level = 0;
    bool decompressionPlain = false; // no dictionary loaded
};

CoderWorkspace::CoderWorkspace() : zstd_(std::make_unique<ZstdContexts>()) {}
CoderWorkspace::~CoderWorkspace() = default;
CoderWorkspace::CoderWorkspace(CoderWorkspace&&) noexcept = default;
CoderWorkspace& CoderWorkspace::operator=(CoderWorkspace&&) noexcept = default;

} // namespace aecnn::codec

namespace aecnn::codec::detail {

std::vector<uint8_t> zstdCompress(const std::vector<uint8_t>& input, bool entropyOnly, int level,
                                  const ZstdDictionary* dictionary, CoderWorkspace* workspace)
{
    if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
        throw Error("zstd level " + std::to_string(level) + " is outside " + std::to_string(ZSTD_minCLevel()) +
                    ".." + std::to_string(ZSTD_maxCLevel()));
    if (dictionary && dictionary->bytes.empty())
        dictionary = nullptr;
    CompressionContext owned;
    ZSTD_CCtx* cctx = nullptr;
    if (workspace) {
        auto& z = workspace->zstd();
        if (!z.compression)
            z.compression.reset(ZSTD_createCCtx());
        cctx = z.compression.get();
        if (cctx && !(z.compressionConfigured && !dictionary && z.entropyOnly == entropyOnly && z.level == level)) {
            z.compressionConfigured = false;
            check(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters), "reset");
            configure(cctx, entropyOnly, level, dictionary);
            z.compressionConfigured = dictionary == nullptr;
            z.entropyOnly = entropyOnly;
            z.level = level;
        }
    } else {
        owned.reset(ZSTD_createCCtx());
        cctx = owned.get();
        if (cctx)
            configure(cctx, entropyOnly, level, dictionary);
    }
    if (!cctx)
        throw CodecError(CodecErrorCode::OutOfMemory, "zstd: out of memory creating a compression context");
    std::vector<uint8_t> out(ZSTD_compressBound(input.size()));
    const size_t written = check(ZSTD_compress2(cctx, out.data(), out.size(), input.data(), input.size()), "compression");
    out.resize(written);
    return out;
}

std::vector<uint8_t> zstdDecompress(const uint8_t* data, size_t size, size_t expectedSize,
                                    const ZstdDictionary* dictionary, CoderWorkspace* workspace)
{
    const unsigned long long content = ZSTD_getFrameContentSize(data, size);
    if (content == ZSTD_CONTENTSIZE_ERROR)
        throw CodecError(CodecErrorCode::CorruptPayload, "zstd payload is not a zstd frame");
    if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != expectedSize)
        throw CodecError(CodecErrorCode::CorruptPayload, "zstd payload expands to " + std::to_string(content) +
                                                             " bytes, the header says " + std::to_string(expectedSize));
    const size_t frameSize = ZSTD_findFrameCompressedSize(data, size);
    if (ZSTD_isError(frameSize) || frameSize != size)
        throw CodecError(CodecErrorCode::CorruptPayload, "zstd payload is truncated or has trailing bytes");
    if (dictionary && dictionary->bytes.empty())
        dictionary = nullptr;
    DecompressionContext owned;
    ZSTD_DCtx* dctx = nullptr;
    bool needsSetup = true;
    if (workspace) {
        auto& z = workspace->zstd();
        if (!z.decompression)
            z.decompression.reset(ZSTD_createDCtx());
        dctx = z.decompression.get();
        needsSetup = dictionary || !z.decompressionPlain;
        if (dctx && needsSetup) {
            z.decompressionPlain = false;
            check(ZSTD_DCtx_reset(dctx, ZSTD_reset_session_and_parameters), "reset");
            z.decompressionPlain = dictionary == nullptr;
        }
    } else {
        owned.reset(ZSTD_createDCtx());
        dctx = owned.get();
    }
    if (!dctx)
        throw CodecError(CodecErrorCode::OutOfMemory, "zstd: out of memory creating a decompression context");
    if (dictionary && needsSetup)
        check(ZSTD_DCtx_loadDictionary(dctx, dictionary->bytes.data(), dictionary->bytes.size()), "load dictionary");
    std::vector<uint8_t> out(expectedSize);
    const size_t written = check(ZSTD_decompressDCtx(dctx, out.data(), out.size(), data, size), "decompression",
                                 CodecErrorCode::CorruptPayload);
    if (written != expectedSize)
        throw CodecError(CodecErrorCode::CorruptPayload, "zstd payload expands to " + std::to_string(written) +
                                                             " bytes, the header says " + std::to_string(expectedSize));
    return out;
}

} // namespace aecnn::codec::detail

namespace aecnn::codec {

uint32_t ZstdDictionary::id() const
{
    return bytes.empty() ? 0 : ZDICT_getDictID(bytes.data(), bytes.size());
}

ZstdDictionary trainZstdDictionary(const std::vector<std::vector<uint8_t>>& samples, size_t capacity)
{
    std::vector<uint8_t> joined;
    std::vector<size_t> sizes;
    for (const auto& s : samples) {
        joined.insert(joined.end(), s.begin(), s.end());
        sizes.push_back(s.size());
    }
    if (sizes.size() < 8)
        throw Error("a zstd dictionary needs at least 8 calibration tensors, got " + std::to_string(sizes.size()));
    ZstdDictionary dict;
    dict.bytes.resize(capacity);
    const size_t size = ZDICT_trainFromBuffer(dict.bytes.data(), dict.bytes.size(), joined.data(), sizes.data(),
                                              unsigned(sizes.size()));
    if (ZDICT_isError(size))
        throw Error(std::string("zstd dictionary training failed: ") + ZDICT_getErrorName(size) +
                    " (use more or larger calibration tensors)");
    dict.bytes.resize(size);
    return dict;
}

} // namespace aecnn::codec
