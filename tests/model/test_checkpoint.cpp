#include <QtTest>

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <torch/serialize.h>
#include <torch/torch.h>

#include "aecnn/model/checkpoint.h"
#include "aecnn/model/classifier.h"
#include "aecnn/error.h"

using namespace aecnn;

namespace {

Classifier tinyClassifier()
{
    Classifier model;
    model.net = ResNet(ResNetConfig::resnet50(4, 1, 0.0625, StemKind::Small));
    model.usage = {{"a", "b", "c", "d"}, {{0.5f}, {0.25f}}, 28, 28, {{"note", "test"}}};
    model.net->eval();
    return model;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

void writeAll(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

} // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripPreservesOutputsAndMetadata()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("m.aecnn");
        auto model = tinyClassifier();
        saveClassifier(path, model);
        auto loaded = loadClassifierFile(path);
        QCOMPARE(loaded.usage.classNames, model.usage.classNames);
        QCOMPARE(loaded.usage.normalization.mean, model.usage.normalization.mean);
        QCOMPARE(loaded.usage.inputHeight, 28);
        QVERIFY(loaded.net->config() == model.net->config());
        QCOMPARE(loaded.usage.provenance.value("note").toString(), QString("test"));
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({3, 1, 28, 28});
        QVERIFY(torch::equal(model.net->forward(x), loaded.net->forward(x)));
        QVERIFY(!QFile::exists(path + ".new"));
    }

    void corruptionIsDetected_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("truncated") << "truncated";
        QTest::newRow("flipped-byte") << "flip";
        QTest::newRow("bad-magic") << "magic";
        QTest::newRow("empty") << "empty";
        QTest::newRow("future-version") << "version";
    }

    void corruptionIsDetected()
    {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const QString path = dir.filePath("m.aecnn");
        saveClassifier(path, tinyClassifier());
        QByteArray bytes = readAll(path);
        if (kind == "truncated")
            bytes.chop(bytes.size() / 3);
        else if (kind == "flip")
            bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x40);
        else if (kind == "magic")
            bytes[0] = 'X';
        else if (kind == "empty")
            bytes.clear();
        else if (kind == "version")
            bytes[8] = 9;
        writeAll(path, bytes);
        try {
            loadClassifierFile(path);
            QFAIL("corrupt checkpoint was accepted");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains(path), qPrintable(message));
        }
    }

    // A model derived from a base stores only the tensors that differ and reads back whole.
    void derivedCheckpointStoresOnlyWhatDiffers()
    {
        QTemporaryDir dir;
        const QString basePath = dir.filePath("base/base.aecnn");
        Checkpoint base;
        base.metadata = {{"kind", "test"}};
        base.tensors = {{"shared", torch::arange(10000, torch::kFloat32)}, {"other", torch::ones({3, 3})}};
        writeCheckpoint(basePath, base);

        Checkpoint derived;
        derived.metadata = {{"kind", "test-derived"}};
        derived.tensors = {{"renamed_shared", torch::arange(10000, torch::kFloat32)},
                           {"own", torch::full({4}, 7.0f)},
                           {"same_shape_other_values", torch::zeros({3, 3})}};
        const QString path = dir.filePath("derived/d.aecnn");
        writeCheckpoint(path, derived, basePath);
        QVERIFY2(QFileInfo(path).size() < 2000, "the shared 40 KB tensor was copied");

        const auto loaded = readCheckpoint(path);
        QCOMPARE(loaded.tensors.size(), size_t(3));
        QVERIFY(loaded.baseReferences.empty());
        for (const auto& [name, tensor] : derived.tensors)
            QVERIFY2(loaded.find(name) && torch::equal(*loaded.find(name), tensor), name.c_str());
        QCOMPARE(loaded.metadata.value("kind").toString(), QString("test-derived"));
    }

    void derivedCheckpointRefusesAChangedOrMissingBase()
    {
        QTemporaryDir dir;
        const QString basePath = dir.filePath("base.aecnn");
        Checkpoint base;
        base.tensors = {{"w", torch::arange(100, torch::kFloat32)}};
        writeCheckpoint(basePath, base);
        Checkpoint derived;
        derived.tensors = {{"w", torch::arange(100, torch::kFloat32)}};
        const QString path = dir.filePath("d.aecnn");
        writeCheckpoint(path, derived, basePath);

        base.tensors = {{"w", torch::arange(100, torch::kFloat32) + 1}};
        writeCheckpoint(basePath, base); // a different base under the same name
        try {
            readCheckpoint(path);
            QFAIL("a changed base was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("base.aecnn") && QString(e.what()).contains("re-create"), e.what());
        }
        QFile::remove(basePath);
        QVERIFY_THROWS_EXCEPTION(Error, readCheckpoint(path));
    }

    void missingFileIsAClearError()
    {
        QVERIFY_THROWS_EXCEPTION(Error, loadClassifierFile("/nonexistent/model.aecnn"));
    }

    void shapeMismatchNamesTheTensor()
    {
        auto model = tinyClassifier();
        ResNet other(ResNetConfig::resnet50(5, 1, 0.0625, StemKind::Small));
        try {
            loadStateInto(*other, stateOf(*model.net), "test");
            QFAIL("shape mismatch accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("fc."), e.what());
        }
    }

    void torchvisionStateDictLoads()
    {
        // A dict of tensors in torch.save's zip/pickle format, keyed by torchvision names.
        torch::manual_seed(5);
        ResNet source(ResNetConfig::resnet50(6, 3, 0.125, StemKind::ImageNet));
        c10::Dict<std::string, torch::Tensor> dict;
        for (const auto& [name, tensor] : stateOf(*source))
            dict.insert(name, tensor);
        const auto bytes = torch::pickle_save(dict);
        QTemporaryDir dir;
        const QString path = dir.filePath("resnet.pth");
        writeAll(path, QByteArray(bytes.data(), qsizetype(bytes.size())));
        auto imported = importTorchvision(path);
        QCOMPARE(imported.net->config().numClasses, 6);
        QCOMPARE(imported.net->config().stagePlanes[0], 8);
        QVERIFY(imported.net->config().stem == StemKind::ImageNet);
        source->eval();
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 3, 64, 64});
        QVERIFY(torch::allclose(source->forward(x), imported.net->forward(x)));

        writeAll(path, "not a pickle");
        QVERIFY_THROWS_EXCEPTION(Error, importTorchvision(path));
    }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
