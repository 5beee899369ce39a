#include <cmath>

#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/codec/bitstream.h"
#include "aecnn/codec/codec_stats.h"
#include "aecnn/codec/npy_io.h"
#include "aecnn/error.h"
#include "codec_fixtures.h"

using namespace aecnn::codec;
using namespace aecnn::codec::testing;

class CodecStatsTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void entropyOfKnownDistributions()
    {
        QCOMPARE(entropyOfCounts({}), 0.0);
        QCOMPARE(entropyOfCounts({5}), 0.0);
        QCOMPARE(entropyOfCounts({3, 3}), 1.0);
        QCOMPARE(entropyOfCounts({1, 1, 1, 1}), 2.0);
        QVERIFY(std::fabs(entropyOfCounts({1, 3}) - 0.811278) < 1e-6);
    }

    void symbolStatsOfAHalfZeroTensor()
    {
        // Channel 0: half zeros, half ones after quantization; channel 1: all zero.
        FeatureTensor t = emptyTensor(2, 2, 4);
        for (int i = 0; i < 4; ++i)
            t.values[size_t(i)] = 3.0f;
        const SymbolTensor s = toSymbols(t, Representation::Uniform, 2, true);
        const SymbolStats stats = computeSymbolStats(t, s);
        QCOMPARE(stats.elements, uint64_t(16));
        QCOMPARE(stats.zeroFraction, 0.75);
        QCOMPARE(stats.channelEntropyBitsPerElement.size(), size_t(2));
        QCOMPARE(stats.channelEntropyBitsPerElement[0], 1.0);
        QCOMPARE(stats.channelEntropyBitsPerElement[1], 0.0);
        QVERIFY(std::fabs(stats.entropyBitsPerElement - 0.811278) < 1e-6);
        QCOMPARE(stats.histogram.size(), size_t(4));
        QCOMPARE(stats.histogram[0], uint64_t(12));
        QCOMPARE(stats.histogram[3], uint64_t(4));
    }

    void floatStatsUseBitPatterns()
    {
        FeatureTensor t = emptyTensor(1, 1, 4);
        t.values = {1.0f, 1.0f, -0.0f, 0.0f}; // -0 and +0 are different symbols
        const SymbolStats stats = computeSymbolStats(t, toSymbols(t, Representation::Float32Shuffled));
        QCOMPARE(stats.entropyBitsPerElement, 1.5);
        QCOMPARE(stats.histogram.size(), size_t(64));
    }

    void compressionRatioCountsPrunedChannels()
    {
        FeatureTensor t = reluBlobs(1, 14, 14, 3);
        t.originalChannels = 64;
        t.keptChannels = {5};
        // V = 64, 196 elements: 64 * 196 * 32 bits unpruned.
        const CodingStats s = computeCodingStats(t, 49, 98);
        QCOMPARE(s.codedBitsPerElement, 2.0);
        QCOMPARE(s.frameBitsPerElement, 4.0);
        QCOMPARE(s.payloadCompressionRatio, 64.0 * 32.0 / 2.0);
        QCOMPARE(s.compressionRatio, 64.0 * 32.0 / 4.0);
    }

    void npyRoundTripAndErrors()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("a.npy").toStdString();
        NpyArray a{{2, 3, 1, 2}, {}};
        for (int i = 0; i < 12; ++i)
            a.values.push_back(float(i) * 0.5f - 1.0f);
        writeNpy(path, a);
        const NpyArray b = readNpy(path);
        QCOMPARE(b.shape, a.shape);
        QCOMPARE(b.values, a.values);
        QFile file(QString::fromStdString(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QCOMPARE((bytes.size() - 48) % 64, 0); // 12 float32 after a header padded to 64 bytes
        QFile truncated(dir.filePath("t.npy"));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(bytes.left(bytes.size() - 3));
        truncated.close();
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, readNpy(truncated.fileName().toStdString()));
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, readNpy(dir.filePath("missing.npy").toStdString()));
    }
};

QTEST_GUILESS_MAIN(CodecStatsTest)
#include "test_codec_stats.moc"
