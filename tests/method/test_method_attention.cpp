#include <cmath>

#include <QtTest>

#include <torch/torch.h>

#include "aecnn/method/attention.h"
#include "aecnn/datasets/synthetic.h"
#include "aecnn/error.h"
#include "aecnn/method/importance.h"
#include "tiny_model.h"

using namespace aecnn;

namespace {
double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }
} // namespace

class TestMethodAttention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void attentionMatchesHandComputedValues()
    {
        // One sample, three 2x2 channels.
        //   c0 = 1 2 3 4 -> avg 2.5, max 4;  c1 = 0 0 0 0 -> 0, 0;  c2 = 2 2 2 8 -> 3.5, 8
        // A = (2.5, 0, 3.5): mean 2, population variance 6.5/3
        // M = (4, 0, 8):     mean 4, population variance 32/3
        const auto x = torch::tensor({1.f, 2.f, 3.f, 4.f, 0.f, 0.f, 0.f, 0.f, 2.f, 2.f, 2.f, 8.f}).reshape({1, 3, 2, 2});
        const double eps = 1e-5;
        const double sa = std::sqrt(6.5 / 3.0 + eps), sm = std::sqrt(32.0 / 3.0 + eps);
        const double expected[3] = {sigmoid(0.5 / sa + 0.0 / sm), sigmoid(-2.0 / sa - 4.0 / sm),
                                    sigmoid(1.5 / sa + 4.0 / sm)};
        const auto q = channelAttention(x, eps);
        QCOMPARE(q.sizes(), (torch::IntArrayRef{1, 3}));
        for (int c = 0; c < 3; ++c)
            QVERIFY2(std::abs(q[0][c].item<double>() - expected[c]) < 1e-6, qPrintable(QString("channel %1").arg(c)));

        // The CA module scales each channel by its weight.
        const auto scaled = applyChannelAttention(x, eps);
        QVERIFY(torch::allclose(scaled[0][2], x[0][2] * expected[2], 1e-6, 1e-6));
    }

    void attentionIsPerSampleAndInUnitInterval()
    {
        torch::manual_seed(5);
        const auto a = torch::randn({1, 6, 5, 5}) * 100;
        const auto b = torch::randn({1, 6, 5, 5});
        const auto both = channelAttention(torch::cat({a, b}));
        QVERIFY(torch::allclose(both[0], channelAttention(a)[0]));
        QVERIFY(torch::allclose(both[1], channelAttention(b)[0]));
        QVERIFY(both.gt(0).all().item<bool>() && both.lt(1).all().item<bool>());
        // Scale invariance of the normalization: multiplying X by 7 leaves Q unchanged (up to eps).
        QVERIFY(torch::allclose(channelAttention(b * 7), channelAttention(b), 1e-4, 1e-4));
        QVERIFY_THROWS_EXCEPTION(Error, channelAttention(torch::ones({2, 3})));
    }

    void streamingImportanceEqualsBatchMean()
    {
        auto net = testing::tinyNet(11);
        const auto data = datasets::makeSynthetic(60, 3).train; // 48 images
        for (int split : {1, 3}) {
            // Batch size 7 does not divide 48: the last batch is partial.
            const auto report = computeImportance(*net, split, data, 3, 7, 9);
            torch::NoGradGuard noGrad;
            const auto all = channelAttention(net->head(data.normalizedBatch(torch::arange(data.size())), split));
            const auto expected = all.to(torch::kDouble).mean(0);
            QCOMPARE(report.samples, data.size());
            QCOMPARE(static_cast<int64_t>(report.importance.size()), all.size(1));
            for (size_t c = 0; c < report.importance.size(); ++c)
                QVERIFY(std::abs(report.importance[c] - expected[static_cast<int64_t>(c)].item<double>()) < 1e-6);
            QCOMPARE(report.batchMeans.size(), size_t(3));
            for (size_t b = 0; b < 3; ++b) {
                const auto& indices = report.batchIndices[b];
                QCOMPARE(indices.size(), size_t(7));
                const auto batchQ = all.index_select(0, torch::tensor(indices, torch::kInt64)).to(torch::kDouble).mean(0);
                for (size_t c = 0; c < report.importance.size(); ++c)
                    QVERIFY(std::abs(report.batchMeans[b][c] - batchQ[static_cast<int64_t>(c)].item<double>()) < 1e-6);
            }
            QVERIFY(report.batchIndices[0] != report.batchIndices[1]);
            QVERIFY(report.stability.spearmanMean <= 1.0 && report.stability.spearmanMean >= -1.0);
        }
    }

    void accumulatorStreamsInPieces()
    {
        torch::manual_seed(2);
        const auto q = torch::rand({10, 4});
        ImportanceAccumulator acc(4);
        acc.add(q.slice(0, 0, 3));
        acc.add(q.slice(0, 3, 10));
        const auto mean = acc.mean();
        for (int c = 0; c < 4; ++c)
            QVERIFY(std::abs(mean[c] - q.select(1, c).mean().item<double>()) < 1e-6);
        QCOMPARE(acc.count(), int64_t(10));
        QVERIFY_THROWS_EXCEPTION(Error, acc.add(torch::rand({2, 5})));
        QVERIFY_THROWS_EXCEPTION(Error, ImportanceAccumulator(3).mean());
    }

    void rankingAndTieBreaking()
    {
        const std::vector<double> importance{0.5, 0.9, 0.5, 0.9, 0.1};
        QCOMPARE(keepMostImportant(importance, 1), (std::vector<int64_t>{1}));
        QCOMPARE(keepMostImportant(importance, 2), (std::vector<int64_t>{1, 3}));
        QCOMPARE(keepMostImportant(importance, 3), (std::vector<int64_t>{0, 1, 3}));
        QCOMPARE(keepMostImportant({0.3, 0.2, 0.7, 0.1}, 2), (std::vector<int64_t>{0, 2}));
        QCOMPARE(keepMostImportant(importance, 5), (std::vector<int64_t>{0, 1, 2, 3, 4}));
        QVERIFY_THROWS_EXCEPTION(Error, keepMostImportant(importance, 0));
        QVERIFY_THROWS_EXCEPTION(Error, keepMostImportant(importance, 6));

        QCOMPARE(keptChannelCount(64, 64), 1);
        QCOMPARE(keptChannelCount(256, 64), 4);
        QCOMPARE(keptChannelCount(64, 2), 32);
        QVERIFY_THROWS_EXCEPTION(Error, keptChannelCount(64, 128));
        QVERIFY_THROWS_EXCEPTION(Error, keptChannelCount(64, 0));
    }

    void spearmanAndOverlap()
    {
        const std::vector<double> a{1, 2, 3, 4, 5};
        QVERIFY(std::abs(spearmanCorrelation(a, {10, 20, 30, 40, 50}) - 1.0) < 1e-12);
        QVERIFY(std::abs(spearmanCorrelation(a, {5, 4, 3, 2, 1}) + 1.0) < 1e-12);
        // Ranks of b with a tie: (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): rho = 4.5 / sqrt(5 * 4.5)
        QVERIFY(std::abs(spearmanCorrelation({1, 2, 3, 4}, {0, 5, 5, 9}) - 4.5 / std::sqrt(22.5)) < 1e-12);
        QCOMPARE(topKOverlap({0.9, 0.8, 0.1, 0.0}, {0.9, 0.1, 0.8, 0.0}, 2), 0.5);
        QCOMPARE(topKOverlap({0.9, 0.8, 0.1, 0.0}, {0.8, 0.9, 0.1, 0.0}, 2), 1.0);

        const auto s = rankingStability({{1, 2, 3, 4}, {1, 2, 3, 4}, {4, 3, 2, 1}}, {1, 2, 3, 4}, {2});
        QVERIFY(std::abs(s.spearmanMean - (1.0 - 1.0 - 1.0) / 3.0) < 1e-12);
        QCOMPARE(s.spearmanMin, -1.0);
        QVERIFY(std::abs(s.topKOverlap[0] - 1.0 / 3.0) < 1e-12);
    }

    void reportSurvivesJsonAndCsv()
    {
        ImportanceReport r;
        r.split = 2;
        r.channels = 3;
        r.samples = 10;
        r.importance = {0.25, 0.75, 0.5};
        r.batchMeans = {{0.2, 0.7, 0.6}, {0.3, 0.8, 0.4}};
        r.batchIndices = {{1, 2}, {3, 4}};
        r.stability = rankingStability(r.batchMeans, r.importance, {1});
        const auto back = importanceReportFromJson(toJson(r));
        QCOMPARE(back.importance, r.importance);
        QCOMPARE(back.batchMeans, r.batchMeans);
        QCOMPARE(back.batchIndices, r.batchIndices);
        QCOMPARE(back.stability.topKOverlap, r.stability.topKOverlap);
        const auto csv = QString::fromUtf8(importanceCsv(r)).split('\n');
        QCOMPARE(csv[0], QString("channel,importance,rank,batch1,batch2"));
        QCOMPARE(csv[1], QString("0,0.25,3,0.2,0.3"));
        QCOMPARE(csv[2], QString("1,0.75,1,0.7,0.8"));
        QVERIFY_THROWS_EXCEPTION(Error, importanceReportFromJson(QJsonObject{{"channels", 3}}));
    }
};

QTEST_GUILESS_MAIN(TestMethodAttention)
#include "test_method_attention.moc"
