#include <QtTest>

#include <QTemporaryDir>

#include <zlib.h>

#include <torch/torch.h>

#include "aecnn/datasets/dataset_error.h"
#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/datasets/fashion_mnist.h"

using namespace aecnn::datasets;

namespace {

std::string bigEndian(uint32_t v)
{
    return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

std::string idxImages(uint32_t count, uint32_t rows, uint32_t cols, uint32_t magic = 0x803)
{
    std::string bytes = bigEndian(magic) + bigEndian(count) + bigEndian(rows) + bigEndian(cols);
    for (uint32_t i = 0; i < count * rows * cols; ++i)
        bytes.push_back(char(i % 251));
    return bytes;
}

std::string idxLabels(uint32_t count)
{
    std::string bytes = bigEndian(0x801) + bigEndian(count);
    for (uint32_t i = 0; i < count; ++i)
        bytes.push_back(char(i % 10));
    return bytes;
}

void writeGzip(const QString& path, const std::string& bytes)
{
    gzFile f = gzopen(path.toLocal8Bit().constData(), "wb");
    gzwrite(f, bytes.data(), unsigned(bytes.size()));
    gzclose(f);
}

void writeFixture(const QString& dir, uint32_t train, uint32_t test)
{
    writeGzip(dir + "/train-images-idx3-ubyte.gz", idxImages(train, 28, 28));
    writeGzip(dir + "/train-labels-idx1-ubyte.gz", idxLabels(train));
    writeGzip(dir + "/t10k-images-idx3-ubyte.gz", idxImages(test, 28, 28));
    writeGzip(dir + "/t10k-labels-idx1-ubyte.gz", idxLabels(test));
}

} // namespace

class TestFashionMnist : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesImagesAndLabels()
    {
        const auto images = parseIdxImages(idxImages(3, 4, 5), "x");
        QCOMPARE(images.sizes(), (torch::IntArrayRef{3, 1, 4, 5}));
        QCOMPARE(images[1][0][0][0].item<int>(), 20);
        const auto labels = parseIdxLabels(idxLabels(12), "y");
        QCOMPARE(labels.size(0), int64_t(12));
        QCOMPARE(labels[11].item<int64_t>(), int64_t(1));
    }

    void rejectsCorruptInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<bool>("labels");
        QTest::addColumn<QString>("expected");
        const std::string good = idxImages(2, 3, 3);
        QTest::newRow("short header") << QByteArray("\0\0\x08", 3) << false << "too short";
        QTest::newRow("bad magic") << QByteArray::fromStdString(idxImages(2, 3, 3, 0x802)) << false << "magic";
        QTest::newRow("truncated") << QByteArray::fromStdString(good.substr(0, good.size() - 1)) << false << "truncated";
        QTest::newRow("trailing bytes") << QByteArray::fromStdString(good + "x") << false << "corrupt";
        QTest::newRow("zero rows") << QByteArray::fromStdString(idxImages(2, 0, 3)) << false << "implausible";
        QTest::newRow("labels magic") << QByteArray::fromStdString(good) << true << "magic";
        const std::string labels = idxLabels(5);
        QTest::newRow("labels truncated") << QByteArray::fromStdString(labels.substr(0, 10)) << true << "truncated";
    }

    void rejectsCorruptInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(bool, labels);
        QFETCH(QString, expected);
        try {
            if (labels)
                parseIdxLabels(bytes.toStdString(), "file.idx");
            else
                parseIdxImages(bytes.toStdString(), "file.idx");
            QFAIL("corrupt IDX accepted");
        } catch (const DatasetError& e) {
            const QString message = e.what();
            QVERIFY2(message.contains("file.idx") && message.contains(expected), qPrintable(message));
        }
    }

    void loadsGzippedDirectoryAndSpec()
    {
        QTemporaryDir dir;
        writeFixture(dir.path(), 20, 7);
        const auto split = loadFashionMnist(dir.path().toStdString());
        QCOMPARE(split.train.size(), int64_t(20));
        QCOMPARE(split.test.size(), int64_t(7));
        QCOMPARE(int(split.train.classNames.size()), 10);
        const auto viaSpec = loadDataset("fashion-mnist:" + dir.path().toStdString(), {});
        QVERIFY(torch::equal(viaSpec.test.images, split.test.images));
        qputenv(kFashionMnistDirEnv, dir.path().toLocal8Bit());
        QCOMPARE(loadDataset("fashion-mnist", {}).train.size(), int64_t(20));
        qunsetenv(kFashionMnistDirEnv);
    }

    void truncatedGzipNamesTheFile()
    {
        QTemporaryDir dir;
        writeFixture(dir.path(), 50, 5);
        const QString path = dir.path() + "/train-images-idx3-ubyte.gz";
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() / 2));
        f.close();
        try {
            loadFashionMnist(dir.path().toStdString());
            QFAIL("truncated gzip accepted");
        } catch (const DatasetError& e) {
            QVERIFY2(QString(e.what()).contains("train-images-idx3-ubyte.gz"), e.what());
        }
    }

    void missingDirectoryIsAClearError()
    {
        QVERIFY_THROWS_EXCEPTION(DatasetError, loadFashionMnist("/nonexistent/fmnist"));
        QVERIFY_THROWS_EXCEPTION(DatasetError, loadDataset("nonsense:1", {}));
        QVERIFY_THROWS_EXCEPTION(DatasetError, loadDataset("synthetic:abc", {}));
    }
};

QTEST_GUILESS_MAIN(TestFashionMnist)
#include "test_fashion_mnist.moc"
