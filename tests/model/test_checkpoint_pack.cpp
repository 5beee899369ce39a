// Packed checkpoints (checkpoint_pack.h): a model fine-tuned from a base stored as
// quantized differences to it reads back through readCheckpoint within the documented
// error bounds, pruned tensors are coded against the base after the same surgery, and a
// missing, changed or corrupt file is a clear error naming the file.
#include <QtTest>

#include <cmath>
#include <map>

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/model/checkpoint_pack.h"
#include "aecnn/model/classifier.h"
#include "aecnn/model/packed_tensor.h"

using namespace aecnn;

namespace {

Classifier tinyPackClassifier()
{
    torch::manual_seed(3);
    Classifier model;
    model.net = ResNet(ResNetConfig::resnet50(4, 1, 0.0625, StemKind::Small));
    model.usage = {{"a", "b", "c", "d"}, {{0.5f}, {0.25f}}, 28, 28, {{"note", "test"}}};
    model.net->eval();
    return model;
}

// The bound of int_delta computed here independently of packed_tensor.cpp: per output
// channel c, |decoded - value| <= max(max|value_c|, max|value_c - reference_c|) / (2 (2^(b-1) - 1)).
torch::Tensor intDeltaBound(const torch::Tensor& value, const torch::Tensor& reference, int bits)
{
    const auto v = value.reshape({value.size(0), -1});
    const auto d = v - reference.reshape({value.size(0), -1});
    const auto range = torch::maximum(std::get<0>(v.abs().max(1)), std::get<0>(d.abs().max(1)));
    const double levels = std::pow(2.0, bits - 1) - 1;
    // + float32 rounding of (value - reference) and of reference + step * q: a few ulp of the range
    return (range / levels / 2 + range * 1e-6 + 1e-12).unsqueeze(1).expand_as(v).reshape(value.sizes());
}

QByteArray fileBytes(const QString& path)
{
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

void writeBytes(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

// Base: a plain checkpoint; model: every tensor of the base changed a little (fine-tuning),
// under other names, one pruned to kept channels along dim 0 and one along dim 1, and one
// added module tensor without a counterpart.
struct PackFixture {
    Checkpoint base;
    Checkpoint model;
    std::vector<int64_t> kept{1, 3, 4, 6};
};

PackFixture packFixture()
{
    torch::manual_seed(11);
    PackFixture f;
    f.base.metadata = {{"kind", "test"}};
    f.base.tensors = {{"stem.weight", torch::randn({8, 1, 3, 3})},
                      {"next.weight", torch::randn({16, 8, 1, 1})},
                      {"block.weight", torch::randn({16, 16, 3, 3})},
                      {"bn.running_var", torch::rand({16}) * 3 + 0.01},
                      {"bn.num_batches_tracked", torch::tensor(int64_t(1234))}};
    const auto keptIndex = torch::tensor(f.kept, torch::kInt64);
    const auto nudge = [](const torch::Tensor& t) { return t + 0.01 * torch::randn_like(t); };
    f.model.metadata = {{"kind", "test-packed"}, {"feature_channels", 8}};
    QJsonArray kept;
    for (auto c : f.kept)
        kept.append(static_cast<qint64>(c));
    f.model.metadata["kept_channels"] = kept;
    f.model.tensors = {{"head.stem.weight", nudge(f.base.tensors[0].second.index_select(0, keptIndex))},
                       {"tail.next.weight", nudge(f.base.tensors[1].second.index_select(1, keptIndex))},
                       {"tail.block.weight", nudge(f.base.tensors[2].second)},
                       {"tail.bn.running_var", f.base.tensors[3].second * 1.01},
                       {"tail.bn.num_batches_tracked", torch::tensor(int64_t(99))},
                       {"recovery.weight", torch::randn({4, 4, 3, 3})}};
    return f;
}

} // namespace

class TestCheckpointPack : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void intDeltaMeetsItsBound_data()
    {
        QTest::addColumn<int>("bits");
        QTest::newRow("4") << 4;
        QTest::newRow("8") << 8;
        QTest::newRow("12") << 12;
        QTest::newRow("16") << 16;
    }

    void intDeltaMeetsItsBound()
    {
        QFETCH(int, bits);
        torch::manual_seed(bits);
        const auto reference = torch::randn({6, 5, 3, 3});
        // mostly small changes, one channel changed more than its own size, one unchanged
        auto value = reference + 0.02 * torch::randn_like(reference);
        value[2] = -3 * reference[2];
        value[4] = reference[4];
        const auto encoded = encodeTensor(value, reference, TensorEncoding::IntDelta, bits);
        QCOMPARE(encoded.payload.size(),
                 encodedPayloadBytes(TensorEncoding::IntDelta, bits, value.sizes().vec(), torch::kFloat32));
        const auto decoded = decodeTensor(TensorEncoding::IntDelta, encoded.bits, value.sizes().vec(), torch::kFloat32,
                                          encoded.payload, reference, "test");
        const auto error = (decoded - value).abs();
        QVERIFY2((error <= intDeltaBound(value, reference, bits)).all().item<bool>(),
                 qPrintable(QString("max error %1").arg(error.max().item<double>())));
        QVERIFY(torch::equal(decoded[4], reference[4])); // an unchanged channel stays exact
        // finer bits, smaller error: the error really follows the step (not always exact)
        if (bits == 4)
            QVERIFY(error.max().item<double>() > 1e-3);
    }

    void float16EncodingsMeetTheirBound()
    {
        torch::manual_seed(2);
        const auto reference = torch::rand({64}) * 10 + 1e-3;
        const auto value = reference * (1 + 0.05 * torch::randn({64}));
        const auto delta = encodeTensor(value, reference, TensorEncoding::Float16Delta);
        const auto decodedDelta = decodeTensor(TensorEncoding::Float16Delta, 0, {64}, torch::kFloat32, delta.payload,
                                               reference, "test");
        // |error| <= 2^-11 |value - reference| (+ float32 rounding of the sum)
        QVERIFY(((decodedDelta - value).abs() <= (value - reference).abs() / 2048 + value.abs() * 1e-6).all().item<bool>());
        const auto plain = encodeTensor(value, {}, TensorEncoding::Float16);
        const auto decoded = decodeTensor(TensorEncoding::Float16, 0, {64}, torch::kFloat32, plain.payload, {}, "test");
        QVERIFY(((decoded - value).abs() <= value.abs() / 2048).all().item<bool>());
    }

    void packedModelReadsBackThroughTheNormalLoader()
    {
        QTemporaryDir dir;
        auto f = packFixture();
        const QString basePath = dir.filePath("models/base.aecnn");
        writeCheckpoint(basePath, f.base);
        const QString path = dir.filePath("models/demo/packed.aecnn");
        const auto report = writePackedCheckpoint(path, f.model, basePath, {8, 19});

        // the references are the base tensors after the same surgery, found by value
        std::map<std::string, PackedTensorReport> byName;
        for (const auto& t : report.tensors)
            byName[t.name] = t;
        QCOMPARE(byName["head.stem.weight"].reference, std::string("stem.weight"));
        QCOMPARE(byName["head.stem.weight"].referenceDim, 0);
        QCOMPARE(byName["tail.next.weight"].reference, std::string("next.weight"));
        QCOMPARE(byName["tail.next.weight"].referenceDim, 1);
        QCOMPARE(byName["tail.block.weight"].encoding, std::string("int_delta"));
        QCOMPARE(byName["tail.bn.running_var"].encoding, std::string("float16_delta"));
        QCOMPARE(byName["recovery.weight"].encoding, std::string("float16"));
        QCOMPARE(byName["tail.bn.num_batches_tracked"].encoding, std::string("exact"));

        const auto loaded = readCheckpoint(path);
        QVERIFY(loaded.baseReferences.empty());
        QCOMPARE(loaded.metadata.value("kind").toString(), QString("test-packed"));
        QCOMPARE(loaded.tensors.size(), f.model.tensors.size());
        const auto keptIndex = torch::tensor(f.kept, torch::kInt64);
        const auto stemReference = f.base.tensors[0].second.index_select(0, keptIndex);
        const auto& stem = *loaded.find("head.stem.weight");
        QVERIFY((((stem - f.model.tensors[0].second).abs()) <=
                 intDeltaBound(f.model.tensors[0].second, stemReference, 8))
                    .all()
                    .item<bool>());
        const auto& var = *loaded.find("tail.bn.running_var");
        QVERIFY(((var - f.model.tensors[3].second).abs() <= f.model.tensors[3].second * 1e-4).all().item<bool>());
        QVERIFY(torch::equal(*loaded.find("tail.bn.num_batches_tracked"), f.model.tensors[4].second));
        QVERIFY(torch::allclose(*loaded.find("recovery.weight"), f.model.tensors[5].second, 1e-3, 1e-4));
        QCOMPARE(QFileInfo(path).size(), report.fileBytes);
        QVERIFY(report.maxRelativeError < 1.0 / 254 + 1e-6);
    }

    // What matters for accuracy: a packed fine-tuned classifier computes what the original does.
    void packedClassifierKeepsItsPredictions()
    {
        QTemporaryDir dir;
        auto base = tinyPackClassifier();
        const QString basePath = dir.filePath("base.aecnn");
        saveClassifier(basePath, base);
        auto tuned = tinyPackClassifier();
        {
            torch::NoGradGuard noGrad;
            for (auto& p : tuned.net->parameters())
                p.add_(0.02 * p.abs().mean() * torch::randn_like(p));
        }
        const QString tunedPath = dir.filePath("tuned.aecnn");
        saveClassifier(tunedPath, tuned);
        const QString packedPath = dir.filePath("packed.aecnn");
        writePackedCheckpoint(packedPath, readCheckpoint(tunedPath), basePath);
        QVERIFY2(QFileInfo(packedPath).size() * 4 < QFileInfo(tunedPath).size(),
                 qPrintable(QString("packed %1 bytes, plain %2").arg(QFileInfo(packedPath).size()).arg(QFileInfo(tunedPath).size())));

        auto packed = loadClassifierFile(packedPath);
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({64, 1, 28, 28});
        const auto expected = tuned.net->forward(x);
        const auto got = packed.net->forward(x);
        const double spread = (expected.max() - expected.min()).item<double>();
        QVERIFY2((got - expected).abs().max().item<double>() < 0.02 * spread,
                 qPrintable(QString("logit error %1 of spread %2").arg((got - expected).abs().max().item<double>()).arg(spread)));
        QVERIFY(got.argmax(1).eq(expected.argmax(1)).to(torch::kFloat32).mean().item<double>() >= 0.95);
        // and it is not simply the base model
        QVERIFY(!torch::allclose(base.net->forward(x), got, 1e-4, 1e-5));
    }

    void aChangedOrMissingBaseIsNamed()
    {
        QTemporaryDir dir;
        auto f = packFixture();
        const QString basePath = dir.filePath("base.aecnn");
        writeCheckpoint(basePath, f.base);
        const QString path = dir.filePath("packed.aecnn");
        writePackedCheckpoint(path, f.model, basePath);

        f.base.tensors[2].second += 1; // another base under the same name
        writeCheckpoint(basePath, f.base);
        try {
            readCheckpoint(path);
            QFAIL("a changed base was accepted");
        } catch (const Error& e) {
            const QString message = e.what();
            QVERIFY2(message.contains(path) && message.contains(basePath) && message.contains("SHA-256 differs"),
                     e.what());
        }
        QFile::remove(basePath);
        try {
            readCheckpoint(path);
            QFAIL("a missing base was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(path) && QString(e.what()).contains("base.aecnn"), e.what());
        }
    }

    void aCorruptPackedFileIsNamed_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("flipped-byte") << "flip";
        QTest::newRow("broken-zstd-with-valid-checksum") << "frame";
        QTest::newRow("truncated") << "truncate";
    }

    void aCorruptPackedFileIsNamed()
    {
        QFETCH(QString, kind);
        QTemporaryDir dir;
        auto f = packFixture();
        const QString basePath = dir.filePath("base.aecnn");
        writeCheckpoint(basePath, f.base);
        const QString path = dir.filePath("packed.aecnn");
        writePackedCheckpoint(path, f.model, basePath);
        QByteArray bytes = fileBytes(path);
        if (kind == "flip") {
            bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x10);
        } else if (kind == "frame") {
            bytes[24 + 4] = char(bytes[24 + 4] ^ 0xff); // the zstd frame header, then a valid trailer
            bytes.chop(32);
            bytes.append(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256));
        } else {
            bytes.chop(bytes.size() / 2);
        }
        writeBytes(path, bytes);
        try {
            readCheckpoint(path);
            QFAIL("a corrupt packed file was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains(path), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestCheckpointPack)
#include "test_checkpoint_pack.moc"
