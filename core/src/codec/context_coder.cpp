#include "context_coder.h"

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "aecnn/codec/codec_errors.h"
#include "aecnn/error.h"
#include "range_coder.h"

namespace aecnn::codec::detail {
namespace {

int floorLog2(unsigned v)
{
    return v == 0 ? 0 : 31 - __builtin_clz(v);
}

// Magnitude m of a symbol q relative to its channel's zero point zp: 0 exactly
// when the float was 0. One-sided ranges (ReLU: zp = 0) need no sign.
struct MagnitudeMap {
    int zeroPoint = 0;
    int levels = 255;
    int maxMagnitude = 255;
    int maxLog = 7; // floorLog2(maxMagnitude): the longest magnitude prefix
    // Above 4 bits the exponent k = floorLog2(m) is coded as a binary tree of this
    // depth (fewer decisions than the unary prefix used up to 4 bits).
    int exponentTreeDepth = 0;

    MagnitudeMap(int zp, int bits) : zeroPoint(zp), levels((1 << bits) - 1)
    {
        if (zp == 0 || zp == levels)
            maxMagnitude = levels;
        else
            maxMagnitude = std::max(2 * (levels - zp) - 1, 2 * zp);
        maxLog = floorLog2(unsigned(maxMagnitude));
        exponentTreeDepth = bits > 4 ? floorLog2(unsigned(maxLog)) + 1 : 0;
    }
    int toMagnitude(int q) const
    {
        if (zeroPoint == 0)
            return q;
        if (zeroPoint == levels)
            return levels - q;
        const int d = q - zeroPoint;
        return d > 0 ? 2 * d - 1 : -2 * d;
    }
    // -1 when m cannot come from a valid symbol.
    int toSymbol(int m) const
    {
        if (m > maxMagnitude)
            return -1;
        int q;
        if (zeroPoint == 0)
            q = m;
        else if (zeroPoint == levels)
            q = levels - m;
        else
            q = zeroPoint + ((m & 1) ? (m + 1) / 2 : -(m / 2));
        return (q < 0 || q > levels) ? -1 : q;
    }
};

constexpr int kBuckets = 5;
constexpr int kMagContexts = 12;
constexpr int kMaxLog = 10; // magnitudes < 1024

// Bucket of a magnitude m < 512 on a 4-bit scale (m >> shift): 0 for zero, then 1..4
// by size; one table per shift = bits - 4 (0 up to 4 bits), built at compile time so
// that coding a small tensor does not start by filling one.
using BucketTable = std::array<uint8_t, 512>;
constexpr std::array<BucketTable, 5> kBucketTables = [] {
    std::array<BucketTable, 5> tables{};
    for (int shift = 0; shift < 5; ++shift)
        for (int m = 1; m < 512; ++m) {
            const int scaled = m >> shift;
            tables[size_t(shift)][size_t(m)] = uint8_t(scaled <= 1 ? 1 : scaled <= 3 ? 2 : scaled <= 7 ? 3 : 4);
        }
    return tables;
}();

// Every adaptive bit of the model lives in one array; these offsets number them for
// ContextPriors (part of the session-layout format: never renumber, only append).
constexpr int kSameBits = 4 * kBuckets;                 // sameContext
constexpr int kZeroBits = kBuckets * kBuckets * 3;      // zeroContext
constexpr int kPrefixBits = kMagContexts * kMaxLog;     // unary exponent, <= 4 bits
constexpr int kTreeNodes = 16;                          // binary exponent tree, > 4 bits (depth <= 4)
constexpr int kTreeBits = kMagContexts * kTreeNodes;
constexpr int kTopMantissaBits = kMagContexts * kMaxLog;
constexpr int kLowMantissaBits = kMaxLog * kMaxLog;
constexpr int kSameOffset = 0;
constexpr int kZeroOffset = kSameOffset + kSameBits;
constexpr int kPrefixOffset = kZeroOffset + kZeroBits;
constexpr int kTreeOffset = kPrefixOffset + kPrefixBits;
constexpr int kTopMantissaOffset = kTreeOffset + kTreeBits;
constexpr int kLowMantissaOffset = kTopMantissaOffset + kTopMantissaBits;
static_assert(kLowMantissaOffset + kLowMantissaBits == kContextModelBits,
              "kContextModelBits (entropy_coder.h) must count every adaptive bit");

// All adaptive probabilities of the model; encoder and decoder evolve them identically.
struct Model {
    Model(int bits, const ContextPriors* priors)
        : bypassBits(bits > 4 ? bits - 3 : 0), bucketOf(kBucketTables[size_t(std::max(0, bits - 4))])
    {
        if (priors == nullptr || priors->empty())
            return;
        validate(*priors);
        for (const ContextPrior& prior : priors->priors) {
            AdaptiveBit& bit = all[prior.context];
            bit.p = prior.probabilityOfZero;
            bit.seen = priors->confidence;
        }
    }

    int bucket(int m) const { return bucketOf[size_t(m)]; }
    static int magnitudeContext(int left, int up)
    {
        const int s = left + up;
        return s == 0 ? 0 : std::min(kMagContexts - 1, 1 + floorLog2(unsigned(s)));
    }

    AdaptiveBit& same(int ctx) { return all[size_t(kSameOffset + ctx)]; }
    AdaptiveBit& zero(int ctx) { return all[size_t(kZeroOffset + ctx)]; }
    AdaptiveBit& prefix(int ctx, int j) { return all[size_t(kPrefixOffset + ctx * kMaxLog + j)]; }
    AdaptiveBit& exponentTree(int ctx, int node) { return all[size_t(kTreeOffset + ctx * kTreeNodes + node)]; }
    AdaptiveBit& topMantissa(int ctx, int k) { return all[size_t(kTopMantissaOffset + ctx * kMaxLog + k)]; }
    AdaptiveBit& lowMantissa(int k, int i) { return all[size_t(kLowMantissaOffset + k * kMaxLog + i)]; }

    // Above 4 bits, mantissa bits below 2^bypassBits are sent raw (see context_coder.h).
    const int bypassBits;
    const BucketTable& bucketOf;
    std::array<AdaptiveBit, kContextModelBits> all{};
};

// Magnitudes of the already coded neighbours in the same channel (0 outside).
struct Neighbours {
    int left, up, upLeft, upRight;
};

// Walks every element in channel-major raster order and hands the coder the
// neighbour magnitudes; `code` returns the element's magnitude.
template <typename CodeElement>
void walk(const SymbolLayout& layout, CodeElement&& code)
{
    const uint32_t w = layout.width;
    std::vector<int> previousRow(w + 1, 0), currentRow(w + 1, 0); // index x+1; [0] and [w] pads stay 0
    for (uint32_t c = 0; c < layout.channels; ++c) {
        std::fill(previousRow.begin(), previousRow.end(), 0);
        for (uint32_t y = 0; y < layout.height; ++y) {
            int left = 0;
            for (uint32_t x = 0; x < w; ++x) {
                const int up = previousRow[x + 1];
                const int upLeft = previousRow[x];
                const int upRight = x + 1 < w ? previousRow[x + 2] : 0;
                const int m = code(c, Neighbours{left, up, upLeft, upRight});
                currentRow[x + 1] = m;
                left = m;
            }
            std::swap(previousRow, currentRow);
        }
    }
}

// "Same as the left neighbour" is the first decision: it covers zero runs in
// sparse regions and the constant non-zero plateaus (e.g. image background
// after bias + ReLU) that a zero flag alone cannot.
int sameContext(const Model& model, const Neighbours& n)
{
    const int agreeing = (n.up == n.left) + (n.upLeft == n.left) + (n.upRight == n.left);
    return agreeing * kBuckets + model.bucket(n.left);
}

int zeroContext(const Model& model, const Neighbours& n)
{
    return (model.bucket(n.left) * kBuckets + model.bucket(n.up)) * 3 + (n.upLeft != 0) + (n.upRight != 0);
}

std::vector<MagnitudeMap> mapsFor(const SymbolLayout& layout)
{
    if (layout.representation != Representation::Uniform)
        throw Error("the context coder needs quantized (uint) symbols");
    if (layout.bits < 2 || layout.bits > 8)
        throw Error("the context coder needs 2 to 8 bits per symbol, got " + std::to_string(layout.bits));
    if (layout.zeroPoints.size() != 1 && layout.zeroPoints.size() != layout.channels)
        throw Error("the context coder needs one zero point per channel or one for the tensor");
    std::vector<MagnitudeMap> maps;
    for (uint8_t zp : layout.zeroPoints) {
        if (zp > (1 << layout.bits) - 1)
            throw Error("zero point " + std::to_string(zp) + " does not fit in " + std::to_string(layout.bits) +
                        " bits");
        maps.emplace_back(zp, layout.bits);
    }
    return maps;
}

// Codes every symbol's decisions with `encoder` (a RangeEncoder, or a DecisionCounter
// that only counts them): the one place that says which decisions a symbol takes.
template <typename Encoder>
void encodeSymbols(const uint8_t* symbols, const SymbolLayout& layout, const std::vector<MagnitudeMap>& maps,
                   Model& model, Encoder& encoder)
{
    size_t index = 0;
    walk(layout, [&](uint32_t c, const Neighbours& n) {
        const MagnitudeMap& map = maps[maps.size() == 1 ? 0 : c];
        const int q = symbols[index++];
        if (q > map.levels)
            throw Error("symbol " + std::to_string(q) + " does not fit in " + std::to_string(layout.bits) + " bits");
        const int m = map.toMagnitude(q);
        encoder.encode(model.same(sameContext(model, n)), m != n.left);
        if (m == n.left)
            return m;
        if (n.left != 0) { // otherwise m != left already says m != 0
            encoder.encode(model.zero(zeroContext(model, n)), m != 0);
            if (m == 0)
                return 0;
        }
        const int k = floorLog2(unsigned(m));
        const int maxK = map.maxLog;
        const int ctx = Model::magnitudeContext(n.left, n.up);
        if (map.exponentTreeDepth > 0) {
            int node = 1;
            for (int level = map.exponentTreeDepth - 1; level >= 0; --level) {
                const int bit = (k >> level) & 1;
                encoder.encode(model.exponentTree(ctx, node), bit);
                node = 2 * node + bit;
            }
        } else {
            for (int j = 0; j < maxK; ++j) {
                encoder.encode(model.prefix(ctx, j), k > j);
                if (k <= j)
                    break;
            }
        }
        const int bypass = std::max(0, std::min(k - 1, model.bypassBits));
        for (int i = k - 1; i >= bypass; --i) {
            AdaptiveBit& bit = i == k - 1 ? model.topMantissa(ctx, k) : model.lowMantissa(k, i);
            encoder.encode(bit, (m >> i) & 1);
        }
        if (bypass > 0)
            encoder.encodeBypass(uint32_t(m) & ((1u << bypass) - 1), bypass);
        return m;
    });
}

// Counts decisions per adaptive bit instead of coding them; which decisions a symbol
// takes does not depend on the probabilities, so no bit needs updating.
struct DecisionCounter {
    const AdaptiveBit* first;
    uint64_t* zeros;
    uint64_t* ones;

    void encode(AdaptiveBit& bit, int value) { ++(value ? ones : zeros)[&bit - first]; }
    void encodeBypass(uint32_t, int) {}
};

} // namespace

std::vector<uint8_t> contextEncode(const uint8_t* symbols, const SymbolLayout& layout, const ContextPriors* priors)
{
    const auto maps = mapsFor(layout);
    auto model = std::make_unique<Model>(layout.bits, priors);
    std::vector<uint8_t> out;
    RangeEncoder encoder(out);
    encodeSymbols(symbols, layout, maps, *model, encoder);
    encoder.finish();
    return out;
}

void contextCountDecisions(const uint8_t* symbols, const SymbolLayout& layout, uint64_t* zeros, uint64_t* ones)
{
    const auto maps = mapsFor(layout);
    auto model = std::make_unique<Model>(layout.bits, nullptr);
    DecisionCounter counter{model->all.data(), zeros, ones};
    encodeSymbols(symbols, layout, maps, *model, counter);
}

void contextDecode(const uint8_t* payload, size_t size, const SymbolLayout& layout, uint8_t* out,
                   const ContextPriors* priors)
{
    const auto maps = mapsFor(layout);
    auto model = std::make_unique<Model>(layout.bits, priors);
    RangeDecoder decoder(payload, size);
    size_t index = 0;
    walk(layout, [&](uint32_t c, const Neighbours& n) {
        const MagnitudeMap& map = maps[maps.size() == 1 ? 0 : c];
        int m = n.left;
        const bool differs = decoder.decode(model->same(sameContext(*model, n)));
        if (differs && n.left != 0)
            m = decoder.decode(model->zero(zeroContext(*model, n))) ? -1 : 0;
        if (differs && (n.left == 0 || m == -1)) {
            const int maxK = map.maxLog;
            const int ctx = Model::magnitudeContext(n.left, n.up);
            int k = 0;
            if (map.exponentTreeDepth > 0) {
                int node = 1;
                for (int level = 0; level < map.exponentTreeDepth; ++level)
                    node = 2 * node + decoder.decode(model->exponentTree(ctx, node));
                k = node - (1 << map.exponentTreeDepth);
                if (k > maxK)
                    throw CodecError(CodecErrorCode::CorruptPayload,
                                     "context payload is corrupt: decoded magnitude exponent " + std::to_string(k) +
                                         " exceeds " + std::to_string(maxK));
            } else {
                while (k < maxK && decoder.decode(model->prefix(ctx, k)))
                    ++k;
            }
            m = 1;
            const int bypass = std::max(0, std::min(k - 1, model->bypassBits));
            for (int i = k - 1; i >= bypass; --i) {
                AdaptiveBit& bit = i == k - 1 ? model->topMantissa(ctx, k) : model->lowMantissa(k, i);
                m = (m << 1) | decoder.decode(bit);
            }
            if (bypass > 0)
                m = (m << bypass) | int(decoder.decodeBypass(bypass));
        }
        const int q = map.toSymbol(m);
        if (q < 0)
            throw CodecError(CodecErrorCode::CorruptPayload, "context payload is corrupt: decoded magnitude " +
                                                                 std::to_string(m) + " is not a valid symbol");
        out[index++] = uint8_t(q);
        return m;
    });
    if (!decoder.consumedAll())
        throw CodecError(CodecErrorCode::CorruptPayload,
                         "context payload is longer than its shape needs: the frame is corrupt");
}

} // namespace aecnn::codec::detail
