// QAT's fake quantizer against the codec: on random tensors (ReLU-like, signed, constant
// and all-zero channels, exact half-step ties, saturating fixed ranges) its forward value
// equals codec::toSymbols / toSymbolsWithRanges -> codec::fromSymbols bit for bit at every
// bit depth and range mode, and its gradient is the straight-through identity. End to end:
// the QAT stage of Algorithm 1 records the accuracy through the fake quantizer, and the
// saved model evaluated through the live path (SplitTransport, session framing, ranges
// calibrated as `aecnn edge --calibrate N` does) gets the same predictions.

#include <cmath>
#include <cstring>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/algorithm1/transport_fake_quant.h"
#include "aecnn/codec/quantizer.h"
#include "aecnn/datasets/synthetic.h"
#include "aecnn/error.h"
#include "aecnn/split/split_model_files.h"
#include "aecnn/split/split_transport.h"
#include "tiny_model.h"

using namespace aecnn;

namespace {

// The codec's round trip of one image (C x H x W) with per-frame ranges or fixed ones.
std::vector<float> codecRoundTrip(const torch::Tensor& image, int bits, codec::RangeChoice range,
                                  const std::vector<codec::QuantRange>* fixed)
{
    const auto t = image.contiguous();
    codec::FeatureTensor f;
    f.channels = uint32_t(t.size(0));
    f.height = uint32_t(t.size(1));
    f.width = uint32_t(t.size(2));
    f.originalChannels = f.channels;
    f.values.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    codec::SymbolTensor symbols;
    if (fixed) {
        codec::QuantParams params;
        params.bits = bits;
        params.perChannel = fixed->size() == f.channels;
        params.ranges = *fixed;
        symbols = codec::toSymbolsWithRanges(f, params);
    } else {
        symbols = codec::toSymbols(f, codec::Representation::Uniform, bits, true, range);
    }
    codec::FeatureTensor back = f;
    back.values.clear();
    codec::fromSymbols(symbols, back);
    return back.values;
}

// Index of the first element whose bits differ, -1 when all are identical.
int64_t firstDifference(const torch::Tensor& fake, const std::vector<float>& codec)
{
    const auto t = fake.contiguous();
    if (size_t(t.numel()) != codec.size())
        return 0;
    const float* a = t.data_ptr<float>();
    for (size_t i = 0; i < codec.size(); ++i)
        if (std::memcmp(&a[i], &codec[i], 4) != 0)
            return int64_t(i);
    return -1;
}

// A batch of 6 images x 3 channels x 7 x 9 with the kinds of channels a head transmits.
torch::Tensor awkwardBatch(uint64_t seed)
{
    torch::manual_seed(seed);
    auto x = torch::randn({6, 3, 7, 9}) * 2.5;
    x[0][0] = torch::relu(x[0][0]);          // ReLU output: zero point 0
    x[1][1] = -torch::relu(x[1][1]);         // all non-positive: zero point = levels
    x[2][2].zero_();                         // all zero: empty range
    x[3][0].fill_(0.75f);                    // constant positive
    x[4][1] = x[4][1] * 1e-3;                // tiny values
    x[5][2] = torch::relu(x[5][2]) * 40.0;   // large values
    return x;
}

} // namespace

class TestTransportFakeQuant : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void perFrameRangesMatchTheCodecBitForBit()
    {
        for (uint64_t seed = 1; seed <= 20; ++seed) {
            const auto x = awkwardBatch(seed);
            for (int bits = 2; bits <= 8; ++bits)
                for (auto range : {codec::RangeChoice::MinMax, codec::RangeChoice::MinMse}) {
                    const TransportFakeQuant fq(bits, range);
                    const auto fake = fq.quantizeDequantize(x);
                    for (int64_t i = 0; i < x.size(0); ++i) {
                        const auto expected = codecRoundTrip(x[i], bits, range, nullptr);
                        const auto at = firstDifference(fake[i], expected);
                        if (at >= 0)
                            QFAIL(qPrintable(QString("seed %1, %2 bits, %3, image %4: element %5 differs (%6 vs codec %7)")
                                                 .arg(seed).arg(bits)
                                                 .arg(QString::fromStdString(codec::rangeChoiceName(range)))
                                                 .arg(i).arg(at)
                                                 .arg(double(fake[i].contiguous().data_ptr<float>()[at]), 0, 'g', 9)
                                                 .arg(double(expected[size_t(at)]), 0, 'g', 9)));
                    }
                }
        }
    }

    void fixedRangesMatchTheCodecIncludingSaturation()
    {
        for (uint64_t seed = 1; seed <= 20; ++seed) {
            const auto x = awkwardBatch(100 + seed);
            for (int bits = 2; bits <= 4; ++bits) {
                // Ranges calibrated on another batch (so this one saturates somewhere), a
                // hand-made one with a mid zero point and an empty one.
                const auto other = awkwardBatch(200 + seed).transpose(0, 1).contiguous();
                std::vector<codec::QuantRange> fixed;
                fixed.push_back(codec::chooseRange(other[0].data_ptr<float>(), size_t(other[0].numel()), bits,
                                                   codec::RangeChoice::MinMse));
                fixed.push_back({0.37f, uint8_t((1 << bits) / 2)});
                fixed.push_back({0.0f, 0});
                const TransportFakeQuant fq(bits, fixed);
                const auto fake = fq.quantizeDequantize(x);
                for (int64_t i = 0; i < x.size(0); ++i)
                    QCOMPARE(firstDifference(fake[i], codecRoundTrip(x[i], bits, codec::RangeChoice::MinMax, &fixed)),
                             int64_t(-1));
            }
        }
    }

    // lround rounds half away from zero; torch::round (half to even) would differ here.
    void halfStepTiesRoundAwayFromZeroLikeTheCodec()
    {
        const std::vector<codec::QuantRange> fixed{{0.25f, 2}}; // 3 bits, levels -2..5 around zero
        const TransportFakeQuant fq(3, fixed);
        auto x = torch::tensor({-0.625f, -0.375f, -0.125f, 0.125f, 0.375f, 0.625f, 0.875f, 1.125f}).reshape({1, 1, 1, 8});
        const auto fake = fq.quantizeDequantize(x);
        QCOMPARE(firstDifference(fake[0], codecRoundTrip(x[0], 3, codec::RangeChoice::MinMax, &fixed)), int64_t(-1));
        // 0.125 / 0.25 = 0.5 -> 1 step (away from zero), not 0 (to even).
        QCOMPARE(fake[0][0][0][3].item<float>(), 0.25f);
        QCOMPARE(fake[0][0][0][4].item<float>(), 0.5f); // 1.5 -> 2 steps
        QCOMPARE(fake[0][0][0][0].item<float>(), -0.5f); // -2.5 -> -3 steps, saturated at -2
    }

    void gradientsPassStraightThrough()
    {
        const auto x = awkwardBatch(7).requires_grad_(true);
        const TransportFakeQuant fq(2, codec::RangeChoice::MinMax);
        const auto y = fq(x);
        QVERIFY(y.requires_grad());
        QVERIFY(torch::equal(y.detach(), fq.quantizeDequantize(x))); // the estimator leaves the value exact
        const auto weights = torch::randn(x.sizes());
        (y * weights).sum().backward();
        QVERIFY(x.grad().defined());
        QVERIFY(torch::equal(x.grad(), weights));
    }

    void rejectsBadSettings()
    {
        QVERIFY_THROWS_EXCEPTION(Error, TransportFakeQuant(1, codec::RangeChoice::MinMax));
        QVERIFY_THROWS_EXCEPTION(Error, TransportFakeQuant(3, std::vector<codec::QuantRange>{}));
        QVERIFY_THROWS_EXCEPTION(Error, TransportFakeQuant(2, std::vector<codec::QuantRange>{{0.1f, 4}}));
        QatOptions nine;
        nine.bits = 9; // beyond the codec's 8 bits
        QVERIFY_THROWS_EXCEPTION(Error, validate(nine));
        QatOptions one;
        one.bits = 1;
        QVERIFY_THROWS_EXCEPTION(Error, validate(one));
        QatOptions eight; // 8-bit frames: train through the quantizer they are deployed with
        eight.bits = 8;
        validate(eight);
        const TransportFakeQuant two(2, std::vector<codec::QuantRange>{{0.1f, 0}, {0.1f, 0}});
        QVERIFY_THROWS_EXCEPTION(Error, two.quantizeDequantize(torch::zeros({1, 3, 2, 2})));
    }

    // Algorithm 1 with a 2-bit calibrated QAT stage: the accuracy it records through the
    // fake quantizer is what the live codec path gets with the edge's calibration.
    void qatStageMatchesTheLiveCodecPath()
    {
        auto data = datasets::makeSynthetic(160, 3);
        const auto base = tinyBase(data);
        auto o = quickOptions();
        o.qat = calibratedTwoBits();
        QTemporaryDir dir;
        const auto result = runAlgorithm1(base, data, o, dir.path());
        QCOMPARE(result.stagesRun.back(), std::string("split1/v4/aecnn-qat"));
        auto saved = loadAecnnClassifierFile(QDir(dir.path()).filePath(splitModelFileName(1, 4, SplitVariant::Aecnn)));
        const auto qat = saved.usage.provenance.value("qat").toObject();
        QCOMPARE(qat.value("bits").toInt(), 2);
        QCOMPARE(qat.value("ranges").toString(), QString("calibrated"));
        QCOMPARE(qat.value("head").toString(), QString("frozen"));
        QCOMPARE(int(qat.value("fixed_ranges").toArray().size()), 2); // C' = 8 / 4

        auto& net = *saved.net;
        const auto s = recordedRangesAreTheEdges(saved, data);
        const auto layout = transmittedLayout(net, 28, 28);

        // And the fake quantizer's logits are the codec path's, image by image.
        torch::NoGradGuard noGrad;
        const auto x = data.test.normalizedBatch(torch::arange(16));
        const auto fq = makeTransportFakeQuant(net, o.qat, data.train, 28, 28);
        const auto viaFake = net.decode(fq(net.encode(x)));
        const SplitTransport transport(layout, s);
        std::vector<torch::Tensor> received;
        const auto sent = net.encode(x);
        for (int64_t i = 0; i < 16; ++i) {
            const auto frame = transport.encode(sent[i]);
            received.push_back(transport.decode(frame.data(), frame.size()));
        }
        QVERIFY(torch::equal(net.decode(torch::cat(received, 0)), viaFake));
    }

    // --qat-from: an AECNN model trained in float earlier is fine-tuned by the QAT stage alone.
    // Only that stage runs; the head (device side) is the source's bit for bit, so the ranges
    // calibrated for the source are the saved model's; FR and tail learn the quantized input
    // (the training loss through the 2-bit quantizer falls).
    void qatFromAnExistingModelTrainsOnlyTheQuantizedStage()
    {
        auto data = datasets::makeSynthetic(160, 3);
        const auto base = tinyBase(data);
        auto o = quickOptions();
        QTemporaryDir floatDir, qatDir;
        runAlgorithm1(base, data, o, floatDir.path()); // float CA, CA_Pruned, AECNN
        const QString source = QDir(floatDir.path()).filePath(splitModelFileName(1, 4, SplitVariant::Aecnn));
        auto before = loadAecnnClassifierFile(source);

        o.qatFrom = source;
        o.qat = calibratedTwoBits();
        o.recoveryFinetune.maxStepsPerEpoch = 8;
        const double lossBefore = quantizedLoss(*before.net, o.qat, data);
        const auto result = runAlgorithm1(base, data, o, qatDir.path());
        QCOMPARE(int(result.stagesRun.size()), 1); // no CA training, no CA_Pruned fine-tuning
        QCOMPARE(result.stagesRun.front(), std::string("split1/v4/aecnn-qat"));
        QCOMPARE(int(result.entries.size()), 1);
        QVERIFY(!QFileInfo::exists(QDir(qatDir.path()).filePath(caNetworkFileName(1))));

        auto after = loadAecnnClassifierFile(QDir(qatDir.path()).filePath(splitModelFileName(1, 4, SplitVariant::Aecnn)));
        QCOMPARE(after.net->kept(), before.net->kept());
        const auto headBefore = before.net->head->named_parameters(), headAfter = after.net->head->named_parameters();
        for (const auto& p : headBefore)
            QVERIFY2(torch::equal(p.value(), headAfter[p.key()]), p.key().c_str());
        const auto buffersBefore = before.net->head->named_buffers(), buffersAfter = after.net->head->named_buffers();
        for (const auto& b : buffersBefore)
            QVERIFY2(torch::equal(b.value(), buffersAfter[b.key()]), b.key().c_str());
        bool tailChanged = false;
        const auto tailAfter = after.net->tail->named_parameters();
        for (const auto& p : before.net->tail->named_parameters())
            tailChanged = tailChanged || !torch::equal(p.value(), tailAfter[p.key()]);
        QVERIFY(tailChanged);
        const double lossAfter = quantizedLoss(*after.net, o.qat, data);
        QVERIFY2(lossAfter < lossBefore, qPrintable(QString("quantized training loss %1 -> %2").arg(lossBefore).arg(lossAfter)));
        const auto qat = after.usage.provenance.value("qat").toObject();
        QCOMPARE(qat.value("bits").toInt(), 2);
        QCOMPARE(qat.value("source").toObject().value("path").toString(), source);
        QCOMPARE(qat.value("source").toObject().value("test_accuracy").toDouble(),
                 before.usage.provenance.value("test_accuracy").toDouble());

        // What cannot be fine-tuned is refused before any training, naming what to give.
        const auto refused = [&](Algorithm1Options bad, const char* expected) {
            QTemporaryDir d;
            try {
                runAlgorithm1(base, data, bad, d.path());
            } catch (const Error& e) {
                QVERIFY2(QString(e.what()).contains(expected), e.what());
                return;
            }
            QFAIL(qPrintable(QString("accepted; expected an error containing '%1'").arg(expected)));
        };
        auto wrongRatio = o;
        wrongRatio.ratios = {8};
        refused(wrongRatio, "give exactly --splits 1 --ratios 4");
        auto noBits = o;
        noBits.qat.bits = 0;
        refused(noBits, "--qat-bits");
        auto pruned = o;
        pruned.qatFrom = QDir(floatDir.path()).filePath(splitModelFileName(1, 4, SplitVariant::CaPruned));
        refused(pruned, "is a ca_pruned model");
    }

    // --qat-recalibrate-every N: the head trains through the quantizer as well. The ranges
    // follow it (recalibrated every N steps, at the first step and after the last), so what
    // the stage records is again what the edge calibrates for the saved model and what the
    // live path gets; the quantized training loss still falls.
    void recalibratingQatTrainsTheHeadAndKeepsTheEdgesRanges()
    {
        auto data = datasets::makeSynthetic(160, 3);
        const auto base = tinyBase(data);
        auto o = quickOptions();
        QTemporaryDir floatDir, qatDir;
        runAlgorithm1(base, data, o, floatDir.path());
        const QString source = QDir(floatDir.path()).filePath(splitModelFileName(1, 4, SplitVariant::Aecnn));
        auto before = loadAecnnClassifierFile(source);

        o.qatFrom = source;
        o.qat = calibratedTwoBits();
        o.qat.recalibrateEvery = 3;
        o.recoveryFinetune.maxStepsPerEpoch = 8;
        const double lossBefore = quantizedLoss(*before.net, o.qat, data);
        const auto result = runAlgorithm1(base, data, o, qatDir.path());
        QCOMPARE(result.stagesRun, std::vector<std::string>{"split1/v4/aecnn-qat"});

        auto after = loadAecnnClassifierFile(QDir(qatDir.path()).filePath(splitModelFileName(1, 4, SplitVariant::Aecnn)));
        bool headChanged = false;
        const auto headAfter = after.net->head->named_parameters();
        for (const auto& p : before.net->head->named_parameters())
            headChanged = headChanged || !torch::equal(p.value(), headAfter[p.key()]);
        QVERIFY2(headChanged, "the head was not trained");
        const auto qat = after.usage.provenance.value("qat").toObject();
        QCOMPARE(qat.value("head").toString(), QString("trained"));
        QCOMPARE(qat.value("recalibrate_every").toInt(), 3);
        QCOMPARE(qat.value("recalibrations").toInt(), 4); // at steps 1, 3 and 6 and after step 8
        recordedRangesAreTheEdges(after, data);
        const double lossAfter = quantizedLoss(*after.net, o.qat, data);
        QVERIFY2(lossAfter < lossBefore, qPrintable(QString("quantized training loss %1 -> %2").arg(lossBefore).arg(lossAfter)));

        // Recalibration needs calibrated ranges and a quantizer.
        QatOptions perFrame = calibratedTwoBits();
        perFrame.calibrated = false;
        perFrame.recalibrateEvery = 3;
        QVERIFY_THROWS_EXCEPTION(Error, validate(perFrame));
        QatOptions off;
        off.recalibrateEvery = 3;
        QVERIFY_THROWS_EXCEPTION(Error, validate(off));
    }

    // transmittedSparsity is Hoyer's L1 / (sqrt(M) L2) per channel, averaged: computed by hand
    // here, unchanged by a scale (the point of it), 0 with a finite gradient for an all-zero channel.
    void sparsityMeasureIsHoyersPerChannelMean()
    {
        // channel 0: one non-zero of 4 -> 1 / (2 * 1) = 0.5; channel 1: equal magnitudes -> 1.
        const auto t = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f, 3.0f, -3.0f, 3.0f, 3.0f}).reshape({1, 2, 2, 2});
        QCOMPARE(transmittedSparsity(t).item<double>(), 0.75);
        QCOMPARE(transmittedSparsity(t * 7.0f).item<double>(), 0.75);
        // Two images of one channel: the measure runs over all N*H*W elements (1 non-zero of 8).
        const auto two = torch::zeros({2, 1, 2, 2});
        two[1][0][1][1] = 5.0f;
        QVERIFY(std::abs(transmittedSparsity(two).item<double>() - 1.0 / std::sqrt(8.0)) < 1e-6);
        auto zeros = torch::zeros({1, 1, 2, 2}).requires_grad_(true);
        const auto measure = transmittedSparsity(zeros);
        measure.backward();
        QCOMPARE(measure.item<double>(), 0.0);
        QVERIFY(torch::isfinite(zeros.grad()).all().item<bool>());
        QVERIFY_THROWS_EXCEPTION(Error, transmittedSparsity(torch::zeros({2, 2})));
    }

    // --qat-sparsity W: the same QAT run with the penalty sends more zero symbols (through the
    // edge's calibrated ranges) than without it. It needs a head that trains, and is recorded.
    void sparsityPenaltyTrainsTowardZeroSymbols()
    {
        auto data = datasets::makeSynthetic(160, 3);
        const auto base = tinyBase(data);
        auto o = quickOptions();
        QTemporaryDir floatDir, plainDir, sparseDir;
        runAlgorithm1(base, data, o, floatDir.path());
        o.qatFrom = QDir(floatDir.path()).filePath(splitModelFileName(1, 4, SplitVariant::Aecnn));
        o.qat = calibratedTwoBits();
        o.qat.recalibrateEvery = 3;
        o.recoveryFinetune.maxStepsPerEpoch = 8;
        runAlgorithm1(base, data, o, plainDir.path());
        o.qat.sparsityWeight = 5.0;
        runAlgorithm1(base, data, o, sparseDir.path());

        const auto load = [](const QTemporaryDir& dir) {
            return loadAecnnClassifierFile(QDir(dir.path()).filePath(splitModelFileName(1, 4, SplitVariant::Aecnn)));
        };
        auto plain = load(plainDir), sparse = load(sparseDir);
        QVERIFY(!plain.usage.provenance.value("qat").toObject().contains("sparsity_weight"));
        QCOMPARE(sparse.usage.provenance.value("qat").toObject().value("sparsity_weight").toDouble(), 5.0);
        const double zerosPlain = zeroSymbolFraction(plain, data), zerosSparse = zeroSymbolFraction(sparse, data);
        qInfo("zero symbols: %.3f without the penalty, %.3f with it", zerosPlain, zerosSparse);
        QVERIFY2(zerosSparse > zerosPlain + 0.05,
                 qPrintable(QString("zero symbols: %1 without the penalty, %2 with it").arg(zerosPlain).arg(zerosSparse)));

        auto frozenHead = calibratedTwoBits();
        frozenHead.sparsityWeight = 1.0; // recalibrateEvery = 0: the head is frozen
        QVERIFY_THROWS_EXCEPTION(Error, validate(frozenHead));
        auto negative = o.qat;
        negative.sparsityWeight = -1.0;
        QVERIFY_THROWS_EXCEPTION(Error, validate(negative));
    }

private:
    // The share of the test images' transmitted symbols that are the zero point, through the
    // ranges the edge calibrates for the saved model.
    static double zeroSymbolFraction(AecnnClassifier& saved, const DataSplit& data)
    {
        const auto settings = recordedRangesAreTheEdges(saved, data);
        torch::NoGradGuard noGrad;
        saved.net->eval();
        const auto transmitted = saved.net->encode(data.test.normalizedBatch(torch::arange(data.test.size())));
        const auto dequantized = TransportFakeQuant(2, settings.fixedRanges).quantizeDequantize(transmitted);
        return (dequantized == 0).to(torch::kFloat64).mean().item<double>();
    }

    static Classifier tinyBase(const DataSplit& data)
    {
        Classifier base;
        base.net = testing::tinyNet(23);
        base.usage = {data.train.classNames, data.train.normalization, 28, 28, {}};
        return base;
    }

    // What the edge's `--bits 2 --range mse --framing session --calibrate 50` matches.
    static QatOptions calibratedTwoBits()
    {
        QatOptions q;
        q.bits = 2;
        q.calibrated = true;
        q.range = codec::RangeChoice::MinMse;
        q.calibrationImages = 50;
        return q;
    }

    // Cross-entropy of 128 training images through the quantizer calibrated for `net`.
    static double quantizedLoss(AecnnModelImpl& net, const QatOptions& q, const DataSplit& data)
    {
        torch::NoGradGuard noGrad;
        net.eval();
        const auto fq = makeTransportFakeQuant(net, q, data.train, 28, 28);
        const auto idx = torch::arange(128);
        const auto logits = net.decode(fq(net.encode(data.train.normalizedBatch(idx))));
        return torch::nn::functional::cross_entropy(logits, data.train.labels.index_select(0, idx)).item<double>();
    }

    // The QAT record of a saved model against the edge: its ranges are those the edge
    // calibrates for the model (50 images, 2 bits, mse, session framing), and its accuracy
    // through the quantizer is what the live codec path gets on the test set. Returns the
    // edge's transport settings.
    static TransportSettings recordedRangesAreTheEdges(AecnnClassifier& saved, const DataSplit& data)
    {
        const auto qat = saved.usage.provenance.value("qat").toObject();
        auto& net = *saved.net;
        TransportSettings s;
        s.coder = "context";
        s.representation = "uint";
        s.bits = 2;
        s.range = "mse";
        s.framing = "session";
        const auto layout = transmittedLayout(net, 28, 28);
        s.fixedRanges = calibrateTransportRanges(net, layout, s, data.train.head(50));
        const auto recorded = qat.value("fixed_ranges").toArray();
        if (size_t(recorded.size()) != s.fixedRanges.size())
            QTest::qFail("recorded ranges and the edge's differ in count", __FILE__, __LINE__);
        for (size_t c = 0; c < s.fixedRanges.size() && c < size_t(recorded.size()); ++c) {
            const auto r = recorded[qsizetype(c)].toObject();
            if (float(r.value("scale").toDouble()) != s.fixedRanges[c].scale ||
                r.value("zero_point").toInt() != int(s.fixedRanges[c].zeroPoint))
                QTest::qFail(qPrintable(QString("channel %1: recorded range differs from the edge's").arg(c)),
                             __FILE__, __LINE__);
        }
        const auto live = evaluateThroughTransport(net, SplitTransport(layout, s), data.test);
        if (qint64(live.count) != qat.value("quantized_test_count").toInteger() ||
            live.accuracy() != qat.value("quantized_test_accuracy").toDouble())
            QTest::qFail(qPrintable(QString("live %1 of %2 vs recorded %3 of %4")
                                        .arg(live.accuracy()).arg(live.count)
                                        .arg(qat.value("quantized_test_accuracy").toDouble())
                                        .arg(qat.value("quantized_test_count").toInteger())),
                         __FILE__, __LINE__);
        return s;
    }

    static Algorithm1Options quickOptions()
    {
        Algorithm1Options o;
        o.splits = {1};
        o.ratios = {4};
        TrainOptions quick;
        quick.epochs = 1;
        quick.batchSize = 16;
        quick.learningRate = 0.05;
        quick.maxStepsPerEpoch = 3;
        o.caTraining = o.pruneFinetune = o.recoveryFinetune = quick;
        o.importanceBatches = 1;
        o.importanceBatchSize = 16;
        o.bottleNet = false;
        return o;
    }
};

QTEST_GUILESS_MAIN(TestTransportFakeQuant)
#include "test_transport_fake_quant.moc"
