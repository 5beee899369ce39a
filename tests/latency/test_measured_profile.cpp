#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/latency/latency_model.h"
#include "aecnn/latency/measured_profile.h"

using namespace aecnn;
using namespace aecnn::latency;

namespace {

// Round numbers, so that Eq. 1-4 can be worked out by hand (see eqOneToFour).
MeasuredDeviceProfile handProfile()
{
    MeasuredDeviceProfile p;
    p.name = "hand-device";
    p.hostname = "host";
    p.arch = "x86_64";
    p.cpu = "Test CPU";
    p.os = "Linux";
    p.threads = 2;
    p.model = "tiny";
    p.inputHeight = 28;
    p.inputWidth = 28;
    p.inputChannels = 1;
    p.date = "2026-11-27T00:00:00Z";
    p.command = "aecnn-agent --profile";
    p.repeats = 5;
    p.captureMs = 0.5;
    p.preprocessMs = 0.25;
    p.localMs = 40;
    // Split 1: C = 8 channels of 10x10. V = 1 head 10 ms, V = 2 head 6 ms, V = 4 head 4 ms.
    p.heads = {{1, 1, 8, 10, 10, 10.0}, {1, 2, 4, 10, 10, 6.0}, {1, 4, 2, 10, 10, 4.0}, {2, 1, 16, 5, 5, 20.0}};
    // zstd at 8 bits: V = 2 codes 400 elements at 2 bits/element in 1 ms.
    p.encoders = {{1, 2, "zstd", 8, 1.0, 2.0}, {1, 4, "zstd", 8, 0.5, 4.0}, {1, 2, "context", 4, 3.0, 1.0}};
    // Full offloading (version 2): native 28x28 JPEG of 600 B encoded in 0.5 ms; 640x480
    // resized in 2 ms, encoded in 8 ms, 25,000 B.
    p.jpeg = {{"native", 28, 28, 90, 0.0, 0.5, 600.0}, {"640x480", 640, 480, 90, 2.0, 8.0, 25000.0}};
    return p;
}

QJsonObject handJson()
{
    return toJson(handProfile());
}

QString errorOf(const QJsonObject& json)
{
    try {
        measuredProfileFromJson(json);
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestMeasuredProfile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("profile.json");
        writeMeasuredProfile(path, handProfile());
        const auto back = readMeasuredProfile(path);
        QCOMPARE(toJson(back), handJson());
        QCOMPARE(back.heads.size(), size_t(4));
        QCOMPARE(back.encoders[2].coder, std::string("context"));
        QCOMPARE(back.inputLabel(), std::string("28x28"));
        // Optional fields left at their defaults (repeats 0 = not stated, no encoders) round-trip too.
        auto bare = handProfile();
        bare.repeats = 0;
        bare.encoders.clear();
        QCOMPARE(toJson(measuredProfileFromJson(toJson(bare))), toJson(bare));
        // loadDeviceProfile() takes the same file and gives the latency model's view.
        const auto latency = loadDeviceProfile(path.toStdString());
        QCOMPARE(latency.name, std::string("hand-device"));
        QCOMPARE(latency.inputLabel(), std::string("28x28"));
        QVERIFY(QString::fromStdString(latency.source).contains("measured on the device"));
    }

    void malformed_data()
    {
        QTest::addColumn<QJsonObject>("json");
        QTest::addColumn<QString>("expected");
        auto without = [](const char* key) {
            auto j = handJson();
            j.remove(key);
            return j;
        };
        auto with = [](const char* key, const QJsonValue& v) {
            auto j = handJson();
            j[key] = v;
            return j;
        };
        auto headWith = [](int i, const char* key, const QJsonValue& v) {
            auto j = handJson();
            auto heads = j["heads"].toArray();
            auto h = heads[i].toObject();
            if (v.isUndefined())
                h.remove(key);
            else
                h[key] = v;
            heads[i] = h;
            j["heads"] = heads;
            return j;
        };
        auto jpegWith = [](int i, const char* key, const QJsonValue& v) {
            auto j = handJson();
            auto list = j["jpeg"].toArray();
            auto e = list[i].toObject();
            e[key] = v;
            list[i] = e;
            j["jpeg"] = list;
            return j;
        };
        auto encoderWith = [](int i, const char* key, const QJsonValue& v) {
            auto j = handJson();
            auto list = j["encoders"].toArray();
            auto e = list[i].toObject();
            e[key] = v;
            list[i] = e;
            j["encoders"] = list;
            return j;
        };
        QTest::newRow("no format") << without("format") << "has no \"format\"";
        QTest::newRow("newer version") << with("version", 3) << "version 3, this build reads up to version 2";
        QTest::newRow("jpeg not array") << with("jpeg", 5) << "needs an array 'jpeg'";
        QTest::newRow("jpeg no bytes") << jpegWith(1, "bytes", 0) << "jpeg[1] needs a positive number 'bytes'";
        QTest::newRow("jpeg quality") << jpegWith(0, "quality", 101) << "jpeg[0] needs an integer 'quality' in 1..100";
        QTest::newRow("jpeg repeated") << jpegWith(1, "size", "native") << "jpeg[1] repeats size native";
        QTest::newRow("no version") << without("version") << "has no 'version'";
        QTest::newRow("no name") << without("name") << "'name'";
        QTest::newRow("no device") << without("device") << "'device' is not a JSON object";
        QTest::newRow("no input") << without("input") << "'input' is not a JSON object";
        QTest::newRow("no capture") << without("capture_ms") << "has no 'capture_ms'";
        QTest::newRow("negative preprocess") << with("preprocess_ms", -1) << "non-negative number 'preprocess_ms'";
        QTest::newRow("no heads") << without("heads") << "non-empty array 'heads'";
        QTest::newRow("empty heads") << with("heads", QJsonArray()) << "non-empty array 'heads'";
        QTest::newRow("head not object") << with("heads", QJsonArray{1}) << "heads[0] is not a JSON object";
        QTest::newRow("head without time") << headWith(1, "head_ms", QJsonValue::Undefined) << "heads[1] has no 'head_ms'";
        QTest::newRow("head time text") << headWith(1, "head_ms", "fast") << "heads[1] needs a non-negative number";
        QTest::newRow("fractional split") << headWith(0, "split", 1.5) << "heads[0] needs an integer 'split'";
        QTest::newRow("duplicate head") << headWith(1, "ratio", 1) << "heads[1] repeats split 1 V=1";
        QTest::newRow("encoder of no head") << encoderWith(0, "ratio", 8) << "encoders[0] is for split 1 V=8";
        QTest::newRow("encoder no coder") << encoderWith(0, "coder", "") << "encoders[0] needs a non-empty string 'coder'";
        QTest::newRow("encoder bits") << encoderWith(0, "bits", 40) << "encoders[0] needs an integer 'bits' in 0..32";
    }

    void malformed()
    {
        QFETCH(QJsonObject, json);
        QFETCH(QString, expected);
        const QString message = errorOf(json);
        QVERIFY2(message.contains(expected), qPrintable("got: " + message));
        QVERIFY2(message.startsWith("device profile:"), qPrintable(message));
    }

    void unreadableFiles()
    {
        QTemporaryDir dir;
        QVERIFY_THROWS_EXCEPTION(Error, readMeasuredProfile(dir.filePath("missing.json")));
        QFile truncated(dir.filePath("cut.json"));
        QVERIFY(truncated.open(QIODevice::WriteOnly));
        truncated.write(QJsonDocument(handJson()).toJson().left(100)); // a partial file
        truncated.close();
        try {
            readMeasuredProfile(truncated.fileName());
            QFAIL("a partial profile was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("is not a JSON object"), e.what());
        }
        try {
            loadDeviceProfile(truncated.fileName().toStdString());
            QFAIL("a partial profile was accepted");
        } catch (const Error& e) {
            QVERIFY2(QString(e.what()).contains("cut.json"), e.what());
        }
    }

    // Eq. 1-4 from the hand-made profile, worked out by hand:
    // split 1, C = 8, 10x10, V = 2 keeps 4 channels = 400 elements.
    //   raw float32: S/V = 4 * 400 = 1600 B; at 1 Mbps 12.8 ms (Eq. 1, 2)
    //   zstd 8 bits: 2 bits/element -> 100 B = 0.8 ms, + t_enc 1 ms < 12.8 ms: coded
    //   t_iot = 6 ms (the V = 2 head), t_dec = t_es = 0 (not in a device profile)
    //   Eq. 4: 0.8 + 6 + 1 = 7.8 ms
    void eqOneToFour()
    {
        const auto p = toLatencyProfile(handProfile(), "zstd", 8);
        const auto& s = p.split(1);
        QCOMPARE(s.channels, 8);
        QCOMPARE(s.iotMs, 10.0);
        const auto v2 = predictAecnn(p, 1, 2, 1.0);
        QVERIFY(v2.entropyCoded);
        QCOMPARE(v2.bytes, 100.0);
        QCOMPARE(v2.comMs, 0.8);
        QCOMPARE(v2.iotMs, 6.0);
        QCOMPARE(v2.encMs, 1.0);
        QCOMPARE(v2.totalMs(), 7.8);
        // V = 4: 200 elements at 4 bits = 100 B = 0.8 ms, t_iot 4, t_enc 0.5: 5.3 ms.
        QCOMPARE(predictAecnn(p, 1, 4, 1.0).totalMs(), 5.3);
        // V = 1 (uncompressed): 3200 B = 25.6 ms + 10 ms.
        QCOMPARE(predictAecnn(p, 1, 1, 1.0).totalMs(), 35.6);
        // The context coder at 4 bits: only V = 2 measured, 1 bit/element = 50 B = 0.4 ms + 6 + 3.
        const auto context = toLatencyProfile(handProfile(), "context", 4);
        QCOMPARE(predictAecnn(context, 1, 2, 1.0).totalMs(), 9.4);
        // V = 4 has no context measurement: raw float32, 800 B = 6.4 ms + 4 ms.
        QCOMPARE(predictAecnn(context, 1, 4, 1.0).totalMs(), 10.4);
        QCOMPARE(predictLocal(p).totalMs(), 40.0);
        // With edge-side times (t_es 3 ms at split 1, t_dec 0.5 ms at V = 2) from another profile.
        DeviceProfile edge;
        edge.name = "edge-measured";
        SplitTiming es;
        es.split = 1;
        es.channels = 8;
        es.height = es.width = 10;
        es.edgeMs = 3;
        es.ratios = {{2, 90.0, 32.0, 0.0, 0.5}};
        edge.splits = {es};
        const auto both = toLatencyProfile(handProfile(), "zstd", 8, &edge);
        QCOMPARE(predictAecnn(both, 1, 2, 1.0).totalMs(), 7.8 + 3.0 + 0.5);
        QVERIFY(QString::fromStdString(both.source).contains("edge-measured"));
    }

    // What the live view says next to its bars (the studio shows this text and tooltip).
    void predictionLabels()
    {
        const auto pi4 = raspberryPi4Profile();
        // The Pi 4 table (224x224) next to a local 28x28 measurement: said on screen.
        const QString fallback = QString::fromStdString(predictionSourceLabel(pi4, false, 28, 28));
        QVERIFY2(fallback.contains("Pi 4 table (pi4) (224x224)") && fallback.contains("NOT comparable") &&
                     fallback.contains("measured here: 28x28 input on another device"),
                 qPrintable(fallback));
        // Even at 224x224 the Pi 4 table is another device.
        QVERIFY(!predictionMismatch(pi4, false, 224, 224).empty());
        // The connected device's own profile at the model's input size: nothing to warn about.
        const auto own = toLatencyProfile(handProfile());
        QVERIFY(predictionMismatch(own, true, 28, 28).empty());
        QCOMPARE(QString::fromStdString(predictionSourceLabel(own, true, 28, 28)),
                 QString("latency model, device profile 'hand-device' (28x28)"));
        // The device's profile, but measured for another input size than the deployed model's.
        const QString other = QString::fromStdString(predictionSourceLabel(own, true, 32, 32));
        QVERIFY2(other.contains("NOT comparable") && other.contains("at 28x28, but measured here: 32x32 input") &&
                     !other.contains("another device"),
                 qPrintable(other));
        // Input size not known yet (no frame): say so rather than claim a match.
        QVERIFY(QString::fromStdString(predictionMismatch(own, true, 0, 0)).contains("not known yet"));
    }

    // A version-1 profile (before full offloading was measured) still reads: no JPEG entries,
    // so full offloading falls back to the paper's formula and Fig. 5's default images.
    void versionOneStillParses()
    {
        auto json = handJson();
        json["version"] = 1;
        json.remove("jpeg");
        const auto v1 = measuredProfileFromJson(json);
        QVERIFY(v1.jpeg.empty());
        QCOMPARE(v1.heads.size(), size_t(4));
        const auto p = toLatencyProfile(v1);
        QVERIFY(p.fullOffloading.empty());
        QCOMPARE(fig5ImagesFor(p).size(), defaultFig5Images().size());
        QCOMPARE(predictFullOffloading(p, ImageSize{640, 480, 25000.0}, 1.0).totalMs(), 200.0);
    }

    // Full offloading from the hand-made profile, Eq. 1-4 worked out by hand. Edge side
    // (another profile): JPEG decode 1 ms, whole model 5 ms.
    //   640x480 at 1 Mbps: t_com = 25,000 B * 8 / 1000 = 200 ms (Eq. 2)
    //     t_iot = capture 0.5 + resize 2 = 2.5, t_enc = JPEG 8, t_dec = 1, t_es = 5 (Eq. 3: 16.5)
    //     Eq. 4: 216.5 ms
    //   native 28x28 at 10 Mbps: t_com = 600 * 8 / 10,000 = 0.48; 0.5 + 0 + 0.5 + 1 + 5 = 7; 7.48 ms
    void fullOffloadingEqOneToFour()
    {
        DeviceProfile edge;
        edge.name = "edge-measured";
        edge.edgeFullMs = 5.0;
        edge.imageDecodeMs = 1.0;
        SplitTiming es;
        es.split = 1;
        es.channels = 8;
        es.height = es.width = 10;
        edge.splits = {es};
        const auto p = toLatencyProfile(handProfile(), "zstd", 8, &edge);
        QCOMPARE(p.captureMs, 0.5);
        QCOMPARE(p.fullOffloading.size(), size_t(2));
        const FullOffloadTiming* vga = p.fullOffloadAt(640, 480);
        QVERIFY(vga != nullptr);
        const auto full = predictFullOffloading(p, *vga, 1.0);
        QCOMPARE(full.bytes, 25000.0);
        QCOMPARE(full.comMs, 200.0);
        QCOMPARE(full.iotMs, 2.5);
        QCOMPARE(full.encMs, 8.0);
        QCOMPARE(full.decMs, 1.0);
        QCOMPARE(full.edgeMs, 5.0);
        QCOMPARE(full.cmpMs(), 16.5);
        QCOMPARE(full.totalMs(), 216.5);
        QCOMPARE(predictFullOffloading(p, *p.fullOffloadAt(28, 28), 10.0).totalMs(), 7.48);
        // By the stream's settings (resolution, jpeg_quality), as `aecnn edge` and the studio look it up.
        QCOMPARE(p.fullOffloadFor("640X480", 90), vga);
        QCOMPARE(p.fullOffloadFor("native", 90), p.fullOffloadAt(28, 28));
        QVERIFY(p.fullOffloadFor("native", 75) == nullptr);
        QVERIFY(p.fullOffloadFor("1920x1080", 90) == nullptr);
        // Fig. 5 of a measured profile: its capture sizes with their measured bytes.
        const auto images = fig5ImagesFor(p);
        QCOMPARE(images.size(), size_t(2));
        QCOMPARE(images[1].label(), std::string("640x480"));
        QCOMPARE(images[1].bytes, 25000.0);
        const auto curves = fig5Curves(p, 1, {1.0, 10.0}, images);
        QCOMPARE(curves.fullMs[1][0], 216.5);
        QCOMPARE(curves.fullMs[0][1], 7.48);
        // An image the profile did not measure: the paper's formula (no device-side terms).
        QCOMPARE(predictFullOffloading(p, ImageSize{1920, 1080, 200000.0}, 1.0).totalMs(), 1600.0 + 1.0 + 5.0);
        // Crossover with AECNN split 1, V = 2 (zstd 8 bits: 100 B, 6 + 1 ms on the device, no edge
        // t_es/t_dec for split 1 in this edge profile): AECNN line 100 B + 7 ms, full offloading at
        // 640x480 25,000 B + 16.5 ms -> AECNN is faster at every rate.
        QCOMPARE(crossoverRate(p, 1, 2, images[1]).kind, Crossover::Kind::Always);
        // Native 28x28: 600 B + 7 ms vs AECNN's 100 B + 7 ms (coded) -> AECNN sends less at the same
        // fixed time: faster at every rate as well; with the uncoded V = 1 (3200 B + 10 ms) never.
        QCOMPARE(crossoverRate(p, 1, 1, images[0]).kind, Crossover::Kind::Never);
        // The latency JSON keeps the full-offloading terms.
        const auto back = deviceProfileFromJson(toJson(p));
        QCOMPARE(back.captureMs, 0.5);
        QCOMPARE(predictFullOffloading(back, *back.fullOffloadAt(640, 480), 1.0).totalMs(), 216.5);
    }

    void latencyProfileJsonKeepsPerRatioHeadTimes()
    {
        const auto p = toLatencyProfile(handProfile(), "zstd", 8);
        const auto back = deviceProfileFromJson(toJson(p));
        QCOMPARE(back.inputHeight, 28);
        QCOMPARE(predictAecnn(back, 1, 2, 1.0).totalMs(), 7.8);
        QCOMPARE(raspberryPi4Profile().inputLabel(), std::string("224x224"));
    }
};

QTEST_GUILESS_MAIN(TestMeasuredProfile)
#include "test_measured_profile.moc"
