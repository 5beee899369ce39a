// The checkpoint kind table (model/checkpoint_kind.h) and the typed reader every loader
// uses: kinds written unchanged, wrong kinds refused with the file named, aliases
// accepted, and the shipped models (resources/models/) loading as before.
#include <QtTest>

#include <tuple>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTemporaryDir>

#include <torch/torch.h>

#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/error.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/model/checkpoint_kind.h"
#include "aecnn/model/classifier.h"
#include "aecnn/model/model_spec.h"
#include "aecnn/split/inference_model.h"
#include "aecnn/split/split_head.h"
#include "aecnn/split/split_model.h"
#include "aecnn/split/split_model_files.h"

using namespace aecnn;

namespace {

Classifier tinyClassifier()
{
    auto config = ResNetConfig::resnet50(4, 1, 1.0, StemKind::Small);
    config.stemChannels = 8;
    config.stagePlanes = {4, 8, 8, 8};
    config.stageDepths = {2, 1, 1, 1};
    torch::manual_seed(3);
    Classifier model;
    model.net = ResNet(config);
    model.usage = {{"a", "b", "c", "d"}, {{0.5f}, {0.25f}}, 28, 28, {{"note", "test"}}};
    model.net->eval();
    return model;
}

AecnnClassifier tinySplitModel()
{
    const auto base = tinyClassifier();
    AecnnClassifier model;
    const std::vector<int64_t> kept{0, 5, 9, 15};
    model.net = AecnnModel(SplitVariant::Aecnn, *base.net, 2, kept, 4, 8);
    model.net->eval();
    model.usage = base.usage;
    return model;
}

QString kindWritten(const QString& path)
{
    return readCheckpointMetadata(path).value("kind").toString();
}

// The message of the aecnn::Error that `load` throws; empty when it throws none.
template <typename Load> QString errorOf(Load load)
{
    try {
        load();
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

void writeWithKind(const QString& path, const QString& kind)
{
    Checkpoint checkpoint;
    if (!kind.isNull())
        checkpoint.metadata = {{"kind", kind}};
    checkpoint.tensors = {{"w", torch::ones({2})}};
    writeCheckpoint(path, checkpoint);
}

} // namespace

class TestCheckpointKind : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // The names are the file format: these exact strings are in files in the field.
    void tableHoldsTheNamesFilesCarry()
    {
        QCOMPARE(checkpointKindName(CheckpointKind::Classifier), QString("classifier"));
        QCOMPARE(checkpointKindName(CheckpointKind::SplitModel), QString("aecnn"));
        QCOMPARE(checkpointKindName(CheckpointKind::SplitHead), QString("aecnn-head"));
        QCOMPARE(checkpointKindName(CheckpointKind::CaNetwork), QString("aecnn_ca_network"));
        QCOMPARE(checkpointKindName(CheckpointKind::TrainingState), QString("training-state"));
        QCOMPARE(checkpointKinds().size(), size_t(5));

        QSet<QString> seen;
        for (const auto& info : checkpointKinds()) {
            QVERIFY(&checkpointKindInfo(info.kind) == &info);
            QVERIFY(checkpointKindFromName(info.name) == info.kind);
            QVERIFY(QString(info.description).startsWith("a"));
            QVERIFY(!QString(info.remedy).isEmpty());
            QStringList names{info.name};
            for (const char* alias : info.aliases)
                names << alias;
            for (const auto& name : names) {
                QVERIFY2(checkpointKindFromName(name) == info.kind, qPrintable(name));
                QVERIFY2(!seen.contains(name), qPrintable(name + " names two kinds"));
                seen.insert(name);
            }
        }
        QVERIFY(checkpointKindFromName("aecnn-ca-network") == CheckpointKind::CaNetwork);
        QVERIFY(!checkpointKindFromName("Classifier"));
        QVERIFY(!checkpointKindFromName(""));
        QVERIFY(!checkpointKindOf(QJsonObject{}));
        QVERIFY(checkpointKindOf(QJsonObject{{"kind", "aecnn-head"}}) == CheckpointKind::SplitHead);
    }

    void writersWriteTheTableNames()
    {
        QTemporaryDir dir;
        const QString classifierPath = dir.filePath("c.aecnn");
        saveClassifier(classifierPath, tinyClassifier());
        QCOMPARE(kindWritten(classifierPath), QString("classifier"));

        const QString splitPath = dir.filePath("s.aecnn");
        const auto split = tinySplitModel();
        saveAecnnClassifier(splitPath, split);
        QCOMPARE(kindWritten(splitPath), QString("aecnn"));
        QVERIFY(readCheckpointKind(splitPath) == CheckpointKind::SplitModel);

        const auto head = parseCheckpoint(edge::serializeSplitHead(split), "head");
        QCOMPARE(head.metadata.value("kind").toString(), QString("aecnn-head"));

        const QString caPath = dir.filePath("ca.ckpt");
        CaNetwork ca;
        ca.network = tinyClassifier();
        ca.split = 2;
        ca.importance.split = 2;
        saveCaNetwork(caPath, ca);
        QCOMPARE(kindWritten(caPath), QString("aecnn_ca_network"));
        QVERIFY(readCheckpointKind(caPath) == CheckpointKind::CaNetwork);
    }

    void loadersRefuseAnotherKindNamingTheFile()
    {
        QTemporaryDir dir;
        const QString classifierPath = dir.filePath("plain.aecnn");
        saveClassifier(classifierPath, tinyClassifier());
        const QString splitPath = dir.filePath("split.aecnn");
        saveAecnnClassifier(splitPath, tinySplitModel());

        QString message = errorOf([&] { loadClassifierFile(splitPath); });
        QVERIFY2(message.contains(splitPath + ": holds a split model (kind 'aecnn'), expected a classifier; use "),
                 qPrintable(message));
        QVERIFY2(message.contains("aecnn train"), qPrintable(message));

        message = errorOf([&] { loadAecnnClassifierFile(classifierPath); });
        QVERIFY2(message.contains(classifierPath + ": holds a classifier (kind 'classifier'), expected a split model"),
                 qPrintable(message));
        QVERIFY2(message.contains("aecnn-train"), qPrintable(message));

        message = errorOf([&] { loadCaNetwork(splitPath); });
        QVERIFY2(message.contains(splitPath + ": holds a split model (kind 'aecnn'), expected a CA-trained network"),
                 qPrintable(message));

        QFile file(classifierPath);
        QVERIFY(file.open(QIODevice::ReadOnly));
        message = errorOf([&] { edge::parseSplitHead(file.readAll(), "deployed model 'plain.aecnn'"); });
        QVERIFY2(message.contains("deployed model 'plain.aecnn': holds a classifier (kind 'classifier'), expected a "
                                  "split head; deploy the head of a split model"),
                 qPrintable(message));
    }

    void unknownAndMissingKindsAreNamed()
    {
        QTemporaryDir dir;
        const QString mystery = dir.filePath("mystery.aecnn");
        writeWithKind(mystery, "mystery");
        QVERIFY(!readCheckpointKind(mystery));
        QString message = errorOf([&] { readCheckpoint(mystery, CheckpointKind::Classifier); });
        QVERIFY2(message.contains(mystery + ": holds a model of kind 'mystery', which this build does not know "
                                            "(known: classifier, aecnn, aecnn-head, aecnn_ca_network, training-state), expected a classifier"),
                 qPrintable(message));

        const QString none = dir.filePath("none.aecnn");
        writeWithKind(none, QString());
        message = errorOf([&] { readCheckpoint(none, CheckpointKind::SplitModel); });
        QVERIFY2(message.contains(none + ": has no model kind in its metadata, expected a split model"),
                 qPrintable(message));
        // The untyped reader still reads any kind (the container is kind-agnostic).
        QCOMPARE(readCheckpoint(none).tensors.size(), size_t(1));
    }

    // A derived file of the wrong kind is reported as the wrong kind, not as a missing base.
    void kindIsCheckedBeforeTheBase()
    {
        QTemporaryDir dir;
        const QString basePath = dir.filePath("base.aecnn");
        const auto base = tinyClassifier();
        saveClassifier(basePath, base);
        AecnnClassifier split = tinySplitModel();
        const QString splitPath = dir.filePath("derived.aecnn");
        saveAecnnClassifier(splitPath, split, basePath);
        QVERIFY(QFile::remove(basePath));
        QVERIFY(!errorOf([&] { loadAecnnClassifierFile(splitPath); }).isEmpty()); // the base is gone
        const QString message = errorOf([&] { loadClassifierFile(splitPath); });
        QVERIFY2(message.contains("expected a classifier") && !message.contains("base model"), qPrintable(message));
    }

    void aliasIsAcceptedOnReading()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("ca.ckpt");
        CaNetwork ca;
        ca.network = tinyClassifier();
        ca.split = 2;
        ca.importance.split = 2;
        ca.importance.channels = 2;
        ca.importance.importance = {0.25, 0.75};
        saveCaNetwork(path, ca);
        auto checkpoint = readCheckpoint(path, CheckpointKind::CaNetwork);
        checkpoint.metadata["kind"] = "aecnn-ca-network";
        writeCheckpoint(path, checkpoint);
        auto loaded = loadCaNetwork(path);
        QCOMPARE(loaded.split, 2);
        QCOMPARE(loaded.importance.importance, ca.importance.importance);
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({2, 1, 28, 28});
        QVERIFY(torch::equal(loaded.network.net->forward(x), ca.network.net->forward(x)));
    }

    // The models shipped in resources/models/ load unchanged through the typed loaders,
    // and saving what was loaded writes the same bytes (same kind strings, same layout).
    void shippedModelsLoadUnchanged()
    {
        torch::set_num_threads(1);
        const QString defaultPath = defaultModelPath();
        QVERIFY2(QFileInfo::exists(defaultPath), qPrintable(defaultPath));
        QVERIFY(readCheckpointKind(defaultPath) == CheckpointKind::Classifier);
        const auto classifier = loadClassifierFile(defaultPath);
        QVERIFY(loadInferenceModel("default").kind == CheckpointKind::Classifier);
        {
            QTemporaryDir dir;
            const QString again = dir.filePath("default.aecnn");
            saveClassifier(again, classifier);
            QFile original(defaultPath), written(again);
            QVERIFY(original.open(QIODevice::ReadOnly) && written.open(QIODevice::ReadOnly));
            QVERIFY2(original.readAll() == written.readAll(), "re-saving default.aecnn changed its bytes");
        }

        const QDir demo(demoSplitModelDir());
        const auto splitFiles = demo.entryList({"*.aecnn"}, QDir::Files, QDir::Name);
        QVERIFY2(splitFiles.size() >= 30, qPrintable(demo.path()));
        for (const auto& name : splitFiles) {
            const QString path = demo.filePath(name);
            QVERIFY2(readCheckpointKind(path) == CheckpointKind::SplitModel, qPrintable(name));
            const auto model = loadAecnnClassifierFile(path);
            QVERIFY2(name.startsWith("split" + QString::number(model.net->split()) + "-v" +
                                     QString::number(model.net->ratio()) + "-" +
                                     QString::fromStdString(toString(model.net->variant())) + "."),
                     qPrintable(name));
        }
        const QString one = demo.filePath("split1-v16-aecnn.aecnn");
        QVERIFY(loadInferenceModel(one.toStdString()).kind == CheckpointKind::SplitModel);

        const auto caFiles = demo.entryList({"ca-split*.ckpt"}, QDir::Files, QDir::Name);
        QCOMPARE(caFiles.size(), 2);
        for (const auto& name : caFiles) {
            const auto ca = loadCaNetwork(demo.filePath(name));
            QCOMPARE(name, caNetworkFileName(ca.split));
            QCOMPARE(ca.importance.split, ca.split);
        }

        // The compression-frontier model (resources/results/frontier.sh qat-pack): split 1, V = 64,
        // fine-tuned through the 3-bit quantizer with calibrated ranges, packed against default.aecnn.
        const QDir frontier(QFileInfo(defaultPath).dir().filePath("frontier"));
        const auto qat = loadAecnnClassifierFile(frontier.filePath("split1-v64-aecnn.aecnn"));
        QCOMPARE(qat.net->split(), 1);
        QCOMPARE(qat.net->ratio(), 64);
        QVERIFY(qat.net->variant() == SplitVariant::Aecnn);
        const auto record = qat.usage.provenance.value("qat").toObject();
        QCOMPARE(record.value("bits").toInt(), 3);
        QCOMPARE(record.value("ranges").toString(), QString("calibrated"));
        QCOMPARE(record.value("calibration_images").toInt(), 2000);
        // Session 9: the head trained in QAT with the ranges recalibrated, distilled from the
        // unsplit model; what it recorded through the quantizer is within 3 points of 92.20 %.
        QCOMPARE(record.value("head").toString(), QString("trained"));
        QCOMPARE(record.value("recalibrate_every").toInt(), 50);
        QVERIFY(record.value("quantized_test_accuracy").toDouble() >= 0.8920);
        QCOMPARE(record.value("quantized_test_count").toInt(), 10000);

        // The input-codec goal's models (frontier.sh qat-v4, qat-v8, qat-v16, qat-s2v16, qat-s2v64,
        // qat-s2v32, qat-s2v8, qat-s2v4): Table I models fine-tuned through the codec's quantizer at the
        // bits they are measured at, calibrated ranges; what they recorded through it on all test images
        // is within 1 point of 92.20 %.
        for (const auto& [split, ratio, bits] : {std::tuple{1, 4, 2}, std::tuple{1, 8, 4}, std::tuple{1, 16, 4},
                                                 std::tuple{2, 16, 2}, std::tuple{2, 64, 4}, std::tuple{2, 32, 2},
                                                 std::tuple{2, 8, 2}, std::tuple{2, 4, 2}}) {
            const auto model =
                loadAecnnClassifierFile(frontier.filePath(QString("split%1-v%2-aecnn.aecnn").arg(split).arg(ratio)));
            QCOMPARE(model.net->split(), split);
            QCOMPARE(model.net->ratio(), ratio);
            const auto qatRecord = model.usage.provenance.value("qat").toObject();
            QCOMPARE(qatRecord.value("bits").toInt(), bits);
            QCOMPARE(qatRecord.value("ranges").toString(), QString("calibrated"));
            QCOMPARE(qatRecord.value("calibration_images").toInt(), 2000);
            QVERIFY(qatRecord.value("quantized_test_accuracy").toDouble() >= 0.9120);
            QCOMPARE(qatRecord.value("quantized_test_count").toInt(), 10000);
        }
        // Session 13: split 2, V = 4 met the goal only with the head trained sparser (weight 2).
        const auto split2v4 = loadAecnnClassifierFile(frontier.filePath("split2-v4-aecnn.aecnn"));
        QCOMPARE(split2v4.usage.provenance.value("qat").toObject().value("sparsity_weight").toDouble(), 2.0);

        // Session 15 (frontier.sh qat-v64-8bit-long): split 1, V = 64 from the goal-1 model, 14 epochs
        // through the 8-bit quantizer, head trained, distilled; within 1 point of 92.20 % through it.
        const auto v64 = loadAecnnClassifierFile(frontier.filePath("split1-v64-8bit-aecnn.aecnn"));
        QCOMPARE(v64.net->split(), 1);
        QCOMPARE(v64.net->ratio(), 64);
        const auto v64Record = v64.usage.provenance.value("qat").toObject();
        QCOMPARE(v64Record.value("bits").toInt(), 8);
        QCOMPARE(v64Record.value("head").toString(), QString("trained"));
        QCOMPARE(v64Record.value("ranges").toString(), QString("calibrated"));
        QCOMPARE(v64Record.value("calibration_images").toInt(), 2000);
        QVERIFY(v64Record.value("quantized_test_accuracy").toDouble() >= 0.9120);
        QCOMPARE(v64Record.value("quantized_test_count").toInt(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestCheckpointKind)
#include "test_checkpoint_kind.moc"
