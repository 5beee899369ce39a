#include <QtTest>

#include <cstdlib>

#include <torch/torch.h>

#include "aecnn/datasets/dataset_error.h"
#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/datasets/resized_view.h"
#include "aecnn/model/memory_budget.h"

using namespace aecnn;
using namespace aecnn::datasets;

namespace {

// Two 28 x 28 grey images: a left-to-right ramp and a bright square on black.
ImageSet twoGreyImages()
{
    auto images = torch::zeros({2, 1, 28, 28}, torch::kUInt8);
    for (int x = 0; x < 28; ++x)
        images[0][0].select(1, x).fill_(x * 9);
    images[1][0].slice(0, 7, 21).slice(1, 7, 21).fill_(200);
    return {images, torch::tensor({3, 5}, torch::kInt64), {"a", "b", "c", "d", "e", "f"}, {{0.25f}, {0.5f}}};
}

} // namespace

class TestResizedView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanup() { unsetenv(kMemoryLimitEnv); }

    void greyTo224Rgb()
    {
        const auto set = twoGreyImages();
        const auto view = resizedView(set, 224, 224, 3, "fixture");
        QCOMPARE(view.size(), int64_t(2));
        QCOMPARE(view.channels(), 3);
        QCOMPARE(view.height(), 224);
        QCOMPARE(view.width(), 224);
        QVERIFY(torch::equal(view.labels, set.labels));
        QCOMPARE(view.normalization.mean, std::vector<float>(3, 0.25f));
        QCOMPARE(view.normalization.std, std::vector<float>(3, 0.5f));
        // The three channels are the same picture.
        const auto batch = view.images.contiguous();
        QVERIFY(torch::equal(batch.select(1, 0), batch.select(1, 1)));
        QVERIFY(torch::equal(batch.select(1, 0), batch.select(1, 2)));
        // Stored once: the channel dimension is a stride-0 view of N x 1 x H x W bytes.
        QCOMPARE(view.images.stride(1), int64_t(0));
        // The content is the same image, larger: the ramp still rises left to right,
        // the square sits in the middle half, and mean brightness is kept.
        const auto ramp = batch[0][0].to(torch::kFloat32);
        QVERIFY(ramp[100][10].item<float>() < ramp[100][110].item<float>());
        QVERIFY(ramp[100][110].item<float>() < ramp[100][210].item<float>());
        QCOMPARE(batch[1][0][112][112].item<uint8_t>(), uint8_t(200));
        QCOMPARE(batch[1][0][10][10].item<uint8_t>(), uint8_t(0));
        const double before = set.images.to(torch::kFloat64).mean().item<double>();
        const double after = view.images.to(torch::kFloat64).mean().item<double>();
        QVERIFY2(std::abs(before - after) < 2.0, qPrintable(QString("%1 vs %2").arg(before).arg(after)));
        // A normalized batch has the requested geometry.
        QCOMPARE(view.normalizedBatch(torch::tensor({1}, torch::kInt64)).sizes().vec(),
                 (std::vector<int64_t>{1, 3, 224, 224}));
    }

    void sameGeometryIsUnchanged()
    {
        const auto set = twoGreyImages();
        const auto view = resizedView(set, 28, 28, 1, "fixture");
        QCOMPARE(view.images.data_ptr(), set.images.data_ptr());
    }

    void refusesRgbToGrey()
    {
        auto set = twoGreyImages();
        set.images = set.images.expand({2, 3, 28, 28});
        QVERIFY_THROWS_EXCEPTION(DatasetError, resizedView(set, 28, 28, 1, "fixture"));
    }

    void tooLargeForMemoryNamesTheLimit()
    {
        // 2 images x 224 x 224 = 98 KB; with 0.1 MB "available" the view may use 50 KB.
        setenv(kMemoryLimitEnv, "0.1", 1);
        try {
            resizedView(twoGreyImages(), 224, 224, 3, "Fashion-MNIST training split");
            QFAIL("expected a DatasetError");
        } catch (const DatasetError& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("Fashion-MNIST training split") && message.contains("--train-limit") &&
                         message.contains("available"),
                     e.what());
        }
    }

    void requestLimitsComeBeforeResizing()
    {
        DatasetRequest request;
        request.height = 224;
        request.width = 224;
        request.channels = 3;
        request.trainLimit = 5;
        request.needTest = false;
        const auto split = loadDataset("synthetic:40", request);
        QCOMPARE(split.train.size(), int64_t(5));
        QCOMPARE(split.test.size(), int64_t(0));
        QCOMPARE(split.train.height(), 224);
        QCOMPARE(split.train.channels(), 3);
        QCOMPARE(split.test.channels(), 3); // an empty split keeps its geometry
    }
};

QTEST_GUILESS_MAIN(TestResizedView)
#include "test_resized_view.moc"
