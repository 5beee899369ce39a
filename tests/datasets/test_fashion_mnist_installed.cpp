// The real Fashion-MNIST of Debian's dataset-fashion-mnist, when it is installed.
// On its own so that CTest reports it as skipped (not passed) where it is not.
#include <QtTest>

#include <torch/torch.h>

#include "aecnn/datasets/fashion_mnist.h"

using namespace aecnn::datasets;

class TestFashionMnistInstalled : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void realDatasetWhenInstalled()
    {
        if (!QFile::exists(QString(kDefaultFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz"))
            QSKIP("dataset-fashion-mnist is not installed");
        const auto split = loadFashionMnist(kDefaultFashionMnistDir);
        QCOMPARE(split.train.size(), int64_t(60000));
        QCOMPARE(split.test.size(), int64_t(10000));
        QCOMPARE(split.test.images.sizes(), (torch::IntArrayRef{10000, 1, 28, 28}));
        QCOMPARE(split.test.labels.bincount().min().item<int64_t>(), int64_t(1000));
    }
};

QTEST_GUILESS_MAIN(TestFashionMnistInstalled)
#include "test_fashion_mnist_installed.moc"
