#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "aecnn/codec/quantizer.h"

namespace aecnn::codec {

// Byte coders, selected by name. The numeric ids are written into bitstreams:
// never renumber them.
enum class CoderId : uint8_t {
    Store = 0,       // "store": bytes as they are
    Zstd = 1,        // "zstd": zstd at a chosen level (default kDefaultZstdLevel)
    ZstdEntropy = 2, // "zstd-entropy": zstd tuned to Huffman-only literals (no match search)
    Context = 3,     // "context": adaptive binary range coder with left/upper neighbour contexts
};

// zstd's own default level; used when no level is given.
constexpr int kDefaultZstdLevel = 3;

std::string coderName(CoderId id);
CoderId coderFromName(const std::string& name); // throws aecnn::Error listing coderNames()
std::vector<std::string> coderNames();
// Which representations a coder accepts ("context" needs Uniform symbols).
bool coderSupports(CoderId id, Representation representation);

// A trained zstd dictionary (see trainZstdDictionary); empty = none.
struct ZstdDictionary {
    std::vector<uint8_t> bytes;
    uint32_t id() const; // zstd's dictionary id, 0 when empty or not a zstd dictionary
};

// Coder state reused across calls by one thread at a time (zstd's compression
// and decompression contexts). Without one, every zstd call sets up fresh
// contexts, which costs more than coding a small tensor: ~11 us per call
// against ~3 us with a workspace for a 196-byte (1 x 14 x 14, 8-bit) tensor.
class CoderWorkspace {
public:
    CoderWorkspace();
    ~CoderWorkspace();
    CoderWorkspace(CoderWorkspace&&) noexcept;
    CoderWorkspace& operator=(CoderWorkspace&&) noexcept;

    struct ZstdContexts; // defined by the zstd coder
    ZstdContexts& zstd() { return *zstd_; }

private:
    std::unique_ptr<ZstdContexts> zstd_;
};

// Starting probabilities for the context coder's adaptive bits (issue 15, "better context
// modelling"). Without them every bit starts at p = 1/2 in every frame, and a 196-element
// frame spends a good part of its bytes learning what the previous frame already taught.
// Priors are counted on calibration symbols of one deployed model (ContextPriorCounter)
// and agreed once per session in its layout (session_layout.h); encoder and decoder must
// use the same priors, or the payload decodes to garbage (a session refuses frames of
// another layout by its tag, and the priors are part of the layout).
struct ContextPrior {
    // Which adaptive bit: 0 .. kContextModelBits - 1, numbered as in context_coder.cpp
    // (part of the session-layout format: never renumbered).
    uint16_t context = 0;
    uint16_t probabilityOfZero = 1 << 14; // in 1/32768, 1 .. 32767
    bool operator==(const ContextPrior& o) const
    {
        return context == o.context && probabilityOfZero == o.probabilityOfZero;
    }
};

constexpr int kContextModelBits = 627;         // adaptive bits in the context coder's model
constexpr uint8_t kDefaultPriorConfidence = 16; // measured: 16 saves the most (frontier.md, session 10)

struct ContextPriors {
    // How many bits each prior counts as already seen (1..31): the adaptation rate it
    // starts at, so a prior that does not fit a stream is still unlearned quickly.
    uint8_t confidence = kDefaultPriorConfidence;
    std::vector<ContextPrior> priors; // strictly increasing contexts; the others start at 1/2
    bool empty() const { return priors.empty(); }
    bool operator==(const ContextPriors& o) const
    {
        return priors == o.priors && (priors.empty() || confidence == o.confidence);
    }
    bool operator!=(const ContextPriors& o) const { return !(*this == o); }
};

// Throws CodecError (InvalidArgument) naming the first bad field.
void validate(const ContextPriors& priors);

struct CoderOptions {
    int zstdLevel = kDefaultZstdLevel;
    const ZstdDictionary* dictionary = nullptr; // zstd coders only
    CoderWorkspace* workspace = nullptr;        // optional; not shared between threads
    const ContextPriors* contextPriors = nullptr; // context coder only; null or empty = none
};

// What a coder needs to know about the symbols besides their bytes.
struct SymbolLayout {
    uint32_t channels = 0;
    uint32_t height = 0;
    uint32_t width = 0;
    Representation representation = Representation::Float32;
    int bits = 8;
    std::vector<uint8_t> zeroPoints; // Uniform only: per channel (size channels) or one for all
};

std::vector<uint8_t> encodePayload(CoderId coder, const std::vector<uint8_t>& symbols, const SymbolLayout& layout,
                                   const CoderOptions& options);
// Decodes exactly `expectedSize` bytes; throws CodecError (codec_errors.h) on any
// inconsistency, never reads outside `payload` nor writes outside the result.
std::vector<uint8_t> decodePayload(CoderId coder, const uint8_t* payload, size_t payloadSize, size_t expectedSize,
                                   const SymbolLayout& layout, const CoderOptions& options);

// Counts the context coder's decisions over calibration frames (each coded as a stream of
// its own, as every frame is) and turns them into priors: for each adaptive bit the
// frames used, p(0) = (zeros + 0.4) / (decisions + 0.8).
class ContextPriorCounter {
public:
    // One frame's symbols with their layout (Uniform, 2..8 bits); throws like encodePayload.
    void add(const std::vector<uint8_t>& symbols, const SymbolLayout& layout);
    ContextPriors priors(uint8_t confidence = kDefaultPriorConfidence) const;
    uint64_t frames() const { return frames_; }

private:
    std::vector<uint64_t> zeros_ = std::vector<uint64_t>(kContextModelBits, 0);
    std::vector<uint64_t> ones_ = std::vector<uint64_t>(kContextModelBits, 0);
    uint64_t frames_ = 0;
};

// Trains a dictionary from calibration symbol streams (e.g. quantized tensors of
// one model, split and ratio). Throws aecnn::Error when zstd cannot train one.
ZstdDictionary trainZstdDictionary(const std::vector<std::vector<uint8_t>>& samples, size_t capacity = 16 * 1024);

} // namespace aecnn::codec
