#include <QtTest>

#include <cstdlib>

#include <torch/torch.h>

#include "aecnn/model/memory_budget.h"
#include "aecnn/model/resnet.h"
#include "aecnn/model/split_info.h"
#include "aecnn/model/training.h"

using namespace aecnn;

// The paper's scale: ResNet-50 with torchvision's ImageNet stem at 224 x 224, and the
// training memory estimate that picks batch sizes there.
class TestScale224 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanup() { unsetenv(kMemoryLimitEnv); }

    // torchvision resnet50 layer outputs at 224 x 224 (maxpool: 64x56x56; layer1: 256x56x56,
    // layer2: 512x28x28, layer3: 1024x14x14, layer4: 2048x7x7), one split after the stem
    // and one after each of the 16 bottlenecks.
    void splitShapesOfResNet50()
    {
        ResNet net(ResNetConfig::resnet50(1000, 3, 1.0, StemKind::ImageNet));
        const auto points = describeSplitPoints(*net, 224, 224);
        QCOMPARE(int(points.size()), 17);
        struct Shape {
            int c, h;
        };
        std::vector<Shape> expected{{64, 56}};
        for (int i = 0; i < 3; ++i)
            expected.push_back({256, 56});
        for (int i = 0; i < 4; ++i)
            expected.push_back({512, 28});
        for (int i = 0; i < 6; ++i)
            expected.push_back({1024, 14});
        for (int i = 0; i < 3; ++i)
            expected.push_back({2048, 7});
        for (size_t i = 0; i < points.size(); ++i) {
            QCOMPARE(points[i].point, int(i) + 1);
            QCOMPARE(points[i].channels, expected[i].c);
            QCOMPARE(points[i].height, expected[i].h);
            QCOMPARE(points[i].width, expected[i].h);
            QCOMPARE(points[i].bytes, 4LL * expected[i].c * expected[i].h * expected[i].h);
        }
        QCOMPARE(points[0].after, std::string("stem"));
        QCOMPARE(points[16].after, std::string("layer4.2"));
        // torchvision's resnet50: 25,557,032 parameters, about 4.09 GMACs at 224 x 224.
        QCOMPARE(parameterCount(*net), int64_t(25557032));
        QVERIFY(points[16].headMacs > 4'000'000'000LL && points[16].headMacs < 4'200'000'000LL);
    }

    // The computed shapes are the ones the network really produces (width-reduced net).
    void forwardMatchesDescribedShapes()
    {
        torch::NoGradGuard noGrad;
        ResNet net(ResNetConfig::resnet50(10, 3, 0.125, StemKind::ImageNet));
        net->eval();
        const auto points = describeSplitPoints(*net, 224, 224);
        auto x = torch::randn({1, 3, 224, 224});
        int from = 0;
        for (const auto& p : points) {
            x = net->forwardRange(x, from, p.point);
            from = p.point;
            QCOMPARE(x.sizes().vec(), (std::vector<int64_t>{1, p.channels, p.height, p.width}));
        }
        QCOMPARE(points[0].channels, 64); // the stem keeps 64 channels at any width
        QCOMPARE(net->forwardRange(x, from, net->logitsPoint()).sizes().vec(), (std::vector<int64_t>{1, 10}));
    }

    void estimateGrowsWithInputAndWidth()
    {
        ResNet narrow(ResNetConfig::resnet50(10, 3, 0.125, StemKind::ImageNet));
        ResNet wide(ResNetConfig::resnet50(10, 3, 0.25, StemKind::ImageNet));
        const auto at112 = estimateTrainingMemory(*narrow, 112, 112);
        const auto at224 = estimateTrainingMemory(*narrow, 224, 224);
        const auto wide224 = estimateTrainingMemory(*wide, 224, 224);
        QVERIFY(at112.perSampleBytes < at224.perSampleBytes);
        // Activations scale with the pixel count: 4x the pixels, about 4x the memory.
        const double ratio = double(at224.activationElements) / double(at112.activationElements);
        QVERIFY2(ratio > 3.9 && ratio < 4.1, qPrintable(QString::number(ratio)));
        QVERIFY(at224.perSampleBytes < wide224.perSampleBytes);
        QVERIFY(at224.fixedBytes < wide224.fixedBytes);
        QCOMPARE(at224.fixedBytes, 16 * parameterCount(*narrow));
        QCOMPARE(at224.bytesForBatch(8), at224.fixedBytes + 8 * at224.perSampleBytes);
        // Full ResNet-50 at 224: about 130 MB of activations per image in float32
        // (the usual figure for training memory), times the calibrated factor.
        ResNet full(ResNetConfig::resnet50(1000, 3, 1.0, StemKind::ImageNet));
        const auto estimate = estimateTrainingMemory(*full, 224, 224);
        QVERIFY2(estimate.activationElements * 4 > 80'000'000LL && estimate.activationElements * 4 < 200'000'000LL,
                 qPrintable(QString::number(estimate.activationElements)));
    }

    void fittingBatchRespectsTheBudget()
    {
        TrainingMemoryEstimate e;
        e.fixedBytes = 100;
        e.perSampleBytes = 10;
        QCOMPARE(fittingBatchSize(e, 100 + 10 * 37, 128), 37);
        QCOMPARE(fittingBatchSize(e, 100 + 10 * 37 + 9, 128), 37);
        QCOMPARE(fittingBatchSize(e, 1'000'000, 128), 128); // capped
        QCOMPARE(fittingBatchSize(e, 50, 128), 1);           // never below one
    }

    void memoryLimitCanBeInjected()
    {
        QVERIFY(availableMemoryBytes() > 0); // /proc/meminfo
        setenv(kMemoryLimitEnv, "64", 1);
        QCOMPARE(availableMemoryBytes(), int64_t(64) << 20);
    }

    // Calibration check on a measured small case: training at 96 images per batch raises
    // the peak RSS over training at 8 by about what the estimate says 88 more images cost.
    void estimateMatchesMeasuredGrowth()
    {
        configureThreads(1);
        ResNet net(ResNetConfig::resnet50(4, 3, 0.125, StemKind::ImageNet));
        const auto estimate = estimateTrainingMemory(*net, 96, 96);
        ImageSet data{torch::randint(0, 255, {96, 3, 96, 96}).to(torch::kUInt8), torch::arange(96) % 4, {"a", "b", "c", "d"},
                      Normalization::identity(3)};
        auto step = [&](int batch) {
            TrainOptions options;
            options.batchSize = batch;
            options.maxStepsPerEpoch = 1;
            options.augment = true;
            trainClassifier(*net, [&](const torch::Tensor& x) { return net->forward(x); }, net->parameters(), data,
                            options, "calibration", {});
        };
        step(8);
        const int64_t small = peakRssBytes();
        step(96);
        const int64_t large = peakRssBytes();
        const double measured = double(large - small) / 88.0;
        const double predicted = double(estimate.perSampleBytes);
        qInfo("measured %.0f bytes per image, estimated %.0f", measured, predicted);
        QVERIFY2(measured > 0.4 * predicted && measured < 2.0 * predicted,
                 qPrintable(QString("measured %1 bytes/image, estimated %2").arg(measured).arg(predicted)));
    }
};

QTEST_GUILESS_MAIN(TestScale224)
#include "test_scale224.moc"
