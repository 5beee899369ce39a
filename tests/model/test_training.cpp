// Training learns: with a fixed seed on the synthetic four-class set, the loss falls
// and the test accuracy ends far above chance (25 %), while the untrained network is
// near chance. Small and CPU-only (about a hundred SGD steps on a tiny ResNet-50 layout).
#include <cmath>
#include <vector>

#include <QtTest>

#include <torch/torch.h>

#include "../method/tiny_model.h"
#include "aecnn/datasets/synthetic.h"
#include "aecnn/error.h"
#include "aecnn/model/training.h"

using namespace aecnn;

class TestTraining : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lossFallsAndAccuracyBeatsChance()
    {
        configureThreads(1);
        const auto data = datasets::makeSynthetic(600, 11);
        auto net = testing::tinyNet(3);
        auto& module = *net;
        const ForwardFn forward = [&](const torch::Tensor& x) { return module.forward(x); };

        const double before = evaluateClassifier(module, forward, data.test, 256).accuracy();
        TrainOptions options;
        options.epochs = 4;
        options.batchSize = 32;
        options.learningRate = 0.05;
        options.seed = 4;
        std::vector<double> epochLoss(size_t(options.epochs), 0.0);
        trainClassifier(module, forward, module.parameters(), data.train, options, "test",
                        [&](const TrainProgress& p) {
                            epochLoss[size_t(p.epoch - 1)] = p.loss; // running mean of that epoch
                            return true;
                        });
        const double after = evaluateClassifier(module, forward, data.test, 256).accuracy();
        qInfo("accuracy %.3f -> %.3f; epoch losses %.3f %.3f %.3f %.3f", before, after, epochLoss[0], epochLoss[1],
              epochLoss[2], epochLoss[3]);

        QVERIFY2(epochLoss.back() < 0.6 * epochLoss.front(), "the training loss did not fall");
        QVERIFY2(after >= 0.70, "test accuracy after training is not far above chance (25 %)");
        QVERIFY(after > before + 0.3);
    }

    // The distillation loss against the formula computed by hand in double precision:
    // (1 - w) CE + w T^2 sum_i p_i (log p_i - log q_i) / N, p = softmax(teacher / T), q = softmax(student / T).
    void distillationLossIsTheHandComputedFormula()
    {
        const auto student = torch::tensor({{1.0f, -0.5f, 2.0f}, {0.2f, 0.1f, -1.0f}});
        const auto teacher = torch::tensor({{0.5f, 0.0f, 3.0f}, {-1.0f, 2.0f, 0.0f}});
        const auto labels = torch::tensor({2, 0}, torch::kInt64);
        const double w = 0.7, T = 3.0;
        const auto softmax = [](std::vector<double> z, double t) {
            double sum = 0.0;
            for (auto& v : z)
                sum += (v = std::exp(v / t));
            for (auto& v : z)
                v /= sum;
            return z;
        };
        double ce = 0.0, kl = 0.0;
        for (int n = 0; n < 2; ++n) {
            std::vector<double> s, t;
            for (int c = 0; c < 3; ++c) {
                s.push_back(student[n][c].item<double>());
                t.push_back(teacher[n][c].item<double>());
            }
            ce -= std::log(softmax(s, 1.0)[size_t(labels[n].item<int64_t>())]);
            const auto p = softmax(t, T), q = softmax(s, T);
            for (size_t c = 0; c < 3; ++c)
                kl += p[c] * (std::log(p[c]) - std::log(q[c]));
        }
        const double expected = (1 - w) * ce / 2 + w * T * T * kl / 2;
        QVERIFY(std::abs(distillationLoss(student, teacher, labels, w, T).item<double>() - expected) < 1e-5);
        // Weight 0 is plain cross-entropy; the student equal to the teacher adds nothing at weight 1.
        QVERIFY(std::abs(distillationLoss(student, teacher, labels, 0.0, T).item<double>() - ce / 2) < 1e-5);
        QVERIFY(std::abs(distillationLoss(teacher, teacher, labels, 1.0, T).item<double>()) < 1e-6);
        QVERIFY_THROWS_EXCEPTION(Error, distillationLoss(student, teacher, labels, 1.5, T));
        QVERIFY_THROWS_EXCEPTION(Error, distillationLoss(student, teacher, labels, 0.5, 0.0));
        QVERIFY_THROWS_EXCEPTION(Error, distillationLoss(student, teacher.narrow(1, 0, 2), labels, 0.5, T));
    }

    // Distillation learns from the teacher: a teacher that answers a permutation of the true
    // classes (a trained network whose outputs are relabelled) makes a student trained with
    // weight 1 predict the permuted classes, while the same student trained on the labels
    // predicts the labels.
    void aDistilledStudentLearnsTheTeachersAnswersNotTheLabels()
    {
        configureThreads(1);
        const auto data = datasets::makeSynthetic(600, 11);
        TrainOptions options;
        options.epochs = 4;
        options.batchSize = 32;
        options.learningRate = 0.05;
        options.seed = 4;
        auto trainNet = [&](uint64_t init, const Distillation& distillation) {
            auto net = testing::tinyNet(init);
            auto& module = *net;
            const ForwardFn forward = [&module](const torch::Tensor& x) { return module.forward(x); };
            auto o = options;
            o.distillation = distillation;
            trainClassifier(module, forward, module.parameters(), data.train, o, "test", {});
            return net;
        };
        auto trained = trainNet(3, {});
        const auto permutation = torch::tensor({1, 2, 3, 0}, torch::kInt64); // teacher class c = true class c - 1
        Distillation relabelled;
        relabelled.weight = 1.0;
        relabelled.temperature = 2.0;
        relabelled.teacher = [&](const torch::Tensor& x) {
            trained->eval();
            return trained->forward(x).index_select(1, permutation);
        };
        auto distilled = trainNet(5, relabelled);
        auto plain = trainNet(5, {});

        const auto agreement = [&](ResNet& net, const torch::Tensor& expected) {
            torch::NoGradGuard noGrad;
            net->eval();
            const auto predicted = net->forward(data.test.normalizedBatch(torch::arange(data.test.size()))).argmax(1);
            return predicted.eq(expected).to(torch::kFloat64).mean().item<double>();
        };
        const auto labels = data.test.labels;
        const auto permutedLabels = (labels + 3) % 4; // the class the teacher names for each true class
        const double distilledOnTeacher = agreement(distilled, permutedLabels);
        const double distilledOnLabels = agreement(distilled, labels);
        const double plainOnLabels = agreement(plain, labels);
        qInfo("distilled: %.3f permuted, %.3f true labels; plain: %.3f true labels", distilledOnTeacher,
              distilledOnLabels, plainOnLabels);
        QVERIFY(distilledOnTeacher >= 0.7);
        QVERIFY(distilledOnLabels <= 0.3);
        QVERIFY(plainOnLabels >= 0.7);
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
