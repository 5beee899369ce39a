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

    // Rounding, not truncation: an element that the quantizer does not saturate (within
    // half a step of [(0 - zp) * scale, (levels - zp) * scale]) comes back within half a step. The
    // slack covers float rounding only: v / scale is computed as v * (1 / scale),
    // two roundings of 2^-24 each, and (q - zp) * scale one more, so the error can
    // exceed scale / 2 by a few 2^-24 of (|v| + scale). A floor would err by up to
    // one whole step and fails here on about half of the elements.
    void unclampedElementsAreWithinHalfAStep_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("perChannel");
        QTest::addColumn<bool>("relu");
        QTest::addColumn<int>("range");
        for (int bits = 2; bits <= 8; ++bits)
            for (bool perChannel : {false, true})
                for (bool relu : {false, true})
                    for (auto range : {RangeChoice::MinMax, RangeChoice::MinMse})
                        QTest::addRow("%d bits/%s/%s/%s", bits, perChannel ? "channel" : "tensor",
                                      relu ? "relu" : "signed", rangeChoiceName(range).c_str())
                            << bits << perChannel << relu << int(range);
    }
    void unclampedElementsAreWithinHalfAStep()
    {
        QFETCH(int, bits);
        QFETCH(bool, perChannel);
        QFETCH(bool, relu);
        QFETCH(int, range);
        const FeatureTensor t = relu ? reluBlobs(6, 17, 19, 8) : randomTensor(6, 17, 19, 8);
        const SymbolTensor s = toSymbols(t, Representation::Uniform, bits, perChannel, RangeChoice(range));
        FeatureTensor back = t;
        fromSymbols(s, back);
        const int levels = (1 << bits) - 1;
        const size_t plane = t.planeSize();
        size_t unclamped = 0;
        for (size_t i = 0; i < t.values.size(); ++i) {
            const QuantRange& r = s.quant.ranges[perChannel ? i / plane : 0];
            const double v = t.values[i];
            // The grid's end points, and the half step past them that still rounds onto them.
            const double lo = -double(r.zeroPoint) * r.scale, hi = double(levels - r.zeroPoint) * r.scale;
            if (v < lo - 0.5 * r.scale || v > hi + 0.5 * r.scale)
                continue; // saturated (possible with the mse range): bounded by the other tests
            ++unclamped;
            const double error = std::fabs(double(back.values[i]) - v);
            const double slack = 8.0 * std::ldexp(std::fabs(v) + r.scale, -24);
            QVERIFY2(error <= 0.5 * r.scale + slack,
                     qPrintable(QString("element %1: %2 came back as %3, step %4")
                                    .arg(i)
                                    .arg(v, 0, 'g', 9)
                                    .arg(back.values[i], 0, 'g', 9)
                                    .arg(r.scale, 0, 'g', 9)));
        }
        // With min/max ranges nothing saturates: the grid reaches half a step past both ends.
        if (RangeChoice(range) == RangeChoice::MinMax)
            QCOMPARE(unclamped, t.values.size());
        QVERIFY(unclamped > t.values.size() / 2);
    }

    // PSNR of uniformly distributed data. With a min/max range R = max - min and
    // L = 2^b - 1 levels the step is s = R / L; every element lies within half a step
    // of the grid (see above) and, the data being uniform, its error is uniform on
    // [-s/2, s/2]: MSE = s^2 / 12 exactly (the zero-point offset only moves which
    // cell is cut at each end, and the two cut pieces add up to one whole cell).
    // measureError's peak is R, so
    //   PSNR = 10 log10(R^2 / (s^2 / 12)) = 10 log10(12) + 20 log10(2^b - 1)
    //        = 6.02 b + 10.79 dB + 20 log10(1 - 2^-b)    (20.33 dB at 2 bits, 58.92 at 8).
    // (The "6.02 b + 4 dB" rule of thumb is the same quantity against a peak of half
    // the range, e.g. max |x| of data symmetric about zero: 10 log10(3) = 4.77 dB.)
    // Tolerance: e^2 of a uniform error has relative standard deviation
    // sqrt(1/80 - 1/144) / (1/12) = 0.894, so the MSE of N = 65536 elements is off by
    // 0.894 / 256 = 0.35 % (0.015 dB) per standard deviation; 0.1 dB is ~7 sigma.
    // A floor instead of a round makes the error uniform on [0, s): MSE = s^2 / 3,
    // 6.02 dB lower.
    void uniformPsnrFollowsSixDecibelsPerBit_data()
    {
        QTest::addColumn<int>("bits");
        QTest::addColumn<float>("lo");
        QTest::addColumn<float>("hi");
        for (int bits = 2; bits <= 8; ++bits) {
            QTest::addRow("%d bits/signed", bits) << bits << -3.0f << 5.0f;
            QTest::addRow("%d bits/non-negative", bits) << bits << 0.0f << 2.0f;
        }
    }
    void uniformPsnrFollowsSixDecibelsPerBit()
    {
        QFETCH(int, bits);
        QFETCH(float, lo);
        QFETCH(float, hi);
        const FeatureTensor t = randomTensor(16, 64, 64, uint32_t(40 + bits), lo, hi);
        FeatureTensor back = t;
        fromSymbols(toSymbols(t, Representation::Uniform, bits, false), back);
        const double expected = 10.0 * std::log10(12.0) + 20.0 * std::log10(double((1 << bits) - 1));
        const double psnr = measureError(t.values, back.values).psnrDb;
        QVERIFY2(std::fabs(psnr - expected) < 0.1,
                 qPrintable(QString("%1 bits: PSNR %2 dB, expected %3 dB").arg(bits).arg(psnr).arg(expected)));
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
