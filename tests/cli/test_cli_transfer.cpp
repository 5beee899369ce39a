// Transfer learning as the paper did (pretrained ResNet-50 fine-tuned on Caltech-101),
// end to end through `aecnn train --init torchvision:FILE --dataset folder:DIR --freeze`:
// on a reduced-width torchvision fixture (tests/model/fixtures, made by Python) and a tiny
// image folder, the frozen part keeps its pretrained weights and BN statistics bit for bit,
// the rest trains, and the new fc has the folder's class count.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "aecnn/model/classifier.h"
#include "aecnn/model/torchvision_io.h"
#include "cli_runner.h"

using namespace aecnn;

namespace {

const QString kFixture = QStringLiteral(AECNN_TORCHVISION_FIXTURES "/mini_plain_dict.pth"); // depths 2-1-1-1, fc 64 -> 10

bool isFrozenByStage3(const std::string& name)
{
    for (const char* prefix : {"conv1.", "bn1.", "layer1.", "layer2.", "layer3."})
        if (name.rfind(prefix, 0) == 0)
            return true;
    return false;
}

std::map<std::string, torch::Tensor> tensorsOf(const ResNet& net)
{
    std::map<std::string, torch::Tensor> all;
    for (const auto& p : net->named_parameters())
        all.emplace(p.key(), p.value());
    for (const auto& b : net->named_buffers())
        all.emplace(b.key(), b.value());
    return all;
}

QStringList trainArgs(const QString& init, const QString& folder, const QString& out, const QString& freeze)
{
    return {"train", "--init", init, "--dataset", "folder:" + folder, "--freeze", freeze, "--out", out, "--epochs", "2",
            "--batch-size", "5", "--lr", "0.05", "--json", "--threads", "1"};
}

} // namespace

class TestCliTransfer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        folder_ = dir_.filePath("101_ObjectCategories");
        // Three classes of six 32x32 images (one colour per class plus noise), and the
        // Caltech-101 clutter folder, which must not become a class.
        cv::RNG rng(3);
        const QStringList classes{"ant", "bee", "cat", "BACKGROUND_Google"};
        for (int c = 0; c < classes.size(); ++c) {
            QVERIFY(QDir().mkpath(QDir(folder_).filePath(classes[c])));
            for (int i = 0; i < 6; ++i) {
                cv::Mat image(32, 32, CV_8UC3, cv::Scalar(80 * c, 255 - 80 * c, 40 * c));
                cv::Mat noise(32, 32, CV_8UC3);
                rng.fill(noise, cv::RNG::UNIFORM, 0, 40);
                image += noise;
                QVERIFY(cv::imwrite(QDir(folder_).filePath(QString("%1/image_%2.png").arg(classes[c]).arg(i)).toStdString(),
                                    image));
            }
        }
    }

    void freezesUpToStage3AndReplacesTheClassifier()
    {
        const QString out = dir_.filePath("transfer.aecnn");
        const auto run = runCli(trainArgs("torchvision:" + kFixture, folder_, out, "stage3") + QStringList{"--input", "32x32"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.contains("BACKGROUND_Google"), "excluding the clutter folder is not noted");
        QCOMPARE(run.json.value("classes").toInt(), 3);
        QCOMPARE(run.json.value("freeze").toString(), QString("stage3"));

        const Classifier pretrained = importTorchvisionFile(kFixture);
        const Classifier tuned = loadClassifierFile(out);
        QCOMPARE(tuned.usage.classNames, (std::vector<std::string>{"ant", "bee", "cat"}));
        QCOMPARE(tuned.usage.normalization.mean, pretrained.usage.normalization.mean); // ImageNet's, from the file
        QCOMPARE(tuned.usage.normalization.std, pretrained.usage.normalization.std);
        QCOMPARE(tuned.usage.inputHeight, 32);
        auto expectedConfig = pretrained.net->config();
        expectedConfig.numClasses = 3;
        QVERIFY(tuned.net->config() == expectedConfig); // ImageNet stem and widths kept
        QCOMPARE(tuned.net->fc->weight.sizes(), (torch::IntArrayRef{3, 64}));

        const auto before = tensorsOf(pretrained.net);
        int64_t trainable = 0, frozen = 0, changed = 0, layer4Parameters = 0;
        for (const auto& [name, tensor] : tensorsOf(tuned.net)) {
            if (name.rfind("fc.", 0) == 0) {
                trainable += tensor.numel();
                continue;
            }
            const auto& original = before.at(name);
            const bool isParameter = tuned.net->named_parameters().contains(name);
            if (isFrozenByStage3(name)) {
                // Weights and BN running statistics alike: frozen BN stays in eval mode.
                QVERIFY2(torch::equal(tensor, original), qPrintable(QString::fromStdString(name) + " changed"));
                frozen += isParameter ? tensor.numel() : 0;
            } else {
                QVERIFY(name.rfind("layer4.", 0) == 0);
                trainable += isParameter ? tensor.numel() : 0;
                layer4Parameters += isParameter ? 1 : 0;
                if (isParameter && !torch::equal(tensor, original))
                    ++changed;
                if (name.find("running_mean") != std::string::npos)
                    QVERIFY2(!torch::equal(tensor, original), qPrintable(QString::fromStdString(name) + " kept"));
            }
        }
        QCOMPARE(changed, layer4Parameters); // every trainable layer4 tensor moved
        QCOMPARE(run.json.value("trainable_parameters").toInteger(), trainable);
        QCOMPARE(run.json.value("frozen_parameters").toInteger(), frozen);

        // `aecnn eval` of the saved model sees the same test set and the same preprocessing.
        const auto eval = runCli({"eval", "--model", out, "--dataset", "folder:" + folder_, "--json", "--threads", "1"});
        QVERIFY2(eval.exitCode == 0, eval.err.constData());
        QCOMPARE(eval.json.value("n").toInteger(), run.json.value("n").toInteger());
        QCOMPARE(eval.json.value("accuracy").toDouble(), run.json.value("accuracy").toDouble());

        // An aecnn checkpoint is an init too; its input size is the default, stage4 leaves only fc.
        const QString again = dir_.filePath("again.aecnn");
        const auto second = runCli(trainArgs(out, folder_, again, "stage4"));
        QVERIFY2(second.exitCode == 0, second.err.constData());
        QCOMPARE(second.json.value("trainable_parameters").toInteger(), qint64(3 * 64 + 3));
        const Classifier retuned = loadClassifierFile(again);
        QCOMPARE(retuned.usage.inputHeight, 32);
        QVERIFY(torch::equal(retuned.net->layer4->parameters().front(), tuned.net->layer4->parameters().front()));
    }

    void rejectsWhatDoesNotFit_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<QString>("init");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString init = "torchvision:" + kFixture;
        QTest::newRow("grayscale for an RGB init") << QStringList{"--channels", "1"} << init << 2 << QString("--channels 1");
        QTest::newRow("width with init") << QStringList{"--width", "0.5"} << init << 2 << QString("--width cannot be combined");
        QTest::newRow("unknown part") << QStringList{"--freeze", "stage9"} << init << 2 << QString("stage4");
        QTest::newRow("freeze without init") << QStringList{"--freeze", "stem"} << QString() << 2 << QString("needs --init");
        QTest::newRow("ResNet-18 file") << QStringList{} << QString("torchvision:" AECNN_TORCHVISION_FIXTURES "/bad_resnet18.pth")
                                        << 1 << QString("ResNet-18");
    }

    void rejectsWhatDoesNotFit()
    {
        QFETCH(QStringList, extra);
        QFETCH(QString, init);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QStringList args{"train", "--dataset", "folder:" + folder_, "--out", dir_.filePath("never.aecnn"), "--json"};
        if (!init.isEmpty())
            args << "--init" << init;
        const auto run = runCli(args + extra);
        QCOMPARE(run.exitCode, exitCode);
        const QString error = run.json.value("error").toString();
        QVERIFY2(error.contains(message), qPrintable(error));
        QVERIFY(!QFile::exists(dir_.filePath("never.aecnn")));
    }

private:
    QTemporaryDir dir_;
    QString folder_;
};

QTEST_GUILESS_MAIN(TestCliTransfer)
#include "test_cli_transfer.moc"
