#include <QtTest>

#include <set>

#include <QDir>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/datasets/dataset_error.h"
#include "aecnn/datasets/image_folder.h"
#include "aecnn/datasets/synthetic.h"

using namespace aecnn::datasets;

namespace {

struct ImageSetRef {
    const aecnn::ImageSet* images;
    const char* name;
};

void writeImage(const QString& path, int value, int width, int height)
{
    cv::Mat image(height, width, CV_8UC3, cv::Scalar(value, value / 2, 255 - value));
    cv::imwrite(path.toStdString(), image);
}

} // namespace

class TestImageFolder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadsStratifiedDeterministicSplit()
    {
        QTemporaryDir dir;
        const QStringList classes{"airplane", "butterfly", "camera"};
        for (int c = 0; c < classes.size(); ++c) {
            QDir(dir.path()).mkdir(classes[c]);
            for (int i = 0; i < 10; ++i)
                writeImage(dir.filePath(QString("%1/img%2.%3").arg(classes[c]).arg(i).arg(i % 2 ? "png" : "jpg")),
                           20 * c + i, 40 + i, 30);
        }
        // Unreadable files are skipped and counted, never a crash.
        QFile bad(dir.filePath("camera/broken.jpg"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("definitely not a jpeg");
        bad.close();

        FolderOptions options;
        options.height = 24;
        options.width = 24;
        options.testFraction = 0.2;
        options.seed = 11;
        FolderLoadReport report;
        const auto split = loadImageFolder(dir.path().toStdString(), options, &report);
        QCOMPARE(report.loaded, int64_t(30));
        QCOMPARE(report.skipped, int64_t(1));
        QCOMPARE(split.train.size(), int64_t(24));
        QCOMPARE(split.test.size(), int64_t(6));
        QCOMPARE(split.test.images.sizes(), (torch::IntArrayRef{6, 3, 24, 24}));
        QCOMPARE(split.test.labels.bincount().min().item<int64_t>(), int64_t(2));
        QCOMPARE(split.train.classNames, (std::vector<std::string>{"airplane", "butterfly", "camera"}));
        QCOMPARE(split.train.normalization.mean.size(), size_t(3));

        const auto again = loadImageFolder(dir.path().toStdString(), options);
        QVERIFY(torch::equal(again.test.images, split.test.images));
        options.seed = 12;
        const auto other = loadImageFolder(dir.path().toStdString(), options);
        QVERIFY(!torch::equal(other.test.images, split.test.images));
    }

    // Every image carries its folder's label, and train and test are disjoint and
    // together hold every image: each PNG is a solid colour that encodes its own id,
    // read back from the loaded pixels (lossless PNG, so the resize keeps it exact).
    void labelsFollowFoldersAndSplitsAreDisjoint()
    {
        QTemporaryDir dir;
        const QStringList classes{"accordion", "bonsai", "cup", "dolphin"};
        const int perClass = 9;
        for (int c = 0; c < classes.size(); ++c) {
            QDir(dir.path()).mkdir(classes[c]);
            for (int i = 0; i < perClass; ++i) {
                const int id = c * perClass + i;
                writeImage(dir.filePath(QString("%1/%2.png").arg(classes[c]).arg(i)), 6 * id + 6, 33 + i, 21 + c);
            }
        }
        FolderOptions options;
        options.height = 16;
        options.width = 16;
        options.testFraction = 0.3;
        options.seed = 5;
        const auto split = loadImageFolder(dir.path().toStdString(), options);
        QCOMPARE(split.train.size() + split.test.size(), int64_t(classes.size() * perClass));

        std::set<int> seen;
        for (const ImageSetRef set : {ImageSetRef{&split.train, "train"}, ImageSetRef{&split.test, "test"}}) {
            for (int64_t n = 0; n < set.images->size(); ++n) {
                // writeImage's colour is (B, G, R) = (v, v / 2, 255 - v): G = v / 2 = 3 id + 3.
                const auto green = set.images->images[n][1];
                QCOMPARE(green.min().item<int>(), green.max().item<int>()); // still a solid colour
                const int id = (green.max().item<int>() - 3) / 3;
                QVERIFY2(seen.insert(id).second, qPrintable(QString("image %1 appears twice (%2)").arg(id).arg(set.name)));
                QCOMPARE(set.images->labels[n].item<int64_t>(), int64_t(id / perClass));
            }
        }
        QCOMPARE(int(seen.size()), classes.size() * perClass);
    }

    // Caltech-101's BACKGROUND_Google holds clutter, not a category: it is left out by
    // default (and reported), so the 101 real classes keep their sorted labels.
    void caltechBackgroundFolderIsNotAClass()
    {
        QTemporaryDir dir;
        const QStringList folders{"BACKGROUND_Google", "Faces", "accordion"};
        for (int f = 0; f < folders.size(); ++f) {
            QDir(dir.path()).mkdir(folders[f]);
            for (int i = 0; i < 3; ++i)
                writeImage(dir.filePath(QString("%1/image_%2.png").arg(folders[f]).arg(i)), 30 * f + i, 20, 20);
        }
        FolderOptions options;
        options.height = options.width = 8;
        FolderLoadReport report;
        const auto split = loadImageFolder(dir.path().toStdString(), options, &report);
        QCOMPARE(split.train.classNames, (std::vector<std::string>{"Faces", "accordion"}));
        QCOMPARE(report.excludedClasses, (std::vector<std::string>{"BACKGROUND_Google"}));
        QCOMPARE(report.loaded, int64_t(6));
        QCOMPARE(split.train.size() + split.test.size(), int64_t(6));
        QCOMPARE(split.train.labels.max().item<int64_t>(), int64_t(1));

        options.excludedClasses.clear(); // nothing left out: it sorts first and takes label 0
        const auto all = loadImageFolder(dir.path().toStdString(), options, &report);
        QCOMPARE(all.train.classNames.front(), std::string("BACKGROUND_Google"));
        QCOMPARE(all.train.size() + all.test.size(), int64_t(9));
        QVERIFY(report.excludedClasses.empty());
    }

    void emptyClassOrDatasetIsAnError()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(DatasetError, loadImageFolder(dir.path().toStdString(), {}));
        QDir(dir.path()).mkdir("empty");
        try {
            loadImageFolder(dir.path().toStdString(), {});
            QFAIL("empty class accepted");
        } catch (const DatasetError& e) {
            QVERIFY2(QString(e.what()).contains("empty"), e.what());
        }
        QVERIFY_THROWS_EXCEPTION(DatasetError, loadImageFolder("/nonexistent/dir", {}));
    }

    void syntheticIsSeededAndBalanced()
    {
        const auto a = makeSynthetic(100, 3);
        const auto b = makeSynthetic(100, 3);
        const auto c = makeSynthetic(100, 4);
        QVERIFY(torch::equal(a.train.images, b.train.images));
        QVERIFY(!torch::equal(a.train.images, c.train.images));
        QCOMPARE(a.train.size(), int64_t(80));
        QCOMPARE(a.test.labels.bincount().min().item<int64_t>(), int64_t(5));
        QVERIFY_THROWS_EXCEPTION(DatasetError, makeSynthetic(2));
    }
};

QTEST_GUILESS_MAIN(TestImageFolder)
#include "test_image_folder.moc"
