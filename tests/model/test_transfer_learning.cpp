// The pieces of transfer learning (core/src/model/transfer_learning.cpp) on the tiny
// ResNet-50-layout network: a new classifier replaces only fc and is seeded; freezing
// stops gradients and keeps the frozen BN layers in eval mode; the trainable count is
// what the unfrozen tensors hold, counted here by name.
#include <QtTest>

#include <torch/torch.h>

#include "../method/tiny_model.h"
#include "aecnn/error.h"
#include "aecnn/model/transfer_learning.h"

using namespace aecnn;

class TestTransferLearning : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void namesRoundTrip()
    {
        for (const auto part : {FrozenPart::None, FrozenPart::Stem, FrozenPart::Stage1, FrozenPart::Stage2,
                                FrozenPart::Stage3, FrozenPart::Stage4})
            QVERIFY(frozenPartFromString(toString(part)) == part);
        try {
            frozenPartFromString("layer3");
            QFAIL("unknown part accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("stage3"), e.what());
        }
    }

    void newClassifierKeepsEverythingElse()
    {
        auto pretrained = testing::tinyNet(21, /*numClasses=*/4);
        auto a = withNewClassifier(pretrained, 7, 5);
        const auto b = withNewClassifier(pretrained, 7, 5);
        const auto c = withNewClassifier(pretrained, 7, 6);
        QCOMPARE(a->config().numClasses, 7);
        QCOMPARE(a->fc->weight.sizes(), (torch::IntArrayRef{7, pretrained->config().featureChannels()}));
        QCOMPARE(pretrained->fc->weight.size(0), int64_t(4)); // the source is untouched
        QVERIFY(torch::equal(a->fc->weight, b->fc->weight) && torch::equal(a->fc->bias, b->fc->bias));
        QVERIFY(!torch::equal(a->fc->weight, c->fc->weight));

        auto source = pretrained->named_parameters();
        for (const auto& p : a->named_parameters())
            if (p.key().rfind("fc.", 0) != 0)
                QVERIFY2(torch::equal(p.value(), source[p.key()]), p.key().c_str());
        auto buffers = pretrained->named_buffers();
        for (const auto& item : a->named_buffers())
            QVERIFY2(torch::equal(item.value(), buffers[item.key()]), item.key().c_str());
        // Same features, so the new network's penultimate activations are the old ones'.
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 1, 28, 28});
        const int last = pretrained->logitsPoint() - 1;
        QVERIFY(torch::equal(a->forwardRange(x, 0, last), pretrained->forwardRange(x, 0, last)));
    }

    void freezingStopsGradientsAndKeepsBatchNormInEvalMode()
    {
        auto net = withNewClassifier(testing::tinyNet(22), 4, 1);
        auto frozen = std::make_shared<PartlyFrozenResNet>(net, FrozenPart::Stage2);
        frozen->train();
        const auto isFrozen = [](const std::string& name) {
            for (const char* prefix : {"conv1", "bn1", "layer1", "layer2"})
                if (name.rfind(prefix, 0) == 0)
                    return true;
            return false;
        };
        for (const auto& m : net->named_modules("", /*include_self=*/false))
            QVERIFY2(m.value()->is_training() == !isFrozen(m.key()), m.key().c_str());

        int64_t expectedTrainable = 0, all = 0;
        for (const auto& p : net->named_parameters()) {
            all += p.value().numel();
            expectedTrainable += isFrozen(p.key()) ? 0 : p.value().numel();
            QCOMPARE(p.value().requires_grad(), !isFrozen(p.key()));
        }
        QCOMPARE(frozen->trainableParameterCount(), expectedTrainable);
        QCOMPARE(frozen->frozenParameterCount(), all - expectedTrainable);

        // A training step's forward leaves the frozen BN statistics alone, moves the others.
        const auto statsBefore = net->layer2->named_buffers()["0.bn1.running_mean"].clone();
        const auto otherBefore = net->layer3->named_buffers()["0.bn1.running_mean"].clone();
        frozen->forward(torch::randn({4, 1, 28, 28})).sum().backward();
        QVERIFY(torch::equal(net->layer2->named_buffers()["0.bn1.running_mean"], statsBefore));
        QVERIFY(!torch::equal(net->layer3->named_buffers()["0.bn1.running_mean"], otherBefore));
        QVERIFY(!net->conv1->weight.grad().defined());
        QVERIFY(net->layer3->parameters().front().grad().defined());

        frozen->eval();
        for (const auto& m : net->modules(/*include_self=*/false))
            QVERIFY(!m->is_training());
        const PartlyFrozenResNet none(withNewClassifier(testing::tinyNet(23), 4, 1), FrozenPart::None);
        QCOMPARE(none.frozenParameterCount(), int64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestTransferLearning)
#include "test_transfer_learning.moc"
