// Per-session frame layout (session_layout.h): the layout round trip, layout-framed
// frames against self-describing frames of the same tensor (same symbols, same
// decoded tensor, header bytes saved), fixed (calibrated) ranges, and refusals of
// frames that do not match the layout (stable error codes, codec_errors.h).
#include <QtTest>

#include <cstring>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_errors.h"
#include "aecnn/codec/session_layout.h"
#include "codec_fixtures.h"

using namespace aecnn::codec;
using namespace aecnn::codec::testing;

namespace {

FeatureTensor pruned(FeatureTensor t, uint32_t original, std::vector<uint16_t> kept)
{
    t.originalChannels = original;
    t.keptChannels = std::move(kept);
    return t;
}

CodecSettings settingsOf(CoderId coder, Representation repr, int bits, bool perChannel = true)
{
    CodecSettings s;
    s.coder = coder;
    s.representation = repr;
    s.bits = bits;
    s.perChannel = perChannel && repr == Representation::Uniform;
    return s;
}

CodecErrorCode codeOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const CodecError& e) {
        return e.code();
    }
    return CodecErrorCode::None;
}

bool bitEqual(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

// Every single-bit flip and every truncation of a serialized layout is refused (warns which).
bool everyFlipAndCutRefused(const std::vector<uint8_t>& bytes)
{
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        auto flipped = bytes;
        flipped[bit / 8] ^= uint8_t(1u << (bit % 8));
        if (codeOf([&] { parseLayout(flipped.data(), flipped.size()); }) == CodecErrorCode::None) {
            qWarning("a flip of bit %zu parses", bit);
            return false;
        }
    }
    for (size_t n = 0; n < bytes.size(); ++n)
        if (codeOf([&] { parseLayout(bytes.data(), n); }) == CodecErrorCode::None) {
            qWarning("the first %zu bytes parse", n);
            return false;
        }
    return true;
}

} // namespace

class TestSessionLayout : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<int>("coder");
        QTest::addColumn<int>("repr");
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("perChannel");
        QTest::addColumn<bool>("isPruned");
        for (int coder = 0; coder <= 3; ++coder)
            for (int repr = 0; repr <= 3; ++repr) {
                if (!coderSupports(CoderId(coder), Representation(repr)))
                    continue;
                const bool uniform = repr == int(Representation::Uniform);
                for (int bits : uniform ? std::vector<int>{2, 3, 4, 5, 8} : std::vector<int>{8})
                    for (bool perChannel : uniform ? std::vector<bool>{true, false} : std::vector<bool>{false})
                        for (bool isPruned : {false, true})
                            QTest::addRow("%s-%s-%d-%s-%s", coderName(CoderId(coder)).c_str(),
                                          representationName(Representation(repr)).c_str(), bits,
                                          perChannel ? "ch" : "tensor", isPruned ? "pruned" : "full")
                                << coder << repr << bits << perChannel << isPruned;
            }
    }

    // The layout serializes and parses back to itself; a layout-framed frame decodes to
    // exactly the tensor of the self-describing frame with the same settings, and is
    // smaller by the header fields the layout holds.
    void roundTrip()
    {
        QFETCH(int, coder);
        QFETCH(int, repr);
        QFETCH(int, bits);
        QFETCH(bool, perChannel);
        QFETCH(bool, isPruned);
        FeatureTensor t = reluBlobs(3, 14, 13, 7);
        if (isPruned)
            t = pruned(t, 64, {5, 17, 63});
        const auto settings = settingsOf(CoderId(coder), Representation(repr), bits, perChannel);
        const SessionLayout layout = layoutFor(t, settings);
        const auto bytes = serializeLayout(layout);
        const SessionLayout back = parseLayout(bytes.data(), bytes.size());
        QVERIFY(back == layout);
        QCOMPARE(layoutId(back), layoutId(layout));

        FrameSizes sessionSizes, frameSizes;
        const auto session = encodeSessionFrame(t, layout, settings, &sessionSizes);
        const auto frame = encodeFrame(t, settings, &frameSizes);
        QCOMPARE(sessionSizes.totalBytes, session.size());
        QCOMPARE(sessionSizes.headerBytes, sessionFrameHeaderBytes(layout));
        QCOMPARE(sessionSizes.payloadBytes, frameSizes.payloadBytes); // the same coder on the same symbols
        QVERIFY(session.size() < frame.size());
        const auto a = decodeSessionFrame(session.data(), session.size(), layout);
        const auto b = decodeFrame(frame.data(), frame.size());
        QVERIFY(a.symbols.bytes == b.symbols.bytes);
        QVERIFY(bitEqual(a.tensor.values, b.tensor.values));
        QCOMPARE(a.tensor.keptChannels, b.tensor.keptChannels);
        QCOMPARE(a.tensor.originalChannels, b.tensor.originalChannels);
        QCOMPARE(a.sizes.totalBytes, session.size());
    }

    // Ranges fixed for the session: no scale travels, values outside saturate, the
    // decoded tensor equals in-process quantization with those ranges.
    void fixedRanges()
    {
        const FeatureTensor t = reluBlobs(4, 9, 11, 3);
        const auto settings = settingsOf(CoderId::Context, Representation::Uniform, 4);
        SessionLayout layout = layoutFor(t, settings);
        for (uint32_t c = 0; c < 4; ++c)
            layout.fixedRanges.push_back(QuantRange{0.05f * float(c + 1), 0});
        const auto bytes = serializeLayout(layout);
        QVERIFY(parseLayout(bytes.data(), bytes.size()) == layout);
        const auto frame = encodeSessionFrame(t, layout, settings);
        QCOMPARE(sessionFrameHeaderBytes(layout), size_t(1));
        const auto decoded = decodeSessionFrame(frame.data(), frame.size(), layout);
        const auto symbols = toSymbolsWithRanges(t, QuantParams{4, true, layout.fixedRanges});
        QVERIFY(decoded.symbols.bytes == symbols.bytes);
        for (size_t i = 0; i < t.values.size(); ++i) {
            const float top = 15.0f * layout.fixedRanges[i / (9 * 11)].scale;
            QVERIFY(decoded.tensor.values[i] <= top + 1e-6f);
            QVERIFY(std::abs(decoded.tensor.values[i] - std::min(t.values[i], top)) <=
                    0.5f * layout.fixedRanges[i / (9 * 11)].scale + 1e-6f);
        }
    }

    // A frame that does not belong to this session's layout is refused with a code.
    void mismatchRefused()
    {
        const FeatureTensor t = pruned(reluBlobs(2, 14, 14, 5), 64, {3, 40});
        const auto settings = settingsOf(CoderId::Context, Representation::Uniform, 4);
        const SessionLayout layout = layoutFor(t, settings);
        const auto frame = encodeSessionFrame(t, layout, settings);

        // The tag is one byte: 1 in 256 other layouts share it (the full 32-bit id is compared
        // when the stream is configured). Pick variants whose tag differs.
        const auto differing = [&](auto change) {
            for (uint32_t k = 1;; ++k) {
                SessionLayout other = layout;
                change(other, k);
                if (uint8_t(layoutId(other)) != uint8_t(layoutId(layout)))
                    return other;
            }
        };
        const SessionLayout otherBits = differing([](SessionLayout& l, uint32_t k) { l.bits = 2 + int(k % 7); });
        const SessionLayout otherKept =
            differing([](SessionLayout& l, uint32_t k) { l.keptChannels = {3, uint16_t(40 + k % 24)}; });
        const SessionLayout otherShape = differing([](SessionLayout& l, uint32_t k) { l.width = 14 + k; });
        QVERIFY(otherBits.bits != layout.bits && otherKept.keptChannels != layout.keptChannels &&
                otherShape.width != layout.width);
        for (const auto* other : {&otherBits, &otherKept, &otherShape}) {
            QCOMPARE(codeOf([&] { decodeSessionFrame(frame.data(), frame.size(), *other); }),
                     CodecErrorCode::LayoutMismatch);
        }
        // Empty, or cut inside the per-frame ranges.
        QCOMPARE(codeOf([&] { decodeSessionFrame(frame.data(), 0, layout); }), CodecErrorCode::Truncated);
        QCOMPARE(codeOf([&] { decodeSessionFrame(frame.data(), 4, layout); }), CodecErrorCode::Truncated);
        // A self-describing frame is not a session frame.
        const auto selfDescribing = encodeFrame(t, settings);
        QVERIFY(codeOf([&] { decodeSessionFrame(selfDescribing.data(), selfDescribing.size(), layout); }) !=
                CodecErrorCode::None);
        // Wrong length with a stored payload: exactly the symbol count is required.
        const auto storeSettings = settingsOf(CoderId::Store, Representation::Uniform, 8);
        const SessionLayout storeLayout = layoutFor(t, storeSettings);
        auto stored = encodeSessionFrame(t, storeLayout, storeSettings);
        stored.push_back(0);
        QCOMPARE(codeOf([&] { decodeSessionFrame(stored.data(), stored.size(), storeLayout); }),
                 CodecErrorCode::CorruptPayload);
        stored.resize(stored.size() - 2);
        QCOMPARE(codeOf([&] { decodeSessionFrame(stored.data(), stored.size(), storeLayout); }),
                 CodecErrorCode::CorruptPayload);
        // The encoder refuses a tensor of another shape or channel selection.
        QCOMPARE(codeOf([&] { encodeSessionFrame(pruned(reluBlobs(2, 14, 14, 5), 64, {3, 41}), layout, settings); }),
                 CodecErrorCode::InvalidArgument);
        QCOMPARE(codeOf([&] { encodeSessionFrame(pruned(reluBlobs(2, 14, 13, 5), 64, {3, 40}), layout, settings); }),
                 CodecErrorCode::InvalidArgument);
        // A bad zero point in the per-frame ranges.
        auto badZero = frame;
        badZero[5] = 200; // first range's zero point, beyond 4 bits
        QCOMPARE(codeOf([&] { decodeSessionFrame(badZero.data(), badZero.size(), layout); }),
                 CodecErrorCode::BadHeaderField);
    }

    // Serialized layouts: every single-bit flip and every truncation is refused.
    void corruptLayoutsRefused()
    {
        const FeatureTensor t = pruned(reluBlobs(2, 6, 5, 1), 16, {0, 9});
        SessionLayout layout = layoutFor(t, settingsOf(CoderId::Context, Representation::Uniform, 3));
        layout.fixedRanges = {QuantRange{0.25f, 0}, QuantRange{0.5f, 1}};
        const auto bytes = serializeLayout(layout);
        QVERIFY(everyFlipAndCutRefused(bytes));
        auto longer = bytes;
        longer.push_back(0);
        QCOMPARE(codeOf([&] { parseLayout(longer.data(), longer.size()); }), CodecErrorCode::TrailingBytes);
        QCOMPARE(QString(codecErrorName(CodecErrorCode::LayoutMismatch)), QString("layout_mismatch"));
    }

    // Context priors in the layout (issue 15): version 2, serialized and parsed back equal;
    // frames made with them decode to exactly the symbols that frames without them carry, in
    // fewer bytes; a layout without priors stays version 1, and a frame made with priors is
    // refused by the same layout without them (its tag is another layout's).
    void contextPriors()
    {
        const auto settings = settingsOf(CoderId::Context, Representation::Uniform, 3);
        const auto tensorOf = [](uint32_t seed) { return pruned(reluBlobs(1, 14, 14, seed), 64, {25}); };
        SessionLayout plain = layoutFor(tensorOf(1), settings);
        plain.fixedRanges = {QuantRange{0.2f, 0}};
        ContextPriorCounter counter;
        for (uint32_t seed = 500; seed < 700; ++seed) {
            const SessionSymbols coded = sessionSymbols(tensorOf(seed), plain, settings);
            counter.add(coded.symbols.bytes, coded.coderLayout);
        }
        SessionLayout primed = plain;
        primed.contextPriors = counter.priors();
        QVERIFY(!primed.contextPriors.empty());
        const auto plainBytes = serializeLayout(plain);
        const auto primedBytes = serializeLayout(primed);
        QCOMPARE(int(plainBytes[4]), 1);
        QCOMPARE(int(primedBytes[4]), 2);
        QVERIFY(parseLayout(primedBytes.data(), primedBytes.size()) == primed);
        QVERIFY(parseLayout(plainBytes.data(), plainBytes.size()) == plain);
        QVERIFY(!(primed == plain));
        QVERIFY(layoutId(primed) != layoutId(plain));
        QVERIFY(describeLayout(primed).find("priors=") != std::string::npos);

        size_t plainTotal = 0, primedTotal = 0;
        for (uint32_t seed = 1; seed <= 40; ++seed) {
            const auto a = encodeSessionFrame(tensorOf(seed), plain, settings);
            const auto b = encodeSessionFrame(tensorOf(seed), primed, settings);
            plainTotal += a.size();
            primedTotal += b.size();
            const auto da = decodeSessionFrame(a.data(), a.size(), plain);
            const auto db = decodeSessionFrame(b.data(), b.size(), primed);
            QVERIFY(da.symbols.bytes == db.symbols.bytes);
            QVERIFY(bitEqual(da.tensor.values, db.tensor.values));
            if (uint8_t(layoutId(primed)) != uint8_t(layoutId(plain)))
                QCOMPARE(codeOf([&] { decodeSessionFrame(b.data(), b.size(), plain); }), CodecErrorCode::LayoutMismatch);
        }
        QVERIFY2(primedTotal < plainTotal, qPrintable(QString("%1 B with priors, %2 without").arg(primedTotal).arg(plainTotal)));

        // Every single-bit flip and every truncation of a layout with priors is refused.
        QVERIFY(everyFlipAndCutRefused(primedBytes));

        // Priors belong to the context coder; invalid priors are named.
        SessionLayout zstd = layoutFor(tensorOf(1), settingsOf(CoderId::ZstdEntropy, Representation::Uniform, 3));
        zstd.contextPriors = primed.contextPriors;
        QCOMPARE(codeOf([&] { validate(zstd); }), CodecErrorCode::InvalidArgument);
        SessionLayout bad = primed;
        bad.contextPriors.confidence = 0;
        QCOMPARE(codeOf([&] { serializeLayout(bad); }), CodecErrorCode::InvalidArgument);
        // sessionSymbols checks the tensor against the layout like encodeSessionFrame.
        QCOMPARE(codeOf([&] { sessionSymbols(pruned(reluBlobs(1, 14, 14, 1), 64, {26}), plain, settings); }),
                 CodecErrorCode::InvalidArgument);
    }

    void invalidLayouts()
    {
        SessionLayout l;
        l.channels = l.originalChannels = 2;
        l.height = l.width = 3;
        l.bits = 4;
        l.fixedRanges = {QuantRange{1.0f, 0}}; // per channel needs 2
        QCOMPARE(codeOf([&] { validate(l); }), CodecErrorCode::InvalidArgument);
        l.fixedRanges.clear();
        l.keptChannels = {0, 1}; // nothing pruned
        QCOMPARE(codeOf([&] { validate(l); }), CodecErrorCode::InvalidArgument);
        l.keptChannels.clear();
        l.dictionaryId = 7; // context uses none
        QCOMPARE(codeOf([&] { serializeLayout(l); }), CodecErrorCode::InvalidArgument);
    }
};

QTEST_GUILESS_MAIN(TestSessionLayout)
#include "test_session_layout.moc"
