#include <algorithm>
#include <cstring>
#include <random>

#include <QtTest>
#include <zlib.h>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_errors.h"
#include "aecnn/error.h"
#include "codec_fixtures.h"

using namespace aecnn::codec;
using namespace aecnn::codec::testing;

namespace {

// A pruned, per-channel quantized frame, so that every header field is present.
FeatureTensor prunedTensor()
{
    FeatureTensor t = reluBlobs(3, 6, 7, 9);
    t.originalChannels = 16;
    t.keptChannels = {2, 7, 11};
    return t;
}

void resealCrc(std::vector<uint8_t>& frame)
{
    const uint32_t crc = uint32_t(crc32(0L, frame.data(), uInt(frame.size() - 4)));
    for (int i = 0; i < 4; ++i)
        frame[frame.size() - 4 + size_t(i)] = uint8_t(crc >> (8 * i));
}

// Decoding must either throw CodecError (an aecnn::Error with a code) or succeed;
// anything else, a plain aecnn::Error included, fails the test.
bool decodesOrRejects(const std::vector<uint8_t>& bytes, const DecodeLimits& limits = {})
{
    try {
        decodeFrame(bytes.data(), bytes.size(), limits);
        return true;
    } catch (const CodecError&) {
        return false;
    }
}

// The code decoding `bytes` is rejected with; None when it decodes.
CodecErrorCode rejection(const std::vector<uint8_t>& bytes, const DecodeLimits& limits = {},
                         const ZstdDictionary* dictionary = nullptr)
{
    try {
        decodeFrame(bytes.data(), bytes.size(), limits, dictionary);
        return CodecErrorCode::None;
    } catch (const CodecError& e) {
        qInfo("%s: %s", codecErrorName(e.code()), e.what()); // the message names the problem
        return e.code();
    }
}

#define QCOMPARE_CODE(actual, expected) QCOMPARE(codecErrorName(actual), codecErrorName(expected))

// A pruned tensor of exact small integers (no libm), and the context frames commit
// 0076595 (frame version 1) wrote for it at 4 and 8 bits.
FeatureTensor integerTensor()
{
    FeatureTensor t;
    t.channels = 2;
    t.height = 5;
    t.width = 6;
    t.originalChannels = 8;
    t.keptChannels = {1, 6};
    for (uint32_t c = 0; c < 2; ++c)
        for (uint32_t y = 0; y < 5; ++y)
            for (uint32_t x = 0; x < 6; ++x)
                t.values.push_back(float(std::max(0, int((x * 7 + y * 3 + c * 5) % 11) - 4)));
    return t;
}

const std::vector<uint8_t> kVersion1Context4Bit = {
    0x41, 0x45, 0x43, 0x46, 0x01, 0x33, 0x34, 0x02, 0x05, 0x06, 0x08, 0x19, 0x01, 0x05, 0xcd, 0xcc, 0xcc, 0x3e,
    0x00, 0xcd, 0xcc, 0xcc, 0x3e, 0x00, 0x7c, 0x5f, 0x9f, 0x1e, 0x15, 0x95, 0xc0, 0x4a, 0x3b, 0xeb, 0x07, 0x4c,
    0xd1, 0x3d, 0xe3, 0x0d, 0xa3, 0xd6, 0x06, 0x08, 0xe9, 0x9e, 0x77, 0xcf, 0x90, 0xee, 0x17, 0x6e, 0x36};
const std::vector<uint8_t> kVersion1Context8Bit = {
    0x41, 0x45, 0x43, 0x46, 0x01, 0x33, 0x38, 0x02, 0x05, 0x06, 0x08, 0x2c, 0x01, 0x05, 0xc1, 0xc0, 0xc0, 0x3c,
    0x00, 0xc1, 0xc0, 0xc0, 0x3c, 0x00, 0x7f, 0xc0, 0x0f, 0xff, 0xff, 0xfb, 0x55, 0xb1, 0x7f, 0xcf, 0xe2, 0x67,
    0xb2, 0x95, 0x29, 0xf6, 0xf2, 0xae, 0x2d, 0xb8, 0xdc, 0x5e, 0x0a, 0x71, 0xdd, 0x9b, 0x5a, 0x4a, 0xf5, 0xe5,
    0x7d, 0x36, 0x1d, 0x52, 0x00, 0x7d, 0x16, 0x14, 0x35, 0x4c, 0x7d, 0xe9, 0x6d, 0xf0, 0x4b, 0x3d, 0x0e, 0x06};

const CodecSettings kCoders[] = {
    {CoderId::Context, Representation::Uniform, 4, true},
    {CoderId::ZstdEntropy, Representation::Uniform, 6, false},
    {CoderId::Zstd, Representation::Float16, 8, false},
    {CoderId::Store, Representation::Float32Shuffled, 8, false},
};

} // namespace

class BitstreamTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void prunedFrameCarriesItsChannelIndices()
    {
        const FeatureTensor t = prunedTensor();
        FrameSizes sizes;
        const auto frame = encodeFrame(t, kCoders[0], &sizes);
        QCOMPARE(sizes.headerBytes, size_t(7 + 5 + 3 + 3 * 5)); // fixed, varints, kept deltas, quantization
        QCOMPARE(sizes.totalBytes, frame.size());
        QCOMPARE(frameLength(frame.data(), frame.size()), frame.size());
        const DecodedFrame d = decodeFrame(frame.data(), frame.size());
        QCOMPARE(d.tensor.originalChannels, 16u);
        QCOMPARE(d.tensor.keptChannels, t.keptChannels);
        QCOMPARE(d.sizes.payloadBytes, sizes.payloadBytes);
    }

    // Version 2 changed only the context coder above 4 bits: a version-1 frame of up
    // to 4 bits still decodes, and this build writes the same bytes but the version.
    void versionOneFramesUpToFourBitsStillDecode()
    {
        const FeatureTensor t = integerTensor();
        const DecodedFrame old = decodeFrame(kVersion1Context4Bit.data(), kVersion1Context4Bit.size());
        auto current = encodeFrame(t, {CoderId::Context, Representation::Uniform, 4, true});
        QCOMPARE(int(current[4]), int(kFrameVersion));
        QCOMPARE(old.symbols.bytes, decodeFrame(current.data(), current.size()).symbols.bytes);
        current[4] = 1;
        resealCrc(current);
        QCOMPARE(current, kVersion1Context4Bit);
    }

    void versionOneWideContextFramesAreRejectedByName()
    {
        try {
            decodeFrame(kVersion1Context8Bit.data(), kVersion1Context8Bit.size());
            QFAIL("accepted a version-1 8-bit context frame");
        } catch (const CodecError& e) {
            QVERIFY2(QString(e.what()).contains("version 1") && QString(e.what()).contains("re-encode"), e.what());
            QCOMPARE_CODE(e.code(), CodecErrorCode::UnsupportedVersion);
        }
        const FeatureTensor t = integerTensor();
        const auto current = encodeFrame(t, {CoderId::Context, Representation::Uniform, 8, true});
        const DecodedFrame d = decodeFrame(current.data(), current.size());
        QCOMPARE(d.symbols.bytes, toSymbols(t, Representation::Uniform, 8, true).bytes);
    }

    // Any single-bit change anywhere (header, payload, CRC) is rejected.
    void everyFlippedBitIsRejected()
    {
        for (const auto& settings : kCoders) {
            const auto frame = encodeFrame(prunedTensor(), settings);
            for (size_t i = 0; i < frame.size(); ++i)
                for (int bit = 0; bit < 8; ++bit) {
                    auto bad = frame;
                    bad[i] ^= uint8_t(1 << bit);
                    QVERIFY2(!decodesOrRejects(bad), qPrintable(QString("byte %1 bit %2").arg(i).arg(bit)));
                }
        }
    }

    // With a recomputed CRC, the field validation itself must catch invalid values.
    void invalidFieldsAreRejectedEvenWithAValidCrc_data()
    {
        QTest::addColumn<size_t>("offset");
        QTest::addColumn<uint32_t>("value");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("coder"); // index into kCoders
        QTest::addColumn<CodecErrorCode>("code");
        // Offsets in the context frame of prunedTensor(): 5 coder|repr, 6 bits|flags,
        // 7 C', 8 H, 9 W, 10 C, 11 payload length, 12-14 kept channels, 15 scale, 19 zero point.
        QTest::addRow("magic") << size_t(0) << uint32_t('X') << 1 << 0 << CodecErrorCode::BadMagic;
        QTest::addRow("version") << size_t(4) << uint32_t(kFrameVersion + 1) << 1 << 0
                                 << CodecErrorCode::UnsupportedVersion;
        QTest::addRow("version zero") << size_t(4) << uint32_t(0) << 1 << 0 << CodecErrorCode::UnsupportedVersion;
        QTest::addRow("coder id") << size_t(5) << uint32_t(0x39) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("representation") << size_t(5) << uint32_t(0x73) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("bits too few") << size_t(6) << uint32_t(0x31) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("bits too many") << size_t(6) << uint32_t(0x39) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("unknown flag") << size_t(6) << uint32_t(0xB4) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("dictionary flag for context")
            << size_t(6) << uint32_t(0x74) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("not pruned but indices")
            << size_t(6) << uint32_t(0x14) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("channels zero") << size_t(7) << uint32_t(0) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("channels overlong varint")
            << size_t(7) << uint32_t(0x0083) << 2 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("channels more than unpruned")
            << size_t(7) << uint32_t(17) << 1 << 0 << CodecErrorCode::BadHeaderField;
        // Later fields are then read at shifted offsets; the first to fail is a scale.
        QTest::addRow("channels mismatch payload")
            << size_t(7) << uint32_t(2) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("height zero") << size_t(8) << uint32_t(0) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("height varint too long")
            << size_t(8) << uint32_t(0xFFFFFFFF) << 4 << 0 << CodecErrorCode::LimitExceeded;
        QTest::addRow("height mismatch payload")
            << size_t(8) << uint32_t(7) << 1 << 1 << CodecErrorCode::CorruptPayload;
        QTest::addRow("width zero") << size_t(9) << uint32_t(0) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("width mismatch payload") << size_t(9) << uint32_t(8) << 1 << 1 << CodecErrorCode::CorruptPayload;
        QTest::addRow("unpruned equals kept") << size_t(10) << uint32_t(3) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("unpruned below an index")
            << size_t(10) << uint32_t(11) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("payload length longer") << size_t(11) << uint32_t(127) << 1 << 0 << CodecErrorCode::Truncated;
        QTest::addRow("kept index order") << size_t(13) << uint32_t(0) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("kept index range") << size_t(14) << uint32_t(9) << 1 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("scale nan") << size_t(15) << uint32_t(0x7FC00000) << 4 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("scale negative") << size_t(15) << uint32_t(0xBF800000) << 4 << 0
                                        << CodecErrorCode::BadHeaderField;
        QTest::addRow("scale inf") << size_t(15) << uint32_t(0x7F800000) << 4 << 0 << CodecErrorCode::BadHeaderField;
        QTest::addRow("zero point") << size_t(19) << uint32_t(16) << 1 << 0 << CodecErrorCode::BadHeaderField;
    }
    void invalidFieldsAreRejectedEvenWithAValidCrc()
    {
        QFETCH(size_t, offset);
        QFETCH(uint32_t, value);
        QFETCH(int, width);
        QFETCH(int, coder);
        QFETCH(CodecErrorCode, code);
        auto frame = encodeFrame(prunedTensor(), kCoders[coder]);
        for (int i = 0; i < width; ++i)
            frame[offset + size_t(i)] = uint8_t(value >> (8 * i));
        resealCrc(frame);
        QCOMPARE_CODE(rejection(frame), code);
    }

    void shapesBeyondTheLimitsAreRejected()
    {
        const auto frame = encodeFrame(prunedTensor(), kCoders[0]);
        DecodeLimits limits;
        limits.maxElements = 3 * 6 * 7 - 1;
        QCOMPARE_CODE(rejection(frame, limits), CodecErrorCode::LimitExceeded);
        limits = {};
        limits.maxWidth = 6;
        QCOMPARE_CODE(rejection(frame, limits), CodecErrorCode::LimitExceeded);
        limits = {};
        limits.maxChannels = 15; // the unpruned channel count, 16
        QCOMPARE_CODE(rejection(frame, limits), CodecErrorCode::LimitExceeded);
        QCOMPARE_CODE(rejection(frame), CodecErrorCode::None);
        const auto tall = encodeFrame(emptyTensor(1, DecodeLimits().maxHeight + 1, 1), kCoders[0]);
        try {
            decodeFrame(tall.data(), tall.size());
            QFAIL("accepted");
        } catch (const CodecError& e) {
            QVERIFY(QString(e.what()).contains("limits"));
            QCOMPARE_CODE(e.code(), CodecErrorCode::LimitExceeded);
        }
    }

    void contextFrameWithFloatRepresentationIsRejected()
    {
        auto frame = encodeFrame(prunedTensor(), kCoders[0]);
        frame[5] = uint8_t(uint8_t(CoderId::Context) | uint8_t(Representation::Float32) << 4);
        frame[6] = 0x20; // no bits, pruned
        resealCrc(frame);
        QCOMPARE_CODE(rejection(frame), CodecErrorCode::BadHeaderField);
    }

    void everyTruncationIsRejected()
    {
        for (const auto& settings : kCoders) {
            const auto frame = encodeFrame(prunedTensor(), settings);
            for (size_t length = 0; length < frame.size(); ++length) {
                std::vector<uint8_t> cut(frame.begin(), frame.begin() + std::ptrdiff_t(length));
                QCOMPARE_CODE(rejection(cut), CodecErrorCode::Truncated);
                if (length < 12) // inside the header: frameLength cannot tell either
                    QVERIFY_THROWS_EXCEPTION(CodecError, frameLength(cut.data(), cut.size()));
            }
            auto longer = frame;
            longer.push_back(0);
            QCOMPARE_CODE(rejection(longer), CodecErrorCode::TrailingBytes);
        }
    }

    // A frame whose header is intact but whose payload or CRC changed is a CRC mismatch.
    void corruptedPayloadOrCrcIsACrcMismatch()
    {
        for (const auto& settings : kCoders) {
            FrameSizes sizes;
            const auto frame = encodeFrame(prunedTensor(), settings, &sizes);
            for (size_t i = sizes.headerBytes; i < frame.size(); ++i) {
                auto bad = frame;
                bad[i] ^= 0x10;
                QCOMPARE_CODE(rejection(bad), CodecErrorCode::CrcMismatch);
            }
        }
    }

    void wrongOrMissingDictionaryIsADictionaryMismatch()
    {
        const auto trained = [](uint32_t seed) {
            std::vector<std::vector<uint8_t>> samples;
            for (uint32_t i = 0; i < 40; ++i)
                samples.push_back(toSymbols(reluBlobs(2, 14, 14, seed + i), Representation::Uniform, 4).bytes);
            return trainZstdDictionary(samples, 4096);
        };
        const ZstdDictionary dict = trained(100), other = trained(500);
        QVERIFY(dict.id() != 0 && other.id() != 0 && dict.id() != other.id());
        const CodecSettings settings{CoderId::Zstd, Representation::Uniform, 4, true, 3, &dict};
        auto frame = encodeFrame(reluBlobs(2, 14, 14, 7), settings);
        QCOMPARE_CODE(rejection(frame, {}, &dict), CodecErrorCode::None);
        QCOMPARE_CODE(rejection(frame), CodecErrorCode::DictionaryMismatch);
        QCOMPARE_CODE(rejection(frame, {}, &other), CodecErrorCode::DictionaryMismatch);
        // A header that names the other dictionary: zstd itself finds the payload was
        // compressed with another one. The id is the u32 after C', H, W (offsets 7-9).
        const uint32_t id = other.id();
        for (int i = 0; i < 4; ++i)
            frame[10 + size_t(i)] = uint8_t(id >> (8 * i));
        resealCrc(frame);
        QCOMPARE_CODE(rejection(frame, {}, &other), CodecErrorCode::DictionaryMismatch);
    }

    void noDataIsAnInvalidArgument()
    {
        QCOMPARE_CODE(rejection({}), CodecErrorCode::Truncated);
        try {
            decodeFrame(nullptr, 5);
            QFAIL("accepted a null pointer");
        } catch (const CodecError& e) {
            QCOMPARE_CODE(e.code(), CodecErrorCode::InvalidArgument);
        }
    }

    // The codes are a contract with logs and other builds: never renumbered.
    void errorCodesAreStable()
    {
        const std::pair<CodecErrorCode, std::pair<int, const char*>> table[] = {
            {CodecErrorCode::None, {0, "none"}},
            {CodecErrorCode::Generic, {1, "generic"}},
            {CodecErrorCode::InvalidArgument, {2, "invalid_argument"}},
            {CodecErrorCode::OutOfMemory, {3, "out_of_memory"}},
            {CodecErrorCode::BadMagic, {10, "bad_magic"}},
            {CodecErrorCode::UnsupportedVersion, {11, "unsupported_version"}},
            {CodecErrorCode::Truncated, {12, "truncated"}},
            {CodecErrorCode::TrailingBytes, {13, "trailing_bytes"}},
            {CodecErrorCode::CrcMismatch, {14, "crc_mismatch"}},
            {CodecErrorCode::BadHeaderField, {15, "bad_header_field"}},
            {CodecErrorCode::LimitExceeded, {16, "limit_exceeded"}},
            {CodecErrorCode::DictionaryMismatch, {20, "dictionary_mismatch"}},
            {CodecErrorCode::CorruptPayload, {30, "corrupt_payload"}},
        };
        for (const auto& [code, expected] : table) {
            QCOMPARE(int(code), expected.first);
            QCOMPARE(codecErrorName(code), expected.second);
        }
        QCOMPARE(codecErrorName(CodecErrorCode(999)), "unknown_code");
        // Still an aecnn::Error for the catch sites that do not care about the code.
        const CodecError error(CodecErrorCode::CrcMismatch, "message");
        QVERIFY(dynamic_cast<const aecnn::Error*>(&error) != nullptr);
        QCOMPARE(error.what(), "message");
    }

    void shortenedPayloadsWithValidCrcNeverCrash()
    {
        for (const auto& settings : kCoders) {
            FrameSizes sizes;
            const auto frame = encodeFrame(prunedTensor(), settings, &sizes);
            // The payload length varint sits at offset 11 in these pruned frames.
            size_t lengthBytes = 1;
            while (frame[11 + lengthBytes - 1] & 0x80)
                ++lengthBytes;
            for (size_t drop = 1; drop <= sizes.payloadBytes; ++drop) {
                std::vector<uint8_t> cut(frame.begin(), frame.begin() + 11);
                for (uint32_t v = uint32_t(sizes.payloadBytes - drop);; v >>= 7) {
                    cut.push_back(uint8_t(v >= 0x80 ? (v & 0x7F) | 0x80 : v));
                    if (v < 0x80)
                        break;
                }
                cut.insert(cut.end(), frame.begin() + std::ptrdiff_t(11 + lengthBytes),
                           frame.end() - std::ptrdiff_t(4 + drop));
                cut.resize(cut.size() + 4);
                resealCrc(cut);
                decodesOrRejects(cut); // the context coder may decode garbage; it must not crash
                if (settings.coder != CoderId::Context)
                    QVERIFY(!decodesOrRejects(cut));
            }
        }
    }

    void randomBytesNeverCrash()
    {
        std::mt19937 rng(77);
        const auto valid = encodeFrame(prunedTensor(), kCoders[0]);
        DecodeLimits small;
        small.maxElements = 1 << 16;
        int accepted = 0;
        for (int round = 0; round < 20000; ++round) {
            std::vector<uint8_t> bytes(rng() % 200);
            for (auto& b : bytes)
                b = uint8_t(rng());
            if (round % 2 == 1 && bytes.size() >= 8) { // plausible header prefix and a valid CRC
                std::memcpy(bytes.data(), valid.data(), std::min<size_t>(bytes.size() - 4, 8 + rng() % 40));
                resealCrc(bytes);
            }
            accepted += decodesOrRejects(bytes, small);
        }
        QVERIFY(accepted < 20000);
    }
};

QTEST_GUILESS_MAIN(BitstreamTest)
#include "test_bitstream.moc"
