// Reading what Python's torch.save writes and writing what torch.load reads.
//
// The fixtures in fixtures/torchvision were written by Debian 12's python3-torch 1.13
// and torchvision 0.14 (make_torchvision_fixtures.py); each good one comes with the
// logits torchvision computed for input.npy. Tolerance: max abs diff <= 1e-4 (the logits
// are O(1). With Debian's LibTorch and python3-torch, the same 1.13 build, the difference
// is 0 here; the fp16 fixture's logits differ from its fp32 source model's by 9e-4, so
// the check tells such differences apart).
#include <QtTest>

#include <functional>

#include <QFile>
#include <QTemporaryDir>

#include <torch/torch.h>

#include "aecnn/codec/npy_io.h"
#include "aecnn/error.h"
#include "aecnn/model/classifier.h"
#include "aecnn/model/torch_file.h"
#include "aecnn/model/torch_pickle.h"
#include "aecnn/model/torchvision_io.h"

using namespace aecnn;

namespace {

constexpr double kLogitTolerance = 1e-4;

QString fixture(const QString& name)
{
    return QStringLiteral(AECNN_TORCHVISION_FIXTURES "/") + name;
}

torch::Tensor npyTensor(const QString& name)
{
    const auto array = codec::readNpy(fixture(name).toStdString());
    std::vector<int64_t> shape(array.shape.begin(), array.shape.end());
    return torch::tensor(array.values).reshape(shape);
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

std::string errorOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestTorchvisionIo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }

    void goodFilesGivePythonsLogits_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("logits");
        QTest::addColumn<int>("layer3Depth");
        QTest::newRow("zip OrderedDict with _metadata") << "r50_zip.pth" << "r50_logits.npy" << 6;
        QTest::newRow("legacy format") << "r50_legacy.pth" << "r50_logits.npy" << 6;
        QTest::newRow("plain dict") << "mini_plain_dict.pth" << "mini_logits.npy" << 1;
        QTest::newRow("{'state_dict': ...}") << "mini_wrapped_state_dict.pth" << "mini_logits.npy" << 1;
        QTest::newRow("{'model': ...}, legacy") << "mini_wrapped_model.pth" << "mini_logits.npy" << 1;
        QTest::newRow("DataParallel module. prefix") << "mini_dataparallel.pth" << "mini_logits.npy" << 1;
        QTest::newRow("fp16") << "mini_fp16.pth" << "mini_fp16_logits.npy" << 1;
    }

    void goodFilesGivePythonsLogits()
    {
        QFETCH(QString, file);
        QFETCH(QString, logits);
        QFETCH(int, layer3Depth);
        auto model = importTorchvision(fixture(file));
        const auto& config = model.net->config();
        QCOMPARE(config.numClasses, 10);
        QCOMPARE(config.stemChannels, 4);
        QVERIFY((config.stagePlanes == std::array<int, 4>{2, 4, 8, 16}));
        QCOMPARE(config.stageDepths[2], layer3Depth);
        QVERIFY(config.stem == StemKind::ImageNet);
        for (const auto& [name, tensor] : stateOf(*model.net))
            QVERIFY2(tensor.scalar_type() == (name.find("num_batches_tracked") != std::string::npos ? torch::kLong
                                                                                                    : torch::kFloat),
                     name.c_str());

        torch::NoGradGuard noGrad;
        const auto got = model.net->forward(npyTensor("input.npy"));
        const auto expected = npyTensor(logits);
        QCOMPARE(got.sizes(), expected.sizes());
        const double diff = (got - expected).abs().max().item<double>();
        QVERIFY2(diff <= kLogitTolerance, qPrintable(QString("max abs diff %1").arg(diff)));
        // The logits are not trivially equal for any weights: the fixture's classes differ.
        QVERIFY(expected.max().item<double>() - expected.min().item<double>() > 0.5);
    }

    void numBatchesTrackedIsRead()
    {
        const auto state = readTorchvisionStateDict(fixture("r50_zip.pth"));
        bool found = false;
        for (const auto& [name, tensor] : state)
            if (name == "bn1.num_batches_tracked") {
                found = true;
                QCOMPARE(tensor.scalar_type(), torch::kLong);
                QCOMPARE(tensor.dim(), 0);
                QCOMPARE(tensor.item<int64_t>(), int64_t(7));
            }
        QVERIFY(found);
        QCOMPARE(state.front().first, std::string("conv1.weight")); // Python's order is kept
    }

    void dtypesViewsAndSharedStorages()
    {
        const auto save = torchfile::readTorchSave(fixture("dtypes_and_views.pth"));
        QVERIFY(save.root->kind == torchfile::PickleValue::Kind::Dict);
        const auto& baseRef = save.root->entries.at(0).second->tensor;
        const auto& viewRef = save.root->entries.at(1).second->tensor;
        QCOMPARE(viewRef.storage.key, baseRef.storage.key); // one storage, two tensors
        QCOMPARE(viewRef.offset, int64_t(1));
        QVERIFY((viewRef.strides == std::vector<int64_t>{4, 1}));

        const auto state = readTorchvisionStateDict(fixture("dtypes_and_views.pth"));
        std::vector<std::string> names;
        for (const auto& item : state)
            names.push_back(item.first);
        QVERIFY((names == std::vector<std::string>{"base", "view", "transposed", "bf16", "f64", "i32", "flag", "empty"}));
        const auto base = torch::arange(12, torch::kFloat).reshape({3, 4});
        QVERIFY(torch::equal(state[0].second, base));
        QVERIFY(torch::equal(state[1].second, base.slice(1, 1, 3)));
        QVERIFY(torch::equal(state[2].second, base.t()));
        QVERIFY(torch::equal(state[3].second, torch::tensor({1.5f, -2.25f}))); // bf16 -> float32
        QCOMPARE(state[4].second.scalar_type(), torch::kFloat);                  // fp64 -> float32
        QCOMPARE(state[4].second.item<float>(), 0.1f);
        QVERIFY(torch::equal(state[5].second, torch::tensor({-7, 9}, torch::kInt))); // integers keep their type
        QVERIFY(torch::equal(state[6].second, torch::tensor({true, false})));
        QCOMPARE(state[7].second.sizes(), (std::vector<int64_t>{0, 3}));
    }

    void badFilesNameTheProblem_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QStringList>("mentions");
        QTest::newRow("whole model") << "bad_whole_model.pth"
                                     << QStringList{"pickled whole model", "torchvision.models.resnet.ResNet",
                                                    "torch.save(model.state_dict(), path)"};
        QTest::newRow("ResNet-18") << "bad_resnet18.pth"
                                   << QStringList{"ResNet-18/34", "'layer1.0.conv3.weight'", "Bottleneck"};
        QTest::newRow("not a ResNet") << "bad_not_resnet.pth" << QStringList{"no 'conv1.weight'", "'0.weight'"};
        QTest::newRow("TorchScript") << "bad_torchscript.pt" << QStringList{"TorchScript", "torch.jit.save",
                                                                            "torch.save(model.state_dict(), path)"};
        QTest::newRow("a list") << "bad_list.pth" << QStringList{"holds a list", "model.state_dict()"};
        QTest::newRow("missing key") << "bad_missing_key.pth"
                                     << QStringList{"'layer2.0.bn2.running_var'", "expected shape [4]", "missing",
                                                    "strict=True"};
        QTest::newRow("extra key") << "bad_extra_key.pth"
                                   << QStringList{"unexpected tensor 'layer4.0.se.weight'", "shape [3]", "strict=True"};
        QTest::newRow("shape mismatch") << "bad_shape_mismatch.pth"
                                        << QStringList{"'layer3.0.conv2.weight'", "shape [8, 8, 1, 1]",
                                                       "expects [8, 8, 3, 3]"};
        QTest::newRow("truncated zip") << "bad_truncated_zip.pth" << QStringList{"truncated or damaged"};
        QTest::newRow("truncated legacy") << "bad_truncated_legacy.pth" << QStringList{"truncated"};
        QTest::newRow("not a pickle") << "bad_not_a_pickle.pth"
                                      << QStringList{"not a file written by torch.save", "model.state_dict()"};
        QTest::newRow("missing file") << "no_such_file.pth" << QStringList{"cannot open"};
    }

    void badFilesNameTheProblem()
    {
        QFETCH(QString, file);
        QFETCH(QStringList, mentions);
        const QString message = QString::fromStdString(errorOf([&] { importTorchvision(fixture(file)); }));
        QVERIFY2(!message.isEmpty(), "no error");
        QVERIFY2(message.contains(file), qPrintable(message)); // names the file
        for (const auto& m : mentions)
            QVERIFY2(message.contains(m), qPrintable("'" + m + "' not in: " + message));
    }

    void everyCutOfAFileIsAnErrorNotACrash_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("zip") << "mini_fp16.pth";
        QTest::newRow("legacy") << "mini_wrapped_model.pth";
    }

    void everyCutOfAFileIsAnErrorNotACrash()
    {
        QFETCH(QString, file);
        const QByteArray whole = readAll(fixture(file));
        QVERIFY(!whole.isEmpty());
        QVERIFY(torchfile::parseTorchSave(whole, "whole").root != nullptr);
        for (qsizetype cut = 0; cut < whole.size(); cut += 97) {
            const auto message = errorOf([&] { torchfile::parseTorchSave(whole.left(cut), "cut"); });
            QVERIFY2(message.rfind("cut", 0) == 0, qPrintable(QString("cut at %1: '%2'").arg(cut).arg(message.c_str())));
        }
    }

    void exportThenImportGivesIdenticalTensors()
    {
        auto model = importTorchvision(fixture("r50_zip.pth"));
        QTemporaryDir dir;
        const QString path = dir.filePath("out.pth");
        exportTorchvision(model.net, path);
        const auto reread = readTorchvisionStateDict(path);
        const auto original = readTorchvisionStateDict(fixture("r50_zip.pth"));
        QCOMPARE(reread.size(), original.size());
        for (size_t i = 0; i < original.size(); ++i) {
            QCOMPARE(reread[i].first, original[i].first); // torchvision's key order
            QVERIFY2(reread[i].second.scalar_type() == original[i].second.scalar_type(), original[i].first.c_str());
            QVERIFY2(torch::equal(reread[i].second, original[i].second), original[i].first.c_str());
        }
        auto again = importTorchvision(path);
        torch::NoGradGuard noGrad;
        const auto x = npyTensor("input.npy");
        QVERIFY(torch::equal(model.net->forward(x), again.net->forward(x)));
    }

    void exportOfATrainedModelRoundTrips()
    {
        // Our own network (small stem, 1 input channel, BN statistics moved by training).
        torch::manual_seed(3);
        ResNet net(ResNetConfig::resnet50(5, 1, 0.0625, StemKind::Small));
        net->train();
        {
            torch::NoGradGuard noGrad;
            net->forward(torch::randn({4, 1, 32, 32}));
        }
        net->eval();
        QTemporaryDir dir;
        const QString path = dir.filePath("ours.pth");
        exportTorchvision(net, path);
        const auto imported = importTorchvision(path);
        QVERIFY(imported.net->config() == net->config());
        const auto before = stateOf(*net);
        const auto after = stateOf(*imported.net);
        QCOMPARE(after.size(), before.size());
        for (size_t i = 0; i < before.size(); ++i)
            QVERIFY2(torch::equal(before[i].second, after[i].second), before[i].first.c_str());
        QVERIFY(!isTorchvisionResNet50(net->config()));
        QVERIFY(isTorchvisionResNet50(ResNetConfig::resnet50(1000)));
    }

    void pickleRoundTrip()
    {
        // The writer's pickle read back by the reader: an OrderedDict of tensor references.
        torchfile::TensorRef a{{"0", "FloatStorage", 6}, 0, {2, 3}, {3, 1}};
        torchfile::TensorRef b{{"1", "LongStorage", 1}, 0, {}, {}};
        torchfile::TensorRef c{{"2", "HalfStorage", 70000}, 5, {70000 - 5}, {1}};
        const auto bytes = torchfile::pickleTensorDict({{"w", a}, {"n", b}, {"big", c}});
        std::map<std::string, torchfile::StorageRef> storages;
        size_t offset = 0;
        const auto root = torchfile::unpickle(bytes, offset, "test", &storages);
        QCOMPARE(offset, size_t(bytes.size()));
        QVERIFY(root->kind == torchfile::PickleValue::Kind::Dict);
        QCOMPARE(root->entries.size(), size_t(3));
        QCOMPARE(root->entries[0].first->text, std::string("w"));
        const auto& ta = root->entries[0].second->tensor;
        QVERIFY(ta.sizes == a.sizes && ta.strides == a.strides && ta.storage.type == "FloatStorage");
        QVERIFY(root->entries[1].second->tensor.sizes.empty());
        const auto& tc = root->entries[2].second->tensor;
        QCOMPARE(tc.offset, int64_t(5));
        QCOMPARE(tc.storage.numel, int64_t(70000));
        QCOMPARE(storages.size(), size_t(3));
        QCOMPARE(storages.at("2").type, std::string("HalfStorage"));
    }

    void unsupportedOpcodeIsNamed()
    {
        const std::string bytes("\x80\x02\x96.", 4); // BYTEARRAY8 is not used by torch.save
        size_t offset = 0;
        const auto message = errorOf([&] { torchfile::unpickle(bytes, offset, "f.pth"); });
        QVERIFY2(message.find("f.pth") == 0 && message.find("opcode 0x96") != std::string::npos, message.c_str());
    }

    void deeplyNestedPickleIsFreedWithoutRecursion()
    {
        const int depth = 1000000;
        std::string bytes("\x80\x02");
        bytes.append(size_t(depth), ']');
        bytes.append(size_t(depth - 1), 'a');
        bytes.push_back('.');
        size_t offset = 0;
        auto root = torchfile::unpickle(bytes, offset, "deep");
        QCOMPARE(root->items.size(), size_t(1));
        root.reset(); // would overflow the stack if freed recursively
        QCOMPARE(offset, bytes.size());
    }

    void implausibleShapesAreRefusedBeforeBuildingTheNetwork()
    {
        // Bottleneck widths of 4096 from 1x1 convs of a small file: the network they
        // describe would need hundreds of GB; the import must refuse it, not allocate it.
        NamedTensors state{{"conv1.weight", torch::zeros({4, 3, 7, 7})}, {"fc.weight", torch::zeros({10, 16})}};
        for (int i = 1; i <= 4; ++i)
            state.emplace_back("layer" + std::to_string(i) + ".0.conv1.weight", torch::zeros({4096, 4, 1, 1}));
        state.emplace_back("layer1.0.conv3.weight", torch::zeros({16, 4096, 1, 1}));
        QTemporaryDir dir;
        const QString path = dir.filePath("huge.pth");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(torchfile::serializeTorchStateDict(state));
        f.close();
        const auto message = errorOf([&] { importTorchvision(path); });
        QVERIFY2(message.find("huge.pth") != std::string::npos && message.find("weights, but the file holds only") !=
                                                                      std::string::npos,
                 message.c_str());
    }

    void viewOutsideItsStorageIsRefused()
    {
        torchfile::TorchSave save;
        save.source = "file v.pth";
        save.storages["0"] = torch::zeros({6});
        torchfile::TensorRef inside{{"0", "FloatStorage", 6}, 2, {2, 2}, {2, 1}};
        QCOMPARE(save.tensor(inside).sizes(), (std::vector<int64_t>{2, 2}));
        torchfile::TensorRef outside{{"0", "FloatStorage", 6}, 3, {2, 2}, {2, 1}};
        QVERIFY(errorOf([&] { save.tensor(outside); }).find("lies outside") != std::string::npos);
        torchfile::TensorRef expanded{{"0", "FloatStorage", 6}, 0, {int64_t(1) << 40}, {0}}; // would allocate 4 TB
        QVERIFY(errorOf([&] { save.tensor(expanded); }).find("invalid size") != std::string::npos);
        torchfile::TensorRef overflow{{"0", "FloatStorage", 6}, 0, {3, int64_t(1) << 62}, {int64_t(1) << 62, 0}};
        QVERIFY(errorOf([&] { save.tensor(overflow); }).find("file v.pth") == 0);
    }
};

QTEST_GUILESS_MAIN(TestTorchvisionIo)
#include "test_torchvision_io.moc"
