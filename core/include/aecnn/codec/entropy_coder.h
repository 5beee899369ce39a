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

struct CoderOptions {
    int zstdLevel = kDefaultZstdLevel;
    const ZstdDictionary* dictionary = nullptr; // zstd coders only
    CoderWorkspace* workspace = nullptr;        // optional; not shared between threads
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

// Trains a dictionary from calibration symbol streams (e.g. quantized tensors of
// one model, split and ratio). Throws aecnn::Error when zstd cannot train one.
ZstdDictionary trainZstdDictionary(const std::vector<std::vector<uint8_t>>& samples, size_t capacity = 16 * 1024);

} // namespace aecnn::codec
