// aecnn baseline-input against independent computations: the byte counts against
// cv::imencode of the same images done here, the accuracy counts against
// `aecnn eval --limit` (original images) and `aecnn predict` on each JPEG file
// encoded here (decoded JPEGs). Exact integers only: on a handful of images
// "JPEG q90 is within a few points of the original" would mean nothing.
#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/datasets/fashion_mnist.h"
#include "cli_runner.h"

namespace {

constexpr int kImages = 12;

QString describe(const CliResult& r)
{
    return QString::fromUtf8(r.out + "\n" + r.err);
}

// The first kImages test images exactly as the CLI loads them for the default model (1 x 28 x 28).
aecnn::ImageSet firstTestImages(const std::string& spec)
{
    aecnn::datasets::DatasetRequest request; // 28 x 28, 1 channel: the default model's input
    return aecnn::datasets::loadDataset(spec, request).test.head(kImages);
}

cv::Mat imageAt(const aecnn::ImageSet& set, int64_t i)
{
    auto pixels = set.images[i][0].contiguous();
    return cv::Mat(set.height(), set.width(), CV_8UC1, pixels.data_ptr<uint8_t>()).clone();
}

std::vector<int> imencodeParams(const QJsonObject& row)
{
    const QString codec = row.value("codec").toString();
    if (codec == "png")
        return {cv::IMWRITE_PNG_COMPRESSION, 9};
    if (codec == "webp-lossless")
        return {cv::IMWRITE_WEBP_QUALITY, 101};
    return {cv::IMWRITE_JPEG_QUALITY, row.value("quality").toInt()};
}

const char* extensionOf(const QString& codec)
{
    return codec == "png" ? ".png" : codec == "webp-lossless" ? ".webp" : ".jpg";
}

} // namespace

class TestBaselineInput : public QObject {
    Q_OBJECT
private:
    QTemporaryDir dir_;
    std::string dataset_;
    aecnn::ImageSet images_; // the first kImages test images, loaded here
    CliResult baseline_;

    QJsonObject row(const QString& label) const
    {
        for (const auto& value : baseline_.json.value("codecs").toArray())
            if (value.toObject().value("label").toString() == label)
                return value.toObject();
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        // The real test set when it is installed (meaningful accuracy), else generated shapes.
        dataset_ = QFile::exists(QString(aecnn::datasets::kDefaultFashionMnistDir) + "/t10k-images-idx3-ubyte.gz")
                       ? "fashion-mnist"
                       : "synthetic:100";
        baseline_ =
            runCli({"baseline-input", "--model", "default", "--dataset", QString::fromStdString(dataset_), "--limit",
                    QString::number(kImages), "--csv", dir_.filePath("baseline.csv"), "--threads", "2", "--json"});
        QVERIFY2(baseline_.exitCode == 0 && baseline_.jsonValid, qPrintable(describe(baseline_)));
        QVERIFY(baseline_.json.value("ok").toBool());
        images_ = firstTestImages(dataset_);
        QCOMPARE(images_.size(), int64_t(kImages));
    }

    void reportsEveryCodecForEveryImage()
    {
        const QJsonObject& j = baseline_.json;
        QCOMPARE(j.value("images").toInt(), kImages);
        QCOMPARE(j.value("raw_bytes_per_image").toInt(), 28 * 28);
        QStringList labels;
        for (const auto& value : j.value("codecs").toArray()) {
            const QJsonObject r = value.toObject();
            labels << r.value("label").toString();
            QCOMPARE(r.value("images").toInt(), kImages);
            QCOMPARE(r.value("n").toInt(), kImages);
            const int correct = r.value("correct").toInt();
            QVERIFY(correct >= 0 && correct <= kImages);
            QCOMPARE(r.value("accuracy").toDouble(), double(correct) / kImages);
            QCOMPARE(r.value("mean_bytes").toDouble(), r.value("total_bytes").toDouble() / kImages);
        }
        QCOMPARE(labels, (QStringList{"raw", "png", "webp-lossless", "jpeg-q50", "jpeg-q75", "jpeg-q90"}));
        QCOMPARE(row("raw").value("total_bytes").toInt(), kImages * 28 * 28);
    }

    // Bytes: the same images through cv::imencode here, with the parameters the command documents.
    void byteCountsEqualIndependentEncodings()
    {
        const auto& images = images_;
        for (const QString label : {"png", "webp-lossless", "jpeg-q50", "jpeg-q75", "jpeg-q90"}) {
            const QJsonObject r = row(label);
            QVERIFY2(!r.isEmpty(), qPrintable(label));
            qint64 total = 0;
            for (int64_t i = 0; i < images.size(); ++i) {
                std::vector<uint8_t> bytes;
                QVERIFY(cv::imencode(extensionOf(r.value("codec").toString()), imageAt(images, i), bytes,
                                     imencodeParams(r)));
                total += qint64(bytes.size());
            }
            QCOMPARE(r.value("total_bytes").toInteger(), total);
        }
        // Lossless coding is smaller than the raw pixels here, JPEG grows with its quality.
        QVERIFY(row("jpeg-q50").value("total_bytes").toInt() < row("jpeg-q90").value("total_bytes").toInt());
    }

    // Accuracy on the original images: exactly what `aecnn eval` counts on the same images;
    // lossless codecs give back the same pixels, hence the same count.
    void originalAccuracyEqualsEval()
    {
        const auto eval = runCli({"eval", "--model", "default", "--dataset", QString::fromStdString(dataset_),
                                  "--limit", QString::number(kImages), "--threads", "2", "--json"});
        QVERIFY2(eval.exitCode == 0 && eval.jsonValid, qPrintable(describe(eval)));
        QCOMPARE(eval.json.value("n").toInt(), kImages);
        const int correct = eval.json.value("correct").toInt();
        const QJsonObject original = baseline_.json.value("original").toObject();
        QCOMPARE(original.value("correct").toInt(), correct);
        QCOMPARE(original.value("n").toInt(), kImages);
        for (const QString label : {"raw", "png", "webp-lossless"})
            QCOMPARE(row(label).value("correct").toInt(), correct);
    }

    // Accuracy on decoded JPEGs: each image encoded here at quality 50 and written to a
    // file, classified by `aecnn predict` (which reads the file with OpenCV); the number
    // of top-1 hits must be the command's count.
    void jpegAccuracyEqualsPredictOnTheJpegFiles()
    {
        const auto& images = images_;
        const QJsonObject r = row("jpeg-q50");
        int correct = 0;
        for (int64_t i = 0; i < images.size(); ++i) {
            const QString path = dir_.filePath(QString("image%1.jpg").arg(i));
            std::vector<uint8_t> bytes;
            QVERIFY(cv::imencode(".jpg", imageAt(images, i), bytes, {cv::IMWRITE_JPEG_QUALITY, 50}));
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(reinterpret_cast<const char*>(bytes.data()), qint64(bytes.size()));
            file.close();
            const auto predict = runCli({"predict", "--model", "default", "--image", path, "--threads", "1", "--json"});
            QVERIFY2(predict.exitCode == 0 && predict.jsonValid, qPrintable(describe(predict)));
            const int top1 = predict.json.value("top5").toArray().first().toObject().value("class").toInt();
            correct += top1 == images.labels[i].item<int64_t>() ? 1 : 0;
        }
        QCOMPARE(r.value("correct").toInt(), correct);
    }

    void csvHoldsTheSameRows()
    {
        QFile file(dir_.filePath("baseline.csv"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 3);
        QVERIFY(lines[0].startsWith("# ") && lines[0].contains("baseline-input"));
        int header = 0;
        while (header < lines.size() && lines[header].startsWith('#'))
            ++header;
        QVERIFY(header < lines.size());
        QVERIFY(lines[header].startsWith("codec,quality,lossless,"));
        const QStringList columns = lines[header].split(',');
        const int totalColumn = int(columns.indexOf("total_bytes")), correctColumn = int(columns.indexOf("correct"));
        QVERIFY(totalColumn > 0 && correctColumn > 0);
        const QJsonArray rows = baseline_.json.value("codecs").toArray();
        QCOMPARE(lines.size() - header - 1, rows.size());
        for (int i = 0; i < rows.size(); ++i) {
            const QStringList cells = lines[header + 1 + i].split(',');
            QCOMPARE(cells.size(), columns.size());
            const QJsonObject r = rows[i].toObject();
            QCOMPARE(cells[0], r.value("codec").toString());
            QCOMPARE(cells[totalColumn].toLongLong(), r.value("total_bytes").toInteger());
            QCOMPARE(cells[correctColumn].toInt(), r.value("correct").toInt());
        }
    }

    void badQualityIsAUsageError()
    {
        const auto r = runCli(
            {"baseline-input", "--model", "default", "--dataset", "synthetic:20", "--jpeg-qualities", "0", "--json"});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.jsonValid && !r.json.value("ok").toBool(), qPrintable(describe(r)));
        QVERIFY(r.json.value("error").toString().contains("jpeg-qualities"));
    }
};

QTEST_GUILESS_MAIN(TestBaselineInput)
#include "test_baseline_input.moc"
