// Training learns: with a fixed seed on the synthetic four-class set, the loss falls
// and the test accuracy ends far above chance (25 %), while the untrained network is
// near chance. Small and CPU-only (about a hundred SGD steps on a tiny ResNet-50 layout).
#include <QtTest>

#include <torch/torch.h>

#include "../method/tiny_model.h"
#include "aecnn/datasets/synthetic.h"
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
};

QTEST_GUILESS_MAIN(TestTraining)
#include "test_training.moc"
