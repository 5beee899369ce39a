#include <algorithm>
#include <numeric>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "aecnn/split/split_model.h"
#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/model/classifier.h"
#include "aecnn/datasets/synthetic.h"
#include "aecnn/error.h"
#include "tiny_model.h"

using namespace aecnn;

namespace {

TrainOptions quick(int steps)
{
    TrainOptions o;
    o.epochs = 1;
    o.batchSize = 16;
    o.learningRate = 0.05;
    o.maxStepsPerEpoch = steps;
    return o;
}

Algorithm1Options tinyOptions()
{
    Algorithm1Options o;
    o.splits = {1, 3};
    o.ratios = {2, 4};
    o.caTraining = quick(3);
    o.pruneFinetune = quick(3);
    o.recoveryFinetune = quick(3);
    o.importanceBatches = 2;
    o.importanceBatchSize = 16;
    o.seed = 5;
    return o;
}

// The `keep` most important channels by Eq. 8, computed here independently of the
// core's keepMostImportant: a stable sort by descending importance (ties keep the
// lower index first), the first `keep`, ascending.
std::vector<int64_t> topChannels(const std::vector<double>& importance, size_t keep)
{
    std::vector<int64_t> order(importance.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = int64_t(i);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return importance[a] > importance[b]; });
    order.resize(keep);
    std::sort(order.begin(), order.end());
    return order;
}

} // namespace

class TestMethodAlgorithm1 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        torch::set_num_threads(1);
        data_ = datasets::makeSynthetic(200, 3);
        base_.net = testing::tinyNet(17);
        base_.usage = {data_.train.classNames, data_.train.normalization, 28, 28, {}};
        auto& net = *base_.net;
        trainClassifier(net, [&](const torch::Tensor& x) { return net.forward(x); }, net.parameters(), data_.train,
                        quick(6), "base", {});
    }

    void runsEndToEndAndResumes()
    {
        QTemporaryDir fresh, interrupted;
        const auto options = tinyOptions();
        const auto full = runAlgorithm1(base_, data_, options, fresh.path());

        QCOMPARE(full.entries.size(), size_t(2 * 2 * 3));
        QCOMPARE(full.importance.size(), size_t(2));
        QCOMPARE(full.importance[0].channels, 8);
        QCOMPARE(full.importance[1].channels, 16);
        QCOMPARE(full.importance[0].batchMeans.size(), size_t(2));
        QVERIFY(QFileInfo::exists(QDir(fresh.path()).filePath(caNetworkFileName(1))));
        bool keptOtherThanFirst = false; // the check below could tell a wrong selection apart
        for (const auto& e : full.entries) {
            QVERIFY(QFileInfo::exists(e.path));
            QVERIFY(!e.resumed);
            QVERIFY(e.accuracy >= 0.0 && e.accuracy <= 1.0);
            QCOMPARE(e.evaluated, data_.test.size());
            const int channels = e.split == 1 ? 8 : 16;
            QCOMPARE(e.cost.transmittedElements,
                     int64_t(channels / e.ratio) * e.cost.featureHeight * e.cost.featureWidth);
            // The device head shrinks with pruning; BottleNet++ keeps the full head.
            if (e.variant != SplitVariant::BottleNetPP) {
                const auto loaded = loadAecnnClassifierFile(e.path);
                QCOMPARE(static_cast<int>(loaded.net->kept().size()), channels / e.ratio);
                // Exactly the Eq. 8 most important channels of the report the run made.
                const auto& report = full.importance[e.split == 1 ? 0 : 1];
                QCOMPARE(report.split, e.split);
                QCOMPARE(loaded.net->kept(), topChannels(report.importance, size_t(channels / e.ratio)));
                std::vector<int64_t> firstChannels(size_t(channels / e.ratio));
                std::iota(firstChannels.begin(), firstChannels.end(), int64_t(0));
                keptOtherThanFirst = keptOtherThanFirst || loaded.net->kept() != firstChannels;
            }
        }
        QVERIFY(keptOtherThanFirst);
        QCOMPARE(full.stagesRun.front(), std::string("split1/ca"));

        // Interrupt in the middle of split 1, ratio 4, FR fine-tuning.
        bool cancelled = false;
        try {
            runAlgorithm1(base_, data_, options, interrupted.path(), [](const TrainProgress& p) {
                return p.stage != "split1/v4/aecnn";
            });
        } catch (const TrainingCancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        const QDir dir(interrupted.path());
        QVERIFY(QFileInfo::exists(dir.filePath(splitModelFileName(1, 4, SplitVariant::CaPruned))));
        QVERIFY(!QFileInfo::exists(dir.filePath(splitModelFileName(1, 4, SplitVariant::Aecnn))));
        QVERIFY(!QFileInfo::exists(dir.filePath(caNetworkFileName(3))));

        const auto resumed = runAlgorithm1(base_, data_, options, interrupted.path());
        const auto& stages = resumed.stagesRun;
        auto ran = [&](const std::string& s) { return std::find(stages.begin(), stages.end(), s) != stages.end(); };
        QVERIFY(!ran("split1/ca"));
        QVERIFY(!ran("split1/v2/ca_pruned"));
        QVERIFY(!ran("split1/v4/ca_pruned"));
        QVERIFY(ran("split1/v4/aecnn"));
        QVERIFY(ran("split3/ca"));
        QCOMPARE(resumed.entries.size(), full.entries.size());

        // Same seeds, same thread count: the resumed run ends where the fresh one did.
        torch::NoGradGuard noGrad;
        const auto x = data_.test.normalizedBatch(torch::arange(8));
        for (size_t i = 0; i < full.entries.size(); ++i) {
            QCOMPARE(resumed.entries[i].accuracy, full.entries[i].accuracy);
            auto a = loadAecnnClassifierFile(full.entries[i].path);
            auto b = loadAecnnClassifierFile(resumed.entries[i].path);
            QVERIFY2(torch::equal(a.net->forward(x), b.net->forward(x)), qPrintable(resumed.entries[i].path));
        }
        QCOMPARE(resumed.importance[0].importance, full.importance[0].importance);

        // A third run has nothing left to do.
        std::vector<std::string> log;
        const auto collect = [&](const std::string& line) { log.push_back(line); };
        const auto again = runAlgorithm1(base_, data_, options, fresh.path(), {}, collect);
        QVERIFY(again.stagesRun.empty());
        for (const auto& e : again.entries)
            QVERIFY(e.resumed);
        auto warned = [&] {
            return std::any_of(log.begin(), log.end(), [](const std::string& l) { return l.find("warning") != std::string::npos; });
        };
        QVERIFY(!warned());
        // Resuming with another budget is reported (and still resumes).
        auto changed = options;
        changed.recoveryFinetune.maxStepsPerEpoch = 4;
        log.clear();
        QVERIFY(runAlgorithm1(base_, data_, changed, fresh.path(), {}, collect).stagesRun.empty());
        QVERIFY(warned());
    }

    // Demo models: only FR / BottleNet++ train, head and tail keep the base weights,
    // and the files hold little more than what differs from the base file.
    void frozenBackboneKeepsTheBaseWeightsAndStoresOnlyTheDifference()
    {
        QTemporaryDir dir;
        const QString basePath = dir.filePath("base.aecnn");
        saveClassifier(basePath, base_);
        auto options = tinyOptions();
        options.splits = {3};
        options.ratios = {2};
        options.frozenBackbone = true;
        options.baseFile = basePath;
        const QString out = dir.filePath("demo");
        const auto result = runAlgorithm1(base_, data_, options, out);
        QCOMPARE(result.stagesRun.size(), size_t(2)); // FR and BottleNet++'s encoder/decoder only

        torch::NoGradGuard noGrad;
        const auto x = data_.test.normalizedBatch(torch::arange(4));
        auto aecnn = loadAecnnClassifierFile(QDir(out).filePath(splitModelFileName(3, 2, SplitVariant::Aecnn)));
        auto bottle = loadAecnnClassifierFile(QDir(out).filePath(splitModelFileName(3, 2, SplitVariant::BottleNetPP)));
        auto& baseNet = *base_.net;
        const auto baseFeature = baseNet.head(x, 3);
        QVERIFY(torch::equal(bottle.net->head->forward(x), baseFeature));
        QVERIFY(torch::equal(bottle.net->tail->forward(baseFeature), baseNet.tail(baseFeature, 3)));
        QVERIFY(torch::equal(aecnn.net->tail->forward(baseFeature), baseNet.tail(baseFeature, 3)));
        // The AECNN head computes exactly the kept channels of the base feature.
        const auto& kept = aecnn.net->kept();
        QVERIFY(torch::equal(aecnn.net->head->forward(x), baseFeature.index_select(1, torch::tensor(kept))));

        for (const auto variant : {SplitVariant::CaPruned, SplitVariant::Aecnn, SplitVariant::BottleNetPP}) {
            const QString derived = QDir(out).filePath(splitModelFileName(3, 2, variant));
            const QString whole = dir.filePath("whole.aecnn");
            saveAecnnClassifier(whole, loadAecnnClassifierFile(derived));
            const auto size = QFileInfo(derived).size(), wholeSize = QFileInfo(whole).size();
            qInfo("%s: %lld bytes derived, %lld bytes whole", toString(variant).c_str(), static_cast<long long>(size),
                  static_cast<long long>(wholeSize));
            QVERIFY(size < wholeSize * 3 / 4);
        }
    }

    void rejectsInvalidPlans()
    {
        QTemporaryDir dir;
        auto options = tinyOptions();
        options.ratios = {16}; // split 1 has only 8 channels
        QVERIFY_THROWS_EXCEPTION(Error, runAlgorithm1(base_, data_, options, dir.path()));
        options = tinyOptions();
        options.splits = {42};
        QVERIFY_THROWS_EXCEPTION(Error, runAlgorithm1(base_, data_, options, dir.path()));
    }

private:
    DataSplit data_;
    Classifier base_;
};

QTEST_GUILESS_MAIN(TestMethodAlgorithm1)
#include "test_method_algorithm1.moc"
