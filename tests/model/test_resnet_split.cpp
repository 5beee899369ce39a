#include <QtTest>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/resnet.h"
#include "aecnn/model/split_info.h"

using namespace aecnn;

class TestResNetSplit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(2); }

    void torchvisionNames()
    {
        ResNet net(ResNetConfig::resnet50(10, 3, 0.125));
        const auto params = net->named_parameters();
        for (const char* name : {"conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer1.0.downsample.0.weight",
                                 "layer1.0.downsample.1.running_mean", "layer4.2.bn3.bias", "fc.weight", "fc.bias"}) {
            const bool found = params.contains(name) || net->named_buffers().contains(name);
            QVERIFY2(found, name);
        }
        QVERIFY(!params.contains("layer1.1.downsample.0.weight"));
        QCOMPARE(net->splitPointCount(), 17);
    }

    void headTailExactAtEverySplit_data()
    {
        QTest::addColumn<int>("stem");
        QTest::newRow("imagenet-stem") << int(StemKind::ImageNet);
        QTest::newRow("small-stem") << int(StemKind::Small);
    }

    void headTailExactAtEverySplit()
    {
        QFETCH(int, stem);
        torch::manual_seed(3);
        // Full ResNet-50 topology and widths at a small input: exercises every block.
        ResNet net(ResNetConfig::resnet50(7, 3, 1.0, StemKind(stem)));
        // Non-trivial BN statistics so that eval mode is not the identity.
        {
            torch::NoGradGuard g;
            for (auto& b : net->named_buffers())
                if (b.key().find("running_var") != std::string::npos)
                    b.value().uniform_(0.5, 2.0);
            for (auto& block : net->blocks())
                block->bn3->weight.uniform_(0.5, 1.0);
        }
        net->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 3, 32, 32});
        const auto full = net->forward(x);
        QCOMPARE(full.sizes(), (torch::IntArrayRef{2, 7}));
        for (int split = 1; split <= net->splitPointCount(); ++split) {
            const auto feature = net->head(x, split);
            const auto out = net->tail(feature, split);
            QVERIFY2(torch::equal(out, full), qPrintable(QString("split %1").arg(split)));
        }
    }

    void invalidRangeThrows()
    {
        ResNet net(ResNetConfig::resnet50(10, 1, 0.125, StemKind::Small));
        QVERIFY_THROWS_EXCEPTION(Error, net->forwardRange(torch::zeros({1, 1, 28, 28}), 3, 2));
        QVERIFY_THROWS_EXCEPTION(Error, net->blockAt(1));
        QVERIFY_THROWS_EXCEPTION(Error, requireSplitPoint(net->config(), 18));
    }

    void splitTableMatchesTensorsAndKnownMacs()
    {
        ResNet net(ResNetConfig::resnet50(1000, 3, 1.0, StemKind::ImageNet));
        net->eval();
        const auto points = describeSplitPoints(*net, 224, 224);
        QCOMPARE(int(points.size()), 17);
        // torchvision ResNet-50 at 224x224: split 1 = 64x56x56, split 2 = 256x56x56, total ~4.09 GMAC.
        QCOMPARE(points[0].channels, 64);
        QCOMPARE(points[0].height, 56);
        QCOMPARE(points[1].channels, 256);
        QCOMPARE(points[0].bytes, 4LL * 64 * 56 * 56);
        const double total = double(points[0].headMacs + points[0].tailMacs);
        QVERIFY2(std::abs(total / 4.089e9 - 1.0) < 0.01, qPrintable(QString::number(total)));
        QCOMPARE(points[0].headMacs, 118013952LL); // conv1: 64*3*7*7*112*112
        torch::NoGradGuard noGrad;
        const auto x = torch::zeros({1, 3, 64, 64});
        const auto small = describeSplitPoints(*net, 64, 64);
        for (const auto& p : small) {
            const auto f = net->head(x, p.point);
            QCOMPARE(f.size(1), int64_t(p.channels));
            QCOMPARE(f.size(2), int64_t(p.height));
            QCOMPARE(f.size(3), int64_t(p.width));
        }
    }
};

QTEST_GUILESS_MAIN(TestResNetSplit)
#include "test_resnet_split.moc"
