#include <algorithm>
#include <cstring>
#include <random>

#include <QtTest>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_errors.h"
#include "aecnn/codec/codec_stats.h"
#include "aecnn/codec/entropy_coder.h"
#include "aecnn/error.h"
#include "codec_fixtures.h"

using namespace aecnn::codec;
using namespace aecnn::codec::testing;

namespace {

FeatureTensor inputNumber(int input)
{
    switch (input) {
    case 0: return randomTensor(4, 7, 9, 21);
    case 1: return emptyTensor(3, 5, 5);
    case 2: {
        FeatureTensor t = emptyTensor(2, 6, 6);
        std::fill(t.values.begin(), t.values.end(), -1.25f);
        return t;
    }
    case 3: return reluBlobs(6, 14, 14, 22);
    default: return emptyTensor(1, 1, 1);
    }
}
const char* const kInputNames[] = {"random", "zero", "constant", "relu", "single"};

bool bitIdentical(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

// Adversarial symbol arrays, given directly to the byte coders (no quantizer in between).
enum class Pattern { Random, Skewed, ZeroRunThenMax, ZeroRunThenMin, Checkerboard, MaxPlateau };
const char* const kPatternNames[] = {"random", "skewed", "zero-run-max", "zero-run-min", "checkerboard", "max-plateau"};

struct Shape {
    const char* name;
    uint32_t channels, height, width;
};
const Shape kShapes[] = {{"block", 4, 48, 40}, {"column", 3, 3000, 1}, {"row", 3, 1, 3000},
                         {"long", 1, 512, 256}, {"single", 1, 1, 1}};

// Zero points: one for the tensor (0, the middle, the top level) or one per channel.
enum class ZeroPoints { Zero, Middle, Top, PerChannel };
const char* const kZeroPointNames[] = {"zp0", "zp-mid", "zp-top", "zp-per-channel"};

std::vector<uint8_t> zeroPointsFor(ZeroPoints mode, int bits, uint32_t channels)
{
    const int levels = (1 << bits) - 1;
    switch (mode) {
    case ZeroPoints::Zero: return {0};
    case ZeroPoints::Middle: return {uint8_t(levels / 2)};
    case ZeroPoints::Top: return {uint8_t(levels)};
    case ZeroPoints::PerChannel: break;
    }
    const int cycle[] = {levels, 0, levels / 2, 1, levels - 1};
    std::vector<uint8_t> zps;
    for (uint32_t c = 0; c < channels; ++c)
        zps.push_back(uint8_t(cycle[c % 5]));
    return zps;
}

// Symbols of `pattern` in the layout; "zero" is each channel's zero point (magnitude 0).
std::vector<uint8_t> patternSymbols(Pattern pattern, const SymbolLayout& layout, uint32_t seed)
{
    const int levels = (1 << layout.bits) - 1;
    const size_t plane = size_t(layout.height) * layout.width;
    std::vector<uint8_t> symbols(plane * layout.channels);
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> anySymbol(0, levels);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (uint32_t c = 0; c < layout.channels; ++c) {
        const uint8_t zero = layout.zeroPoints[layout.zeroPoints.size() == 1 ? 0 : c];
        uint8_t* s = symbols.data() + c * plane;
        for (size_t i = 0; i < plane; ++i) {
            const uint32_t y = uint32_t(i / layout.width), x = uint32_t(i % layout.width);
            switch (pattern) {
            case Pattern::Random: s[i] = uint8_t(anySymbol(rng)); break;
            case Pattern::Skewed: s[i] = u(rng) < 0.999 ? zero : uint8_t(anySymbol(rng)); break;
            case Pattern::ZeroRunThenMax: s[i] = i + 1 < plane ? zero : uint8_t(levels); break;
            case Pattern::ZeroRunThenMin: s[i] = i + 1 < plane ? zero : 0; break;
            case Pattern::Checkerboard: s[i] = (x + y) % 2 ? uint8_t(levels) : 0; break;
            case Pattern::MaxPlateau: s[i] = u(rng) < 0.999 ? uint8_t(levels) : zero; break;
            }
        }
    }
    return symbols;
}

// Encodes and decodes the symbols; returns what went wrong, empty when they came back exactly.
QString payloadRoundTripError(CoderId coder, const std::vector<uint8_t>& symbols, const SymbolLayout& layout,
                              std::vector<uint8_t>* payloadOut = nullptr)
{
    const auto payload = encodePayload(coder, symbols, layout, {});
    const auto back = decodePayload(coder, payload.data(), payload.size(), symbols.size(), layout, {});
    if (payloadOut)
        *payloadOut = payload;
    if (back == symbols)
        return {};
    size_t first = 0;
    while (first < symbols.size() && first < back.size() && back[first] == symbols[first])
        ++first;
    return QString("%1 decoded %2 symbols of %3, first difference at %4")
        .arg(QString::fromStdString(coderName(coder)))
        .arg(back.size())
        .arg(symbols.size())
        .arg(first);
}

} // namespace

class EntropyCoderTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void floatFramesRoundTripExactly_data()
    {
        QTest::addColumn<int>("coder");
        QTest::addColumn<int>("representation");
        QTest::addColumn<int>("input");
        for (auto c : {CoderId::Store, CoderId::Zstd, CoderId::ZstdEntropy})
            for (auto r : {Representation::Float32, Representation::Float32Shuffled, Representation::Float16})
                for (int input = 0; input < 6; ++input)
                    QTest::addRow("%s/%s/%s", coderName(c).c_str(), representationName(r).c_str(),
                                  input < 5 ? kInputNames[input] : "nan-inf")
                        << int(c) << int(r) << input;
    }
    void floatFramesRoundTripExactly()
    {
        QFETCH(int, coder);
        QFETCH(int, representation);
        QFETCH(int, input);
        const FeatureTensor t = input < 5 ? inputNumber(input) : specialValues();
        CodecSettings settings;
        settings.coder = CoderId(coder);
        settings.representation = Representation(representation);
        const auto frame = encodeFrame(t, settings);
        const DecodedFrame d = decodeFrame(frame.data(), frame.size());
        QCOMPARE(d.tensor.channels, t.channels);
        QCOMPARE(d.tensor.height, t.height);
        QCOMPARE(d.tensor.width, t.width);
        if (isLossless(settings.representation)) {
            QVERIFY(bitIdentical(d.tensor.values, t.values));
        } else { // float16: the decoded tensor equals the float16 rounding of the input
            FeatureTensor expected = t;
            fromSymbols(toSymbols(t, settings.representation), expected);
            QVERIFY(bitIdentical(d.tensor.values, expected.values));
        }
    }

    void quantizedSymbolsRoundTripExactly_data()
    {
        QTest::addColumn<int>("coder");
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("perChannel");
        QTest::addColumn<int>("input");
        for (auto c : {CoderId::Store, CoderId::Zstd, CoderId::ZstdEntropy, CoderId::Context})
            for (int bits : {2, 3, 4, 5, 8})
                for (bool perChannel : {false, true})
                    for (int input = 0; input < 5; ++input)
                        QTest::addRow("%s/%d/%s/%s", coderName(c).c_str(), bits, perChannel ? "ch" : "t",
                                      kInputNames[input])
                            << int(c) << bits << perChannel << input;
    }
    void quantizedSymbolsRoundTripExactly()
    {
        QFETCH(int, coder);
        QFETCH(int, bits);
        QFETCH(bool, perChannel);
        QFETCH(int, input);
        const FeatureTensor t = inputNumber(input);
        CodecSettings settings{CoderId(coder), Representation::Uniform, bits, perChannel};
        const SymbolTensor expected = toSymbols(t, Representation::Uniform, bits, perChannel);
        const auto frame = encodeFrame(t, settings);
        const DecodedFrame d = decodeFrame(frame.data(), frame.size());
        QCOMPARE(d.symbols.bytes, expected.bytes);
        FeatureTensor dequantized = t;
        fromSymbols(expected, dequantized);
        QVERIFY(bitIdentical(d.tensor.values, dequantized.values));
    }

    // Every coder decodes exactly what it encoded on adversarial symbol arrays: every
    // bit depth, zero points at 0 / middle / top / per channel, heavily skewed streams
    // (P(zero) = 0.999, and a plateau at the top level), a long zero run ending in the
    // largest or the smallest symbol, a 0/max checkerboard, 1-wide and 1-high strips.
    void payloadsRoundTripOnAdversarialSymbols_data()
    {
        QTest::addColumn<int>("coder");
        QTest::addColumn<int>("bits");
        QTest::addColumn<int>("zeroPoints");
        QTest::addColumn<int>("pattern");
        QTest::addColumn<int>("shape");
        for (auto c : {CoderId::Context, CoderId::ZstdEntropy, CoderId::Zstd, CoderId::Store})
            for (int bits = 2; bits <= 8; ++bits)
                for (int zp = 0; zp < 4; ++zp)
                    for (int pattern = 0; pattern < 6; ++pattern)
                        for (int shape = 0; shape < 5; ++shape)
                            QTest::addRow("%s/%d/%s/%s/%s", coderName(c).c_str(), bits, kZeroPointNames[zp],
                                          kPatternNames[pattern], kShapes[shape].name)
                                << int(c) << bits << zp << pattern << shape;
    }
    void payloadsRoundTripOnAdversarialSymbols()
    {
        QFETCH(int, coder);
        QFETCH(int, bits);
        QFETCH(int, zeroPoints);
        QFETCH(int, pattern);
        QFETCH(int, shape);
        const Shape& s = kShapes[shape];
        SymbolLayout layout{s.channels, s.height, s.width, Representation::Uniform, bits,
                            zeroPointsFor(ZeroPoints(zeroPoints), bits, s.channels)};
        const uint32_t seed = uint32_t(1000 * bits + 100 * zeroPoints + 10 * pattern + shape);
        const auto symbols = patternSymbols(Pattern(pattern), layout, seed);
        std::vector<uint8_t> payload;
        const QString error = payloadRoundTripError(CoderId(coder), symbols, layout, &payload);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        // The context coder must also have learnt the skew: P(zero) = 0.999 costs about
        // H(0.999) + 0.001 * (bits + ~4) ~ 0.03 bits per element, and a long zero run is nearly
        // free (0.1 leaves room for the adaptation at the start). Not asserted for the
        // plateau at the top level: where no left neighbour exists (1-wide strips, first
        // column) its magnitude is coded every time, raw low mantissa bits included.
        const bool zeroSkewed = Pattern(pattern) == Pattern::Skewed || Pattern(pattern) == Pattern::ZeroRunThenMax ||
                                Pattern(pattern) == Pattern::ZeroRunThenMin;
        if (CoderId(coder) == CoderId::Context && zeroSkewed && symbols.size() >= 3000) {
            const double bitsPerElement = 8.0 * double(payload.size()) / double(symbols.size());
            QVERIFY2(bitsPerElement < 0.1, qPrintable(QString("%1 bits per element").arg(bitsPerElement)));
        }
    }

    // Context priors (issue 15), counted by hand. A 1x1x4 frame of zeros codes four
    // "same as left" decisions, all 0, in context 15 (all three upper neighbours agree with
    // the left one, bucket 0). A 1x1x2 frame [0, 1] codes one 0 and one 1 there, then the
    // unary exponent's first bit (0: magnitude 1) in prefix context 0, adaptive bit 95.
    // p(0) = (zeros + 0.4) / (decisions + 0.8) in 1/32768.
    void contextPriorsCountedByHand()
    {
        const SymbolLayout four{1, 1, 4, Representation::Uniform, 2, {0}};
        const SymbolLayout two{1, 1, 2, Representation::Uniform, 2, {0}};
        ContextPriorCounter counter;
        counter.add({0, 0, 0, 0}, four);
        ContextPriors priors = counter.priors();
        QCOMPARE(priors.priors.size(), size_t(1));
        QCOMPARE(priors.priors[0], (ContextPrior{15, 30037})); // 32768 * 4.4 / 4.8
        counter.add({0, 1}, two);
        priors = counter.priors(7);
        QCOMPARE(counter.frames(), uint64_t(2));
        QCOMPARE(priors.confidence, uint8_t(7));
        QCOMPARE(priors.priors.size(), size_t(2));
        QCOMPARE(priors.priors[0], (ContextPrior{15, 26022})); // 32768 * 5.4 / 6.8
        QCOMPARE(priors.priors[1], (ContextPrior{95, 25486})); // 32768 * 1.4 / 1.8
        // Never below 32/32768 nor above 1 - 32/32768, however one-sided the counts.
        ContextPriorCounter many;
        const SymbolLayout wide{1, 1, 4000, Representation::Uniform, 2, {0}};
        many.add(std::vector<uint8_t>(4000, 0), wide);
        QCOMPARE(many.priors().priors[0].probabilityOfZero, uint16_t(32736));
        QVERIFY_EXCEPTION_THROWN(many.add({0, 0}, wide), aecnn::Error);
    }

    // With priors, every adversarial pattern still round-trips exactly, at every bit depth
    // and zero-point mode, even when the priors were counted on another pattern (a prior
    // that is wrong for a stream costs bytes, never symbols).
    void payloadsRoundTripWithContextPriors_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<int>("zeroPoints");
        QTest::addColumn<int>("pattern");
        for (int bits = 2; bits <= 8; ++bits)
            for (int zp = 0; zp < 4; ++zp)
                for (int pattern = 0; pattern < 6; ++pattern)
                    QTest::addRow("%d/%s/%s", bits, kZeroPointNames[zp], kPatternNames[pattern]) << bits << zp << pattern;
    }
    void payloadsRoundTripWithContextPriors()
    {
        QFETCH(int, bits);
        QFETCH(int, zeroPoints);
        QFETCH(int, pattern);
        for (const Shape& s : kShapes) {
            const SymbolLayout layout{s.channels, s.height, s.width, Representation::Uniform, bits,
                                      zeroPointsFor(ZeroPoints(zeroPoints), bits, s.channels)};
            ContextPriorCounter counter;
            counter.add(patternSymbols(Pattern((pattern + 1) % 6), layout, uint32_t(bits)), layout);
            counter.add(patternSymbols(Pattern::Random, layout, uint32_t(bits + 50)), layout);
            const ContextPriors priors = counter.priors(uint8_t(1 + 30 * (pattern % 2))); // confidence 1 and 31
            const auto symbols = patternSymbols(Pattern(pattern), layout, uint32_t(7 * bits + pattern));
            CoderOptions options;
            options.contextPriors = &priors;
            const auto payload = encodePayload(CoderId::Context, symbols, layout, options);
            const auto back = decodePayload(CoderId::Context, payload.data(), payload.size(), symbols.size(), layout,
                                            options);
            QVERIFY2(back == symbols, s.name);
        }
    }

    // Priors counted on 200 frames of a source make its next small frames smaller (what
    // they are for: a 1 x 14 x 14 frame cannot learn its statistics from p = 1/2), and the
    // decoder needs the encoder's priors: without them the same payload is not the symbols.
    void contextPriorsShrinkSmallFramesAndMustMatch()
    {
        const auto symbolsOf = [](uint32_t seed, SymbolLayout* layout) {
            const auto st = toSymbols(reluBlobs(1, 14, 14, seed), Representation::Uniform, 3, true);
            *layout = SymbolLayout{1, 14, 14, Representation::Uniform, 3, {st.quant.ranges[0].zeroPoint}};
            return st.bytes;
        };
        ContextPriorCounter counter;
        SymbolLayout layout;
        for (uint32_t seed = 1000; seed < 1200; ++seed) {
            const auto symbols = symbolsOf(seed, &layout);
            counter.add(symbols, layout);
        }
        const ContextPriors priors = counter.priors();
        CoderOptions withPriors;
        withPriors.contextPriors = &priors;
        size_t plain = 0, primed = 0;
        int mismatchesDetected = 0, nonTrivial = 0;
        for (uint32_t seed = 1; seed <= 50; ++seed) {
            const auto symbols = symbolsOf(seed, &layout);
            const auto a = encodePayload(CoderId::Context, symbols, layout, {});
            const auto b = encodePayload(CoderId::Context, symbols, layout, withPriors);
            plain += a.size();
            primed += b.size();
            QVERIFY(decodePayload(CoderId::Context, b.data(), b.size(), symbols.size(), layout, withPriors) == symbols);
            // An all-zero frame codes to 0 bytes with or without priors (the range coder's
            // tail is trimmed), so it decodes the same either way; every other frame must not.
            if (std::all_of(symbols.begin(), symbols.end(), [](uint8_t v) { return v == 0; }))
                continue;
            ++nonTrivial;
            try {
                if (decodePayload(CoderId::Context, b.data(), b.size(), symbols.size(), layout, {}) != symbols)
                    ++mismatchesDetected;
            } catch (const CodecError&) {
                ++mismatchesDetected;
            }
        }
        QVERIFY2(double(primed) < 0.95 * double(plain), qPrintable(QString("%1 B with priors, %2 B without")
                                                                       .arg(primed)
                                                                       .arg(plain)));
        QVERIFY(nonTrivial >= 40);
        QCOMPARE(mismatchesDetected, nonTrivial);
    }

    void invalidContextPriorsRefused()
    {
        const auto codeOf = [](ContextPriors p) {
            try {
                validate(p);
            } catch (const CodecError& e) {
                return e.code();
            }
            return CodecErrorCode::None;
        };
        QCOMPARE(codeOf({16, {{3, 100}, {9, 32767}}}), CodecErrorCode::None);
        QCOMPARE(codeOf({0, {{3, 100}}}), CodecErrorCode::InvalidArgument);               // confidence 0
        QCOMPARE(codeOf({32, {{3, 100}}}), CodecErrorCode::InvalidArgument);              // beyond kShift's table
        QCOMPARE(codeOf({16, {{9, 100}, {3, 100}}}), CodecErrorCode::InvalidArgument);    // not increasing
        QCOMPARE(codeOf({16, {{3, 100}, {3, 100}}}), CodecErrorCode::InvalidArgument);    // repeated
        QCOMPARE(codeOf({16, {{kContextModelBits, 100}}}), CodecErrorCode::InvalidArgument);
        QCOMPARE(codeOf({16, {{3, 0}}}), CodecErrorCode::InvalidArgument);                // p = 0: an empty sub-range
        QCOMPARE(codeOf({16, {{3, 32768}}}), CodecErrorCode::InvalidArgument);
        // Priors for another coder are a caller's mistake, not silently ignored.
        const ContextPriors priors{16, {{3, 100}}};
        CoderOptions options;
        options.contextPriors = &priors;
        const SymbolLayout layout{1, 2, 2, Representation::Uniform, 4, {0}};
        QVERIFY_EXCEPTION_THROWN(encodePayload(CoderId::ZstdEntropy, {1, 2, 3, 4}, layout, options), CodecError);
    }

    // Many random layouts: shape, bit depth, zero points and a mix of the patterns per channel.
    void payloadsRoundTripOnRandomLayouts_data()
    {
        QTest::addColumn<uint>("seed");
        for (uint seed = 1; seed <= 300; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }
    void payloadsRoundTripOnRandomLayouts()
    {
        QFETCH(uint, seed);
        std::mt19937 rng(seed);
        auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
        SymbolLayout layout;
        layout.representation = Representation::Uniform;
        layout.bits = pick(2, 8);
        layout.channels = uint32_t(pick(1, 6));
        layout.height = uint32_t(pick(0, 3) == 0 ? 1 : pick(1, 70));
        layout.width = uint32_t(pick(0, 3) == 0 ? 1 : pick(1, 70));
        const int levels = (1 << layout.bits) - 1;
        const uint32_t zeroPointCount = pick(0, 1) ? layout.channels : 1;
        for (uint32_t c = 0; c < zeroPointCount; ++c)
            layout.zeroPoints.push_back(uint8_t(pick(0, 2) == 0 ? pick(0, 1) * levels : pick(0, levels)));
        const size_t plane = size_t(layout.height) * layout.width;
        std::vector<uint8_t> symbols;
        for (uint32_t c = 0; c < layout.channels; ++c) { // each channel its own pattern
            SymbolLayout one = layout;
            one.channels = 1;
            one.zeroPoints = {layout.zeroPoints[zeroPointCount == 1 ? 0 : c]};
            const auto channel = patternSymbols(Pattern(pick(0, 5)), one, uint32_t(rng()));
            symbols.insert(symbols.end(), channel.begin(), channel.end());
        }
        QCOMPARE(symbols.size(), plane * layout.channels);
        for (auto c : {CoderId::Context, CoderId::ZstdEntropy, CoderId::Zstd, CoderId::Store}) {
            const QString error = payloadRoundTripError(c, symbols, layout);
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
    }

    // Every magnitude and zero point of every bit depth, through the context coder.
    void contextCoderCoversEverySymbol()
    {
        for (int bits = 2; bits <= 8; ++bits) {
            const int levels = (1 << bits) - 1;
            for (int zp : {0, 1, levels / 2, levels - 1, levels}) {
                SymbolLayout layout{3, 9, 29, Representation::Uniform, bits, {uint8_t(zp)}};
                std::vector<uint8_t> symbols(3 * 9 * 29);
                for (size_t i = 0; i < symbols.size(); ++i)
                    symbols[i] = uint8_t((i * 7 + i / 13) % size_t(levels + 1));
                const auto payload = encodePayload(CoderId::Context, symbols, layout, {});
                const auto back = decodePayload(CoderId::Context, payload.data(), payload.size(), symbols.size(),
                                                layout, {});
                QCOMPARE(back, symbols);
            }
        }
    }

    // The point of the context coder: on correlated sparse maps it must beat H0.
    void contextCoderBeatsOrderZeroEntropyOnCorrelatedMaps()
    {
        const FeatureTensor t = reluBlobs(32, 28, 28, 5);
        const SymbolTensor s = toSymbols(t, Representation::Uniform, 4, true);
        const SymbolStats stats = computeSymbolStats(t, s);
        QVERIFY(stats.zeroFraction > 0.3);
        FrameSizes sizes;
        encodeFrame(t, {CoderId::Context, Representation::Uniform, 4, true}, &sizes);
        const double coded = double(sizes.payloadBytes) * 8.0 / double(t.elementCount());
        QVERIFY2(coded < 0.9 * stats.entropyBitsPerElement,
                 qPrintable(QString("coded %1 vs H0 %2").arg(coded).arg(stats.entropyBitsPerElement)));
    }

    void entropyOnlyZstdIsCloseToOrderZeroEntropy()
    {
        const FeatureTensor t = randomTensor(16, 32, 32, 6, 0.0f, 1.0f);
        const SymbolTensor s = toSymbols(t, Representation::Uniform, 8, false);
        const SymbolStats stats = computeSymbolStats(t, s);
        FrameSizes sizes;
        encodeFrame(t, {CoderId::ZstdEntropy, Representation::Uniform, 8, false}, &sizes);
        const double coded = double(sizes.payloadBytes) * 8.0 / double(t.elementCount());
        QVERIFY2(coded <= stats.entropyBitsPerElement * 1.02,
                 qPrintable(QString("coded %1 vs H0 %2").arg(coded).arg(stats.entropyBitsPerElement)));
    }

    void contextCoderNeedsQuantizedSymbols()
    {
        CodecSettings settings{CoderId::Context, Representation::Float32};
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, encodeFrame(randomTensor(1, 4, 4, 1), settings));
    }

    void unknownCoderNameListsTheValidOnes()
    {
        try {
            coderFromName("brotli");
            QFAIL("no error");
        } catch (const aecnn::Error& e) {
            const QString message = e.what();
            for (const auto& name : coderNames())
                QVERIFY(message.contains(QString::fromStdString(name)));
        }
        for (const auto& name : coderNames())
            QCOMPARE(coderName(coderFromName(name)), name);
    }

    void dictionaryIsRequiredToDecode()
    {
        std::vector<std::vector<uint8_t>> samples;
        for (uint32_t i = 0; i < 40; ++i)
            samples.push_back(toSymbols(reluBlobs(2, 14, 14, 100 + i), Representation::Uniform, 4).bytes);
        const ZstdDictionary dict = trainZstdDictionary(samples, 4096);
        QVERIFY(dict.id() != 0);
        const FeatureTensor t = reluBlobs(2, 14, 14, 7);
        CodecSettings settings{CoderId::Zstd, Representation::Uniform, 4, true, 3, &dict};
        const auto frame = encodeFrame(t, settings);
        const DecodedFrame d = decodeFrame(frame.data(), frame.size(), {}, &dict);
        QCOMPARE(d.symbols.bytes, toSymbols(t, Representation::Uniform, 4).bytes);
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, decodeFrame(frame.data(), frame.size()));
        ZstdDictionary other = dict;
        other.bytes.clear();
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, decodeFrame(frame.data(), frame.size(), {}, &other));
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, trainZstdDictionary({{1, 2, 3}}));
    }

    // One workspace through changing coders, levels and dictionaries codes exactly
    // what fresh contexts code, and decodes each frame (a dictionary must not stick).
    void workspaceCodesExactlyAsFreshContexts()
    {
        std::vector<std::vector<uint8_t>> samples;
        for (uint32_t i = 0; i < 40; ++i)
            samples.push_back(toSymbols(reluBlobs(2, 14, 14, 300 + i), Representation::Uniform, 4).bytes);
        const ZstdDictionary dict = trainZstdDictionary(samples, 4096);
        const FeatureTensor t = reluBlobs(2, 14, 14, 9);
        const std::vector<CodecSettings> sequence = {
            {CoderId::ZstdEntropy, Representation::Uniform, 4, true},
            {CoderId::ZstdEntropy, Representation::Uniform, 4, true},
            {CoderId::Zstd, Representation::Uniform, 4, true, 3},
            {CoderId::Zstd, Representation::Uniform, 4, true, 19},
            {CoderId::Zstd, Representation::Uniform, 4, true, 3, &dict},
            {CoderId::Zstd, Representation::Uniform, 4, true, 3},
            {CoderId::ZstdEntropy, Representation::Uniform, 4, true, 3, &dict},
            {CoderId::Context, Representation::Uniform, 4, true},
            {CoderId::ZstdEntropy, Representation::Float32, 8, false},
            {CoderId::ZstdEntropy, Representation::Uniform, 4, true},
        };
        CoderWorkspace workspace;
        for (size_t i = 0; i < sequence.size(); ++i) {
            const auto& settings = sequence[i];
            const auto fresh = encodeFrame(t, settings);
            const auto reused = encodeFrame(t, settings, nullptr, &workspace);
            QVERIFY2(reused == fresh, qPrintable(QString("step %1").arg(i)));
            const DecodedFrame d = decodeFrame(reused.data(), reused.size(), {}, settings.dictionary, &workspace);
            QCOMPARE(d.symbols.bytes, toSymbols(t, settings.representation, settings.bits, settings.perChannel).bytes);
            if (settings.dictionary) { // the dictionary must not stay loaded for the next payload
                const SymbolTensor symbols = toSymbols(t, settings.representation, settings.bits, settings.perChannel);
                SymbolLayout layout{t.channels, t.height, t.width, settings.representation, settings.bits, {}};
                const auto payload = encodePayload(settings.coder, symbols.bytes, layout,
                                                   {settings.zstdLevel, settings.dictionary, &workspace});
                QVERIFY_THROWS_EXCEPTION(aecnn::Error, decodePayload(settings.coder, payload.data(), payload.size(),
                                                                     symbols.bytes.size(), layout,
                                                                     {settings.zstdLevel, nullptr, &workspace}));
            }
        }
    }

    void maximalShapeRoundTrips_data()
    {
        QTest::addColumn<int>("coder");
        QTest::addColumn<int>("representation");
        QTest::addRow("context/uint") << int(CoderId::Context) << int(Representation::Uniform);
        QTest::addRow("zstd-entropy/float32") << int(CoderId::ZstdEntropy) << int(Representation::Float32);
    }
    void maximalShapeRoundTrips()
    {
        QFETCH(int, coder);
        QFETCH(int, representation);
        const DecodeLimits limits;
        // 4096 channels x 64 x 64 = the element cap (16 Mi); sparse ReLU-like content.
        FeatureTensor t = emptyTensor(limits.maxChannels, 64, 64);
        QCOMPARE(t.elementCount(), limits.maxElements);
        for (size_t i = 0; i < t.values.size(); i += 97)
            t.values[i] = float(i % 13);
        const auto frame = encodeFrame(t, {CoderId(coder), Representation(representation), 4, true});
        const DecodedFrame d = decodeFrame(frame.data(), frame.size(), limits);
        QCOMPARE(d.tensor.values.size(), t.values.size());
        if (Representation(representation) == Representation::Float32)
            QVERIFY(bitIdentical(d.tensor.values, t.values));
        else
            QCOMPARE(d.symbols.bytes, toSymbols(t, Representation::Uniform, 4).bytes);
        DecodeLimits tighter = limits;
        tighter.maxElements = limits.maxElements - 1;
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, decodeFrame(frame.data(), frame.size(), tighter));
    }
};

QTEST_GUILESS_MAIN(EntropyCoderTest)
#include "test_entropy_coders.moc"
