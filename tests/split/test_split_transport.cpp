#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include "../method/tiny_model.h"
#include "aecnn/split/split_model.h"
#include "aecnn/codec/quantizer.h"
#include "aecnn/datasets/synthetic.h"
#include "aecnn/error.h"
#include "aecnn/split/split_transport.h"
#include "aecnn/model/training.h"
#include "test_budget.h"

using namespace aecnn;

namespace {

// Split 1 of the tiny net: 8 x 14 x 14; V = 2 keeps 4 channels.
const std::vector<int64_t> kKept{1, 3, 4, 6};

AecnnModel tinySplitModel(SplitVariant variant, uint64_t seed = 21)
{
    auto net = testing::tinyNet(seed);
    AecnnModel model(variant, *net, 1, kKept, 2, 8);
    torch::NoGradGuard noGrad;
    if (model->recovery)
        model->recovery->bn3->weight.fill_(0.5); // make FR matter
    if (model->bottleneck)
        for (auto& p : model->bottleneck->parameters())
            p.uniform_(-0.5, 0.5);
    model->eval();
    return model;
}

TransportSettings settings(const std::string& coder, const std::string& representation, int bits = 8,
                           bool perChannel = true)
{
    TransportSettings s;
    s.coder = coder;
    s.representation = representation;
    s.bits = bits;
    s.perChannel = perChannel;
    return s;
}

// Device encode -> frames -> edge decode for each image of the batch.
torch::Tensor throughTransport(const SplitTransport& transport, const torch::Tensor& transmitted)
{
    std::vector<torch::Tensor> received;
    for (int64_t i = 0; i < transmitted.size(0); ++i) {
        const auto frame = transport.encode(transmitted[i]);
        received.push_back(transport.decode(frame.data(), frame.size()));
    }
    return torch::cat(received, 0);
}

bool throwsContaining(const std::function<void()>& f, const QString& text)
{
    try {
        f();
    } catch (const Error& e) {
        if (QString::fromUtf8(e.what()).contains(text))
            return true;
        qWarning("unexpected message: %s", e.what());
    }
    return false;
}

QJsonObject runEval(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(AECNN_CLI_PATH), QStringList{"eval", "--json", "--threads", "1"} + args);
    if (!p.waitForFinished(aecnn::test::budgetMs(240000))) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("%s", (p.readAllStandardOutput() + p.readAllStandardError()).constData());
        return {};
    }
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

} // namespace

class TestSplitTransport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void layoutFollowsTheModel()
    {
        auto aecnn = tinySplitModel(SplitVariant::Aecnn);
        const auto layout = transmittedLayout(*aecnn, 28, 28);
        QCOMPARE(layout.variant, std::string("aecnn"));
        QCOMPARE(layout.split, 1);
        QCOMPARE(layout.ratio, 2);
        QCOMPARE(layout.featureChannels, 8u);
        QCOMPARE(layout.channels, 4u);
        QCOMPARE(layout.height, 14u);
        QCOMPARE(layout.width, 14u);
        QCOMPARE(layout.kept, (std::vector<uint16_t>{1, 3, 4, 6}));
        QCOMPARE(layout.unsplitBytes(), uint64_t(8 * 14 * 14 * 4));
        auto bottleneck = tinySplitModel(SplitVariant::BottleNetPP);
        const auto code = transmittedLayout(*bottleneck, 28, 28);
        QCOMPARE(code.channels, 4u);
        QVERIFY(code.kept.empty());
    }

    void losslessRoundTripGivesIdenticalLogits_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<QString>("coder");
        QTest::addColumn<QString>("representation");
        for (auto v : {SplitVariant::Aecnn, SplitVariant::CaPruned, SplitVariant::BottleNetPP})
            for (const char* coder : {"store", "zstd", "zstd-entropy"})
                for (const char* repr : {"float32", "float32-shuffled"})
                    QTest::newRow((toString(v) + " " + coder + " " + repr).c_str())
                        << int(v) << QString(coder) << QString(repr);
    }
    void losslessRoundTripGivesIdenticalLogits()
    {
        QFETCH(int, variant);
        QFETCH(QString, coder);
        QFETCH(QString, representation);
        torch::NoGradGuard noGrad;
        auto model = tinySplitModel(SplitVariant(variant));
        const SplitTransport transport(transmittedLayout(*model, 28, 28),
                                       settings(coder.toStdString(), representation.toStdString()));
        torch::manual_seed(5);
        const auto x = torch::randn({3, 1, 28, 28});
        const auto transmitted = model->encode(x);
        const auto received = throughTransport(transport, transmitted);
        QVERIFY(torch::equal(received, transmitted));
        QVERIFY(torch::equal(model->decode(received), model->decode(transmitted)));
    }

    void quantizedPathEqualsInProcessQuantization_data()
    {
        QTest::addColumn<QString>("coder");
        QTest::addColumn<int>("bits");
        QTest::addColumn<bool>("perChannel");
        for (const char* coder : {"store", "zstd-entropy", "context"})
            for (int bits : {2, 4, 8})
                for (bool perChannel : {true, false})
                    QTest::newRow((std::string(coder) + " " + std::to_string(bits) + (perChannel ? " ch" : " t")).c_str())
                        << QString(coder) << bits << perChannel;
    }
    void quantizedPathEqualsInProcessQuantization()
    {
        QFETCH(QString, coder);
        QFETCH(int, bits);
        QFETCH(bool, perChannel);
        torch::NoGradGuard noGrad;
        auto model = tinySplitModel(SplitVariant::Aecnn);
        const SplitTransport transport(transmittedLayout(*model, 28, 28),
                                       settings(coder.toStdString(), "uint", bits, perChannel));
        torch::manual_seed(6);
        const auto transmitted = model->encode(torch::randn({4, 1, 28, 28}));
        const auto received = throughTransport(transport, transmitted);
        // Reference: quantize + dequantize in-process, no frame.
        std::vector<torch::Tensor> expected;
        for (int64_t i = 0; i < transmitted.size(0); ++i) {
            auto f = transport.toFeatureTensor(transmitted[i]);
            codec::fromSymbols(codec::toSymbols(f, codec::Representation::Uniform, bits, perChannel), f);
            expected.push_back(torch::from_blob(f.values.data(), {1, 4, 14, 14}, torch::kFloat32).clone());
        }
        const auto reference = torch::cat(expected, 0);
        QVERIFY(torch::equal(received, reference));
        QVERIFY(!torch::equal(received, transmitted)); // it is lossy
        QVERIFY(torch::equal(model->decode(received).argmax(1), model->decode(reference).argmax(1)));
    }

    void framesCarryTheKeptChannels()
    {
        torch::NoGradGuard noGrad;
        auto model = tinySplitModel(SplitVariant::Aecnn);
        const SplitTransport transport(transmittedLayout(*model, 28, 28), settings("context", "uint", 6));
        const auto frame = transport.encode(model->encode(torch::randn({1, 1, 28, 28})));
        codec::FrameSizes sizes;
        const auto features = transport.decodeFeatures(frame.data(), frame.size(), &sizes);
        QCOMPARE(features.keptChannels, (std::vector<uint16_t>{1, 3, 4, 6}));
        QCOMPARE(features.originalChannels, 8u);
        QCOMPARE(sizes.totalBytes, frame.size());

        // An edge running a model with other kept channels refuses the frame.
        auto net = testing::tinyNet(21);
        AecnnModel other(SplitVariant::Aecnn, *net, 1, std::vector<int64_t>{0, 3, 4, 6}, 2, 8);
        const SplitTransport otherEdge(transmittedLayout(*other, 28, 28), settings("context", "uint", 6));
        QVERIFY(throwsContaining([&] { otherEdge.decode(frame.data(), frame.size()); }, "kept channel"));
        // ... and so does one with another split (shape).
        AecnnModel split2(SplitVariant::Aecnn, *net, 2, std::vector<int64_t>{0, 2, 4, 6, 8, 10, 12, 14}, 2, 8);
        const SplitTransport split2Edge(transmittedLayout(*split2, 28, 28), settings("context", "uint", 6));
        QVERIFY(throwsContaining([&] { split2Edge.decode(frame.data(), frame.size()); }, "expects"));
    }

    void badInputIsAClearError()
    {
        torch::NoGradGuard noGrad;
        auto model = tinySplitModel(SplitVariant::Aecnn);
        const auto layout = transmittedLayout(*model, 28, 28);
        QVERIFY(throwsContaining([&] { SplitTransport(layout, settings("gzip", "uint")); }, "zstd-entropy"));
        QVERIFY(throwsContaining([&] { SplitTransport(layout, settings("context", "float32")); }, "uint"));
        QVERIFY(throwsContaining([&] { SplitTransport(layout, settings("zstd", "uint", 9)); }, "2..8"));
        QVERIFY(throwsContaining([&] { SplitTransport(layout, settings("zstd", "int8")); }, "float16"));
        const SplitTransport transport(layout, settings("zstd", "uint", 8));
        QVERIFY(throwsContaining([&] { transport.encode(torch::zeros({8, 14, 14})); }, "transmits 4x14x14"));
        auto frame = transport.encode(model->encode(torch::randn({1, 1, 28, 28})));
        frame[frame.size() / 2] ^= 0x10;
        QVERIFY(throwsContaining([&] { transport.decode(frame.data(), frame.size()); }, "CRC"));
        QVERIFY(throwsContaining([&] { transport.decode(frame.data(), 3); }, "frame"));
    }

    void evaluationMatchesTheUncodedModel()
    {
        auto model = tinySplitModel(SplitVariant::Aecnn);
        const auto data = datasets::makeSynthetic(120, 3);
        const SplitTransport lossless(transmittedLayout(*model, 28, 28), settings("zstd-entropy", "float32"));
        const auto coded = evaluateThroughTransport(*model, lossless, data.test, 7);
        const auto uncoded = evaluateClassifier(
            *model, [&](const torch::Tensor& x) { return model->forward(x); }, data.test, 256);
        QCOMPARE(coded.count, int64_t(uncoded.count));
        QCOMPARE(coded.correct, int64_t(uncoded.correct));
        QVERIFY(coded.meanFrameBytes() > 0.0);
        QCOMPARE(coded.compressionRatio(), double(8 * 14 * 14 * 4) / coded.meanFrameBytes());
        QVERIFY(coded.meanPayloadBytes() > 0.0 && coded.meanPayloadBytes() < coded.meanFrameBytes());
        QCOMPARE(coded.payloadCompressionRatio(), double(8 * 14 * 14 * 4) / coded.meanPayloadBytes());

        const SplitTransport quantized(transmittedLayout(*model, 28, 28), settings("context", "uint", 4));
        const auto q = evaluateThroughTransport(*model, quantized, data.test);
        QVERIFY(q.meanFrameBytes() < coded.meanFrameBytes() / 4);

        // Several transports in one pass give what each gives alone.
        const SplitTransport twoBits(transmittedLayout(*model, 28, 28), settings("zstd", "uint", 2, false));
        const auto all = evaluateThroughTransports(*model, {lossless, quantized, twoBits}, data.test, 9);
        QCOMPARE(all.size(), size_t(3));
        QCOMPARE(all[0].correct, coded.correct);
        QCOMPARE(all[0].totalFrameBytes, coded.totalFrameBytes);
        QCOMPARE(all[1].correct, q.correct);
        QCOMPARE(all[1].totalFrameBytes, q.totalFrameBytes);
        const auto alone = evaluateThroughTransport(*model, twoBits, data.test, 9);
        QCOMPARE(all[2].correct, alone.correct);
        QCOMPARE(all[2].totalFrameBytes, alone.totalFrameBytes);
    }

    void dictionaryIsStoredWithTheModel()
    {
        QTemporaryDir dir;
        auto model = tinySplitModel(SplitVariant::Aecnn);
        const auto data = datasets::makeSynthetic(400, 4);
        const auto layout = transmittedLayout(*model, 28, 28);
        const SplitTransport plain(layout, settings("zstd-entropy", "uint", 8));
        const auto dictionary = trainTransportDictionary(*model, plain, data.train.head(200), 2048);
        QVERIFY(dictionary.id() != 0);

        AecnnClassifier classifier;
        classifier.net = model;
        classifier.usage = {{"circle", "square", "triangle", "cross"}, Normalization::identity(1), 28, 28, {}};
        classifier.codecDictionary = dictionary;
        classifier.codecDictionaryInfo = QJsonObject{{"bits", 8}};
        const QString path = dir.filePath("with-dict.aecnn");
        saveAecnnClassifier(path, classifier);
        const auto loaded = loadAecnnClassifierFile(path);
        QCOMPARE(loaded.codecDictionary.bytes, dictionary.bytes);
        QCOMPARE(loaded.codecDictionaryInfo.value("bits").toInt(), 8);
        classifier.codecDictionary = {};
        saveAecnnClassifier(dir.filePath("none.aecnn"), classifier);
        QVERIFY(loadAecnnClassifierFile(dir.filePath("none.aecnn")).codecDictionary.bytes.empty());
        classifier.codecDictionary.bytes = {1, 2, 3, 4, 5, 6, 7, 8};
        QVERIFY(throwsContaining([&] { saveAecnnClassifier(dir.filePath("bad.aecnn"), classifier); }, "not a zstd"));

        // The dictionary makes the small frames smaller and decodes to the same tensors.
        auto withSettings = settings("zstd-entropy", "uint", 8);
        withSettings.dictionary = loaded.codecDictionary;
        const SplitTransport withDictionary(layout, withSettings);
        const auto a = evaluateThroughTransport(*model, plain, data.test);
        const auto b = evaluateThroughTransport(*model, withDictionary, data.test);
        QCOMPARE(b.correct, a.correct);
        QVERIFY2(b.totalFrameBytes < a.totalFrameBytes,
                 qPrintable(QString("%1 >= %2").arg(b.totalFrameBytes).arg(a.totalFrameBytes)));
        // An edge without (or with another) dictionary refuses such frames.
        torch::NoGradGuard noGrad;
        const auto frame = withDictionary.encode(model->encode(torch::randn({1, 1, 28, 28})));
        QVERIFY(throwsContaining([&] { plain.decode(frame.data(), frame.size()); }, "dictionary"));
        QVERIFY(throwsContaining([&] { SplitTransport(layout, [&] {
                                           auto s = withSettings;
                                           s.coder = "context";
                                           return s;
                                       }()); },
                                 "zstd coders"));
    }

    void evalCliRunsTheTransport()
    {
        QTemporaryDir dir;
        AecnnClassifier classifier;
        classifier.net = tinySplitModel(SplitVariant::Aecnn);
        classifier.usage = {{"circle", "square", "triangle", "cross"}, Normalization::identity(1), 28, 28, {}};
        const QString path = dir.filePath("tiny.aecnn");
        saveAecnnClassifier(path, classifier);
        const QStringList common{"--model", path, "--dataset", "synthetic:200"};
        const auto plain = runEval(common);
        const auto lossless = runEval(common + QStringList{"--codec", "store", "--repr", "float32"});
        QVERIFY(!plain.isEmpty() && !lossless.isEmpty());
        QCOMPARE(lossless.value("correct").toInt(), plain.value("correct").toInt());
        QCOMPARE(lossless.value("mean_frame_bytes").toDouble() > 4 * 14 * 14 * 4, true);
        QCOMPARE(lossless.value("transmitted_shape").toString(), QString("4x14x14"));
        const auto grid = runEval(common + QStringList{"--codec", "context,zstd-entropy", "--bits", "4,8"});
        const auto rows = grid.value("results").toArray();
        QCOMPARE(rows.size(), 4);
        QVERIFY(!grid.contains("mean_frame_bytes")); // several settings: per-setting fields only in "results"
        const auto context4 = rows[0].toObject();
        QCOMPARE(context4.value("codec").toString(), QString("context"));
        QCOMPARE(context4.value("bits").toInt(), 4);
        QVERIFY(context4.value("compression_ratio").toDouble() > 8.0);
        QVERIFY(context4.value("mean_payload_bytes").toDouble() < context4.value("mean_frame_bytes").toDouble());
        QVERIFY(context4.value("payload_compression_ratio").toDouble() > context4.value("compression_ratio").toDouble());
        QCOMPARE(rows[2].toObject().value("correct").toInt(), context4.value("correct").toInt()); // same symbols
        QVERIFY(rows[2].toObject().value("mean_frame_bytes").toDouble() != context4.value("mean_frame_bytes").toDouble());
        QCOMPARE(rows[3].toObject().value("bits").toInt(), 8);
        QVERIFY(runEval(QStringList{"--model", path, "--bits", "4"}).isEmpty()); // --bits without --codec
        const auto fitted = runEval(common + QStringList{"--codec", "context", "--bits", "3", "--range", "mse"});
        QCOMPARE(fitted.value("range").toString(), QString("mse"));
        QVERIFY(fitted.value("mean_frame_bytes").toDouble() > 0.0);
        QVERIFY(runEval(common + QStringList{"--codec", "context", "--range", "p99"}).isEmpty());

        // train-dict --model --out: a copy of the model with its dictionary, used by eval --codec zstd*.
        const QString copy = dir.filePath("copy.aecnn");
        QProcess train;
        train.start(QStringLiteral(AECNN_CLI_PATH), {"codec", "train-dict", "--model", path, "--dataset", "synthetic:200",
                                                     "--count", "100", "--dict-size", "2048", "--out", copy, "--json"});
        QVERIFY(train.waitForFinished(aecnn::test::budgetMs(240000)));
        QVERIFY2(train.exitCode() == 0, train.readAllStandardError().constData());
        const auto trained = QJsonDocument::fromJson(train.readAllStandardOutput()).object();
        QVERIFY(trained.value("dictionary_id").toInteger() > 0);
        const auto withDict = runEval({"--model", copy, "--dataset", "synthetic:200", "--codec", "zstd-entropy"});
        const auto noDict =
            runEval({"--model", copy, "--dataset", "synthetic:200", "--codec", "zstd-entropy", "--no-dict"});
        QCOMPARE(withDict.value("dictionary_id").toInteger(), trained.value("dictionary_id").toInteger());
        QCOMPARE(noDict.value("dictionary_id").toInteger(), qint64(0));
        QCOMPARE(withDict.value("correct").toInt(), noDict.value("correct").toInt());
        QVERIFY(withDict.value("mean_frame_bytes").toDouble() < noDict.value("mean_frame_bytes").toDouble());
    }
};

QTEST_GUILESS_MAIN(TestSplitTransport)
#include "test_split_transport.moc"
