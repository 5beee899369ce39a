#include <numeric>

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/split/split_model.h"
#include "aecnn/error.h"
#include "aecnn/method/importance.h"
#include "aecnn/model/split_info.h"
#include "tiny_model.h"

using namespace aecnn;

namespace {

// Every third channel plus the last one: irregular, ascending.
std::vector<int64_t> someChannels(int channels)
{
    std::vector<int64_t> kept;
    for (int c = 0; c < channels; c += 3)
        kept.push_back(c);
    if (kept.back() != channels - 1)
        kept.push_back(channels - 1);
    return kept;
}

int channelsAt(const ResNetImpl& net, int split)
{
    return split == 1 ? net.config().stemChannels : net.blockAt(split)->outChannels();
}

bool close(const torch::Tensor& a, const torch::Tensor& b)
{
    return a.sizes() == b.sizes() && torch::allclose(a, b, 1e-5, 1e-5);
}

} // namespace

class TestMethodPruning : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void prunedHeadEqualsFullHeadAtKeptChannels_data()
    {
        QTest::addColumn<int>("split");
        QTest::newRow("stem") << 1;
        QTest::newRow("projection block") << 2;
        QTest::newRow("identity block") << 3;
        QTest::newRow("strided projection block") << 4;
        QTest::newRow("last block (fc next)") << 6;
    }

    void prunedHeadEqualsFullHeadAtKeptChannels()
    {
        QFETCH(int, split);
        auto net = testing::tinyNet(21);
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({3, 1, 28, 28});
        const auto full = net->head(x, split);
        const auto kept = someChannels(channelsAt(*net, split));
        SplitHead head(*net, split, kept);
        head->eval();
        const auto pruned = head->forward(x);
        QCOMPARE(pruned.size(1), static_cast<int64_t>(kept.size()));
        QVERIFY(close(pruned, full.index_select(1, torch::tensor(kept, torch::kInt64))));

        // Compute and parameters shrink; the unpruned head matches describeSplitPoints.
        SplitHead unpruned(*net, split, std::vector<int64_t>{});
        unpruned->eval();
        int h = 28, w = 28, h2 = 28, w2 = 28;
        const auto prunedMacs = head->macs(h, w);
        const auto fullMacs = unpruned->macs(h2, w2);
        QVERIFY(prunedMacs < fullMacs);
        QVERIFY(parameterCount(*head) < parameterCount(*unpruned));
        const auto points = describeSplitPoints(*net, 28, 28);
        QCOMPARE(fullMacs, points[static_cast<size_t>(split - 1)].headMacs);
        QCOMPARE(parameterCount(*unpruned), points[static_cast<size_t>(split - 1)].headParams);
        QCOMPARE(h, points[static_cast<size_t>(split - 1)].height);

        // CA_Pruned: the tail with input-pruned entry filters computes what the full
        // tail computes with zeros at the pruned channels.
        SplitTail tail(*net, split, kept);
        tail->eval();
        auto zeroFilled = torch::zeros_like(full);
        zeroFilled.index_copy_(1, torch::tensor(kept, torch::kInt64), pruned);
        QVERIFY(close(tail->forward(pruned), net->tail(zeroFilled, split)));
        QCOMPARE(tail->inChannels(), static_cast<int>(kept.size()));
        // Unpruned head + tail is the original network.
        SplitTail fullTail(*net, split, std::vector<int64_t>{});
        fullTail->eval();
        QVERIFY(close(fullTail->forward(unpruned->forward(x)), net->forward(x)));
        QCOMPARE(fullTail->macs(h2, w2) + fullMacs, points.back().headMacs + net->fc->weight.numel());
    }

    void surgeryRejectsBadChannelLists()
    {
        auto net = testing::tinyNet(1);
        QVERIFY_THROWS_EXCEPTION(Error, SplitHead(*net, 2, std::vector<int64_t>{3, 1}));
        QVERIFY_THROWS_EXCEPTION(Error, SplitHead(*net, 2, std::vector<int64_t>{0, 16}));
        QVERIFY_THROWS_EXCEPTION(Error, SplitHead(*net, 9, std::vector<int64_t>{}));
        QVERIFY_THROWS_EXCEPTION(Error, AecnnModel(SplitVariant::CaPruned, *net, 2, std::vector<int64_t>{0, 1, 2}, 2)); // 16/2 = 8 needed
    }

    void featureRecoveryPutsChannelsBack()
    {
        torch::manual_seed(4);
        const std::vector<int64_t> kept{1, 4, 5};
        FeatureRecovery fr(8, kept, 6);
        QCOMPARE(fr->pruned(), (std::vector<int64_t>{0, 2, 3, 6, 7}));
        // Non-zero regenerated channels to see where they land.
        {
            torch::NoGradGuard g;
            fr->bn3->weight.fill_(1.0);
            fr->bn3->bias.copy_(torch::arange(5, torch::kFloat) + 10);
        }
        fr->eval();
        torch::NoGradGuard noGrad;
        const auto received = torch::randn({2, 3, 5, 5});
        const auto out = fr->forward(received);
        const auto regenerated = fr->regenerate(received);
        QCOMPARE(out.sizes(), (torch::IntArrayRef{2, 8, 5, 5}));
        for (size_t i = 0; i < kept.size(); ++i)
            QVERIFY(torch::equal(out.select(1, kept[i]), received.select(1, static_cast<int64_t>(i))));
        for (size_t i = 0; i < fr->pruned().size(); ++i)
            QVERIFY(torch::equal(out.select(1, fr->pruned()[i]), regenerated.select(1, static_cast<int64_t>(i))));
        QCOMPARE(fr->macs(5, 5), int64_t(25) * (3 * 6 + 9 * 6 * 6 + 6 * 5));
        QVERIFY_THROWS_EXCEPTION(Error, fr->forward(torch::randn({1, 4, 5, 5})));
        QVERIFY_THROWS_EXCEPTION(Error, FeatureRecovery(4, std::vector<int64_t>{0, 1, 2, 3}, 4)); // nothing to recover
    }

    void insertedRecoveryStartsAsCaPruned()
    {
        auto net = testing::tinyNet(8);
        const int split = 3;
        const auto kept = keepMostImportant({0.1, 0.9, 0.3, 0.8, 0.5, 0.2, 0.7, 0.6, 0.4, 0.05, 0.15, 0.25, 0.35,
                                             0.45, 0.55, 0.65},
                                            4);
        AecnnModel caPruned(SplitVariant::CaPruned, *net, split, kept, 4);
        auto reference = testing::tinyNet(9);
        auto aecnn = insertFeatureRecovery(*caPruned, *reference, 8);
        caPruned->eval();
        aecnn->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 1, 28, 28});
        QVERIFY(close(aecnn->forward(x), caPruned->forward(x)));
        QVERIFY(torch::equal(aecnn->encode(x), caPruned->encode(x)));
        // The entry filters of the pruned channels come from the reference network.
        const torch::Tensor entry = aecnn->tail->named_parameters()["blocks.0.conv1.weight"];
        QVERIFY(torch::equal(entry.select(1, 0), reference->blockAt(4)->conv1->weight.select(1, 0)));
        QVERIFY(torch::equal(entry.select(1, kept[0]), caPruned->tail->named_parameters()["blocks.0.conv1.weight"].select(1, 0)));
    }

    void bottleNetShapesAndElementCount()
    {
        auto net = testing::tinyNet(5);
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 1, 28, 28});
        for (int split : {1, 2}) {
            for (int ratio : {2, 4, 8}) {
                torch::manual_seed(1);
                AecnnModel bn(SplitVariant::BottleNetPP, *net, split, std::vector<int64_t>{}, ratio);
                bn->eval();
                const auto code = bn->encode(x);
                const int channels = channelsAt(*net, split);
                const auto feature = net->head(x, split);
                QCOMPARE(code.sizes(), (torch::IntArrayRef{2, channels / ratio, feature.size(2), feature.size(3)}));
                QVERIFY(code.gt(0).all().item<bool>() && code.lt(1).all().item<bool>());
                QCOMPARE(bn->bottleneck->decode(code).sizes(), feature.sizes());
                QVERIFY(bn->bottleneck->decode(code).ge(0).all().item<bool>());
                QCOMPARE(bn->forward(x).sizes(), (torch::IntArrayRef{2, 4}));
                // Same transmitted elements as AECNN at this ratio.
                std::vector<int64_t> kept(static_cast<size_t>(channels / ratio));
                std::iota(kept.begin(), kept.end(), 0);
                AecnnModel ae(SplitVariant::Aecnn, *net, split, kept, ratio, 4);
                ae->eval();
                QCOMPARE(ae->encode(x).numel(), code.numel());
                const auto cost = describeSplitModel(*bn, 28, 28);
                QCOMPARE(cost.transmittedElements * 2, code.numel());
                QCOMPARE(cost.codecMacs, int64_t(2) * 9 * channels * (channels / ratio) * feature.size(2) * feature.size(3));
            }
        }
    }

    void recoveryStaysWithinFivePercentOfTheTail_data()
    {
        QTest::addColumn<bool>("narrow");
        QTest::newRow("full-width ResNet-50") << false;
        QTest::newRow("default model layout (64,32,64,128)") << true;
    }

    void recoveryStaysWithinFivePercentOfTheTail()
    {
        QFETCH(bool, narrow);
        auto config = ResNetConfig::resnet50(10, 1, 1.0, StemKind::Small); // 28x28 input
        if (narrow)
            config.stagePlanes = {64, 32, 64, 128};
        ResNet net(config);
        const auto points = describeSplitPoints(*net, 28, 28);
        for (int split : {1, 2}) {
            const auto& p = points[static_cast<size_t>(split - 1)];
            for (int ratio : {2, 4, 8, 16, 32, 64}) {
                const int kept = keptChannelCount(p.channels, ratio);
                const int width = chooseRecoveryWidth(p.channels, kept, p.height, p.width, p.tailMacs);
                QVERIFY(width >= 8);
                QVERIFY(featureRecoveryMacs(p.channels, kept, width, p.height, p.width) <= p.tailMacs / 20);
            }
        }
    }

    void savedModelsLoadAndComputeTheSame()
    {
        auto net = testing::tinyNet(13);
        QTemporaryDir dir;
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 1, 28, 28});
        const std::vector<int64_t> kept{0, 5, 9, 15};
        for (auto variant : {SplitVariant::CaPruned, SplitVariant::Aecnn, SplitVariant::BottleNetPP}) {
            AecnnClassifier model;
            model.net = AecnnModel(variant, *net, 2, kept, 4, 8);
            if (model.net->recovery)
                model.net->recovery->bn3->weight.fill_(0.5); // make FR matter
            model.net->eval();
            model.usage = {{"a", "b", "c", "d"}, Normalization::identity(1), 28, 28, {{"note", "test"}}};
            const auto path = dir.filePath(QString::fromStdString(toString(variant)) + ".aecnn");
            saveAecnnClassifier(path, model);
            QVERIFY(readCheckpointKind(path) == CheckpointKind::SplitModel);
            auto loaded = loadAecnnClassifierFile(path);
            QVERIFY(loaded.net->variant() == variant);
            QCOMPARE(loaded.net->split(), 2);
            QCOMPARE(loaded.usage.classNames, model.usage.classNames);
            QVERIFY(torch::equal(loaded.net->forward(x), model.net->forward(x)));
            if (variant != SplitVariant::BottleNetPP)
                QCOMPARE(loaded.net->kept(), kept);
        }
    }
};

QTEST_GUILESS_MAIN(TestMethodPruning)
#include "test_method_pruning.moc"
