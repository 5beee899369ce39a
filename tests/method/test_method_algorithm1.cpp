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

    // Mid-stage checkpoints: every run is stopped (as by SIGTERM) two steps after it
    // started, inside a stage, and the next run continues that stage from its state file;
    // the models at the end equal an uninterrupted run's, bitwise.
    void stoppedInsideStagesAndResumedEqualsUninterrupted()
    {
        QTemporaryDir whole, parts;
        auto options = tinyOptions();
        options.splits = {1};
        options.ratios = {2};
        options.checkpointEvery = 1;
        const auto full = runAlgorithm1(base_, data_, options, whole.path());

        int stops = 0;
        bool finished = false;
        Algorithm1Result resumed;
        for (int run = 0; run < 30 && !finished; ++run) {
            int steps = 0;
            auto stopping = options;
            stopping.stopRequested = [&steps] { return ++steps == 2; };
            try {
                resumed = runAlgorithm1(base_, data_, stopping, parts.path());
                finished = true;
            } catch (const TrainingInterrupted& stopped) {
                ++stops;
                QVERIFY(QFileInfo::exists(stopped.checkpoint));
                QVERIFY(stopped.checkpoint.endsWith(".resume"));
            }
        }
        QVERIFY(finished);
        QVERIFY2(stops >= 5, qPrintable(QString::number(stops))); // CA, CA_Pruned, AECNN, BottleNet++ x 2
        QVERIFY2(QDir(parts.path()).entryList({"*.resume"}).isEmpty(), "state files go once their model is saved");
        torch::NoGradGuard noGrad;
        const auto x = data_.test.normalizedBatch(torch::arange(8));
        QCOMPARE(resumed.entries.size(), full.entries.size());
        for (size_t i = 0; i < full.entries.size(); ++i) {
            auto a = loadAecnnClassifierFile(full.entries[i].path);
            auto b = loadAecnnClassifierFile(resumed.entries[i].path);
            QVERIFY2(torch::equal(a.net->forward(x), b.net->forward(x)), qPrintable(resumed.entries[i].path));
        }
        QCOMPARE(resumed.importance.empty() ? std::vector<double>{} : resumed.importance[0].importance,
                 full.importance[0].importance);
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

    // The tie rule of Eq. 8 selection, pinned down by hand: equal importance goes to the
    // lower channel index, and the CA_Pruned / AECNN head transmits exactly those channels
    // of the original X_l. (Trained importances are never tied, so the runs above cannot
    // show this.)
    void keptChannelsBreakTiesTowardsTheLowerIndex()
    {
        const std::vector<double> tied{0.5, 0.7, 0.5, 0.7, 0.1, 0.5, 0.5, 0.9};
        const std::vector<std::pair<int, std::vector<int64_t>>> expected{
            {1, {7}}, {2, {1, 7}}, {3, {1, 3, 7}}, {4, {0, 1, 3, 7}}, {5, {0, 1, 2, 3, 7}}, {7, {0, 1, 2, 3, 5, 6, 7}}};
        for (const auto& [keep, channels] : expected) {
            QCOMPARE(keepMostImportant(tied, keep), channels);
            QCOMPARE(topChannels(tied, size_t(keep)), channels); // the independent rule agrees
        }
        QCOMPARE(keepMostImportant(std::vector<double>(8, 0.25), 3), (std::vector<int64_t>{0, 1, 2}));

        torch::NoGradGuard noGrad;
        const auto x = data_.test.normalizedBatch(torch::arange(4));
        auto& baseNet = *base_.net;
        const auto feature = baseNet.head(x, 1); // 8 channels at split 1
        const auto kept = keepMostImportant(tied, keptChannelCount(8, 2));
        for (const auto variant : {SplitVariant::CaPruned, SplitVariant::Aecnn}) {
            AecnnModel model(variant, baseNet, 1, kept, 2, variant == SplitVariant::Aecnn ? 4 : 0);
            model->eval();
            QCOMPARE(model->kept(), (std::vector<int64_t>{0, 1, 3, 7}));
            QVERIFY(torch::allclose(model->encode(x), feature.index_select(1, torch::tensor(kept)), 1e-5, 1e-6));
        }
    }

    // Eq. 9: FR regenerates the pruned channels of X_l from the received ones. CA_Pruned
    // has nothing in their place (its tail sees zeros there: checked first), so its
    // reconstruction error is ||X_pruned||^2, and FR starts out exactly there (bn3 = 0).
    // FR is fine-tuned on the classification loss only (Algorithm 1), so the error falls
    // only where the tail relies on the original channels, i.e. from a well-trained base:
    // from this 10-epoch base (train CE ~0.18) 8 FR epochs bring it from ~2.7 to ~1.3;
    // from a 4-epoch base (CE ~0.76) FR lowered the loss but raised the error (2.6 -> 3.6).
    // The backbone is frozen (head and tail are the base model's), so the original X_l is
    // the base model's feature and FR alone has trained.
    void featureRecoveryLowersTheReconstructionError()
    {
        Classifier base = base_;
        base.net = testing::tinyNet(17);
        auto& baseNet = *base.net;
        auto baseTraining = quick(0);
        baseTraining.epochs = 10;
        trainClassifier(baseNet, [&](const torch::Tensor& x) { return baseNet.forward(x); }, baseNet.parameters(),
                        data_.train, baseTraining, "well-trained base", {});

        QTemporaryDir dir;
        auto options = tinyOptions();
        options.splits = {1};
        options.ratios = {2};
        options.bottleNet = false;
        options.frozenBackbone = true;
        options.recoveryFinetune = quick(0);
        options.recoveryFinetune.epochs = 8;
        runAlgorithm1(base, data_, options, dir.path());
        auto aecnn = loadAecnnClassifierFile(QDir(dir.path()).filePath(splitModelFileName(1, 2, SplitVariant::Aecnn)));
        auto caPruned = loadAecnnClassifierFile(QDir(dir.path()).filePath(splitModelFileName(1, 2, SplitVariant::CaPruned)));

        torch::NoGradGuard noGrad;
        const auto trainX = data_.train.normalizedBatch(torch::arange(data_.train.size()));
        const auto& trainY = data_.train.labels;
        auto loss = [&](torch::nn::Module& m, const torch::Tensor& logits) {
            m.eval();
            return torch::nn::functional::cross_entropy(logits, trainY).item<double>();
        };
        const double baseLoss = loss(baseNet, baseNet.forward(trainX));
        const double caPrunedLoss = loss(*caPruned.net, caPruned.net->forward(trainX));
        const double aecnnLoss = loss(*aecnn.net, aecnn.net->forward(trainX));
        QVERIFY2(baseLoss < 0.35, "the base model is not well trained; the premise of this test does not hold");

        const auto x = data_.test.normalizedBatch(torch::arange(data_.test.size()));
        const auto original = baseNet.head(x, 1);
        const auto prunedIndex = torch::tensor(aecnn.net->recovery->pruned());
        const auto target = original.index_select(1, prunedIndex);
        // CA_Pruned computes what the full tail computes on X_l with the pruned channels zeroed.
        const auto zeroed = original.index_fill(1, prunedIndex, 0.0);
        QVERIFY(torch::allclose(caPruned.net->forward(x), baseNet.tail(zeroed, 1), 1e-4, 1e-5));
        const double caPrunedError = target.pow(2).mean().item<double>();
        const auto recovered = aecnn.net->recovery->regenerate(aecnn.net->encode(x));
        const double frError = (recovered - target).pow(2).mean().item<double>();
        qInfo("train cross-entropy: base %.3f, CA_Pruned %.3f, AECNN %.3f; mean squared error of the %lld pruned "
              "channels on the test set: CA_Pruned %.3f, AECNN (FR) %.3f",
              baseLoss, caPrunedLoss, aecnnLoss, static_cast<long long>(prunedIndex.numel()), caPrunedError, frError);
        QVERIFY2(aecnnLoss < caPrunedLoss, "FR fine-tuning did not lower the training loss below CA_Pruned's");
        QVERIFY(caPrunedError > 0.0);
        QVERIFY2(frError < 0.75 * caPrunedError, "FR fine-tuning did not bring the pruned channels closer");
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
