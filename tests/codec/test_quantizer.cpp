#include <algorithm>
#include <cmath>
#include <cstring>

#include <QtTest>

#include "aecnn/codec/quantizer.h"
#include "aecnn/error.h"
#include "codec_fixtures.h"

using namespace aecnn::codec;
using namespace aecnn::codec::testing;

class QuantizerTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void losslessModesAreBitExact_data()
    {
        QTest::addColumn<int>("representation");
        QTest::addColumn<int>("input");
        for (auto r : {Representation::Float32, Representation::Float32Shuffled})
            for (int input = 0; input < 4; ++input)
                QTest::addRow("%s/%d", representationName(r).c_str(), input) << int(r) << input;
    }
    void losslessModesAreBitExact()
    {
        QFETCH(int, representation);
        QFETCH(int, input);
        FeatureTensor t = input == 0 ? randomTensor(4, 6, 5, 1)
                          : input == 1 ? emptyTensor(2, 3, 3)
                          : input == 2 ? specialValues()
                                       : reluBlobs(3, 8, 8, 2);
        const SymbolTensor s = toSymbols(t, Representation(representation));
        FeatureTensor back = t;
        back.values.clear();
        fromSymbols(s, back);
        QCOMPARE(back.values.size(), t.values.size());
        QVERIFY(std::memcmp(back.values.data(), t.values.data(), t.values.size() * 4) == 0);
    }

    void float16KeepsSpecialsAndRoundsToNearest()
    {
        QCOMPARE(halfToFloat(floatToHalf(1.0f)), 1.0f);
        QCOMPARE(halfToFloat(floatToHalf(-2.5f)), -2.5f);
        QCOMPARE(halfToFloat(floatToHalf(65504.0f)), 65504.0f);
        QVERIFY(std::isinf(halfToFloat(floatToHalf(1e6f))));
        QVERIFY(std::isinf(halfToFloat(floatToHalf(std::numeric_limits<float>::infinity()))));
        QVERIFY(std::isnan(halfToFloat(floatToHalf(std::numeric_limits<float>::quiet_NaN()))));
        QCOMPARE(halfToFloat(floatToHalf(5.960464477539063e-08f)), 5.960464477539063e-08f); // smallest subnormal
        QCOMPARE(halfToFloat(floatToHalf(1.0f + 1.0f / 4096.0f)), 1.0f); // halfway rounds to even
        // Every half value round-trips exactly through float.
        for (uint32_t h = 0; h < 65536; ++h) {
            const float f = halfToFloat(uint16_t(h));
            if (!std::isnan(f))
                QCOMPARE(floatToHalf(f), uint16_t(h));
        }
        const FeatureTensor t = randomTensor(2, 16, 16, 3, -100.0f, 100.0f);
        FeatureTensor back = t;
        fromSymbols(toSymbols(t, Representation::Float16), back);
        for (size_t i = 0; i < t.values.size(); ++i)
            QVERIFY(std::fabs(back.values[i] - t.values[i]) <= std::fabs(t.values[i]) / 2048.0f + 1e-7f);
    }

    void uniformErrorIsBoundedByTheStep_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("perChannel");
        QTest::addColumn<bool>("relu");
        for (int bits = 2; bits <= 8; ++bits)
            for (bool perChannel : {false, true})
                for (bool relu : {false, true})
                    QTest::addRow("%d bits/%s/%s", bits, perChannel ? "channel" : "tensor", relu ? "relu" : "signed")
                        << bits << perChannel << relu;
    }
    void uniformErrorIsBoundedByTheStep()
    {
        QFETCH(int, bits);
        QFETCH(bool, perChannel);
        QFETCH(bool, relu);
        const FeatureTensor t = relu ? reluBlobs(5, 9, 11, 4) : randomTensor(5, 9, 11, 4);
        const SymbolTensor s = toSymbols(t, Representation::Uniform, bits, perChannel);
        QCOMPARE(int(s.quant.ranges.size()), perChannel ? 5 : 1);
        FeatureTensor back = t;
        fromSymbols(s, back);
        const size_t plane = t.planeSize();
        for (size_t i = 0; i < t.values.size(); ++i) {
            const QuantRange& r = s.quant.ranges[perChannel ? i / plane : 0];
            QVERIFY(s.bytes[i] <= (1 << bits) - 1);
            // Rounding error is half a step; a clamped end point can lose one step.
            QVERIFY2(std::fabs(back.values[i] - t.values[i]) <= r.scale * 1.0001f, qPrintable(QString::number(i)));
            if (t.values[i] == 0.0f)
                QCOMPARE(back.values[i], 0.0f); // ReLU zeros stay exactly zero
        }
        if (relu)
            for (const auto& r : s.quant.ranges)
                QCOMPARE(int(r.zeroPoint), 0);
        const QuantError e = measureError(t.values, back.values);
        QVERIFY(e.maxAbs > 0.0);
        QVERIFY(e.psnrDb > 6.0 * bits - 6.0); // ~6 dB per bit
    }

    void constantAndZeroTensorsQuantizeExactly()
    {
        FeatureTensor zero = emptyTensor(2, 4, 4);
        FeatureTensor back = zero;
        fromSymbols(toSymbols(zero, Representation::Uniform, 4), back);
        QCOMPARE(back.values, zero.values);
        FeatureTensor constant = emptyTensor(2, 4, 4);
        std::fill(constant.values.begin(), constant.values.end(), 2.5f);
        fromSymbols(toSymbols(constant, Representation::Uniform, 8), back);
        for (float v : back.values)
            QCOMPARE(v, 2.5f);
    }

    void uniformRejectsBadInput()
    {
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, toSymbols(specialValues(), Representation::Uniform, 8));
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, toSymbols(randomTensor(1, 2, 2, 1), Representation::Uniform, 1));
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, toSymbols(randomTensor(1, 2, 2, 1), Representation::Uniform, 9));
        FeatureTensor wrong = randomTensor(1, 2, 2, 1);
        wrong.values.pop_back();
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, toSymbols(wrong, Representation::Float32));
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, representationFromName("int4"));
    }

    // The least-squared-error range never does worse than min/max, keeps zeros exact,
    // and on a heavy-tailed ReLU channel clips the outlier to gain precision elsewhere.
    void mseRangeBeatsMinMaxAndKeepsZeros()
    {
        FeatureTensor t = reluBlobs(3, 14, 14, 5);
        const float bulkMax = *std::max_element(t.values.begin(), t.values.begin() + 196);
        const float outlier = 3.0f * bulkMax; // one value far above the rest of channel 0
        t.values[17] = outlier;
        for (int bits : {2, 4, 8}) {
            FeatureTensor minmax = t, mse = t;
            const SymbolTensor full = toSymbols(t, Representation::Uniform, bits, true, RangeChoice::MinMax);
            const SymbolTensor fitted = toSymbols(t, Representation::Uniform, bits, true, RangeChoice::MinMse);
            fromSymbols(full, minmax);
            fromSymbols(fitted, mse);
            QVERIFY(measureError(t.values, mse.values).mse <= measureError(t.values, minmax.values).mse);
            for (size_t i = 0; i < t.values.size(); ++i)
                if (t.values[i] == 0.0f)
                    QCOMPARE(mse.values[i], 0.0f);
            if (bits == 2) { // few levels: better to saturate the outlier than to waste them on it
                QVERIFY(fitted.quant.ranges[0].scale < full.quant.ranges[0].scale);
                QVERIFY(mse.values[17] < outlier);
            }
        }
        QCOMPARE(rangeChoiceFromName(rangeChoiceName(RangeChoice::MinMse)), RangeChoice::MinMse);
        QVERIFY_THROWS_EXCEPTION(aecnn::Error, rangeChoiceFromName("percentile"));
    }

    void errorMeasureIsExactForIdenticalTensors()
    {
        const FeatureTensor t = specialValues();
        const QuantError e = measureError(t.values, t.values);
        QCOMPARE(e.maxAbs, 0.0);
        QCOMPARE(e.mse, 0.0);
        QVERIFY(std::isinf(e.psnrDb));
    }
};

QTEST_GUILESS_MAIN(QuantizerTest)
#include "test_quantizer.moc"
