#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "../method/tiny_model.h"
#include "aecnn/error.h"
#include "aecnn/latency/latency_model.h"
#include "aecnn/latency/measured_profile.h"
#include "aecnn/model/classifier.h"
#include "test_budget.h"

using namespace aecnn;

// `aecnn-agent --profile` on a tiny model: every requested entry is there with a
// positive time (structure, not speed), the file reads back through the latency room,
// and the agent sends a profile given with --profile-file (or says it has none).
class TestAgentProfile : public QObject {
    Q_OBJECT

    struct Result {
        int exitCode = -1;
        QByteArray out, err;
    };

    Result runAgent(const QStringList& args, int timeoutMs = 60000)
    {
        QProcess p;
        p.start(AECNN_AGENT_PATH, args);
        if (!p.waitForFinished(aecnn::test::budgetMs(timeoutMs))) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                p.readAllStandardError()};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        Classifier c;
        c.net = testing::tinyNet(3);
        c.usage = {{"circle", "square", "triangle", "cross"}, {{0.15f}, {0.25f}}, 28, 28, {}};
        model_ = dir_.filePath("tiny.pt");
        saveClassifier(model_, c);
    }

    void profileHasEveryRequestedEntry()
    {
        const QString out = dir_.filePath("profile.json");
        // Split 1: 8 channels (V = 1, 2, 4, 8 all divide); split 4: 32 channels.
        const auto r = runAgent({"--profile", "--json", "--model", model_, "--dataset", "synthetic:8", "--out", out,
                                 "--profile-splits", "1,4", "--profile-ratios", "1,2,4", "--profile-coders",
                                 "zstd,context", "--profile-bits", "8,4", "--repeats", "3", "--profile-name", "tiny-test",
                                 "--profile-jpeg-sizes", "native,64x48", "--profile-jpeg-quality", "75"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto json = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(json.value("written_to").toString(), out);
        const auto profile = latency::readMeasuredProfile(out);
        QCOMPARE(profile.name, std::string("tiny-test"));
        QCOMPARE(profile.inputHeight, 28);
        QCOMPARE(profile.inputChannels, 1);
        QCOMPARE(profile.repeats, 3);
        QVERIFY(!profile.arch.empty() && profile.threads == 1);
        QVERIFY(QString::fromStdString(profile.command).contains("--profile"));
        QVERIFY(profile.captureMs > 0 && profile.preprocessMs > 0 && profile.localMs > 0);
        QCOMPARE(profile.heads.size(), size_t(2 * 3));
        QCOMPARE(profile.encoders.size(), size_t(2 * 3 * 2 * 2));
        for (int split : {1, 4})
            for (int ratio : {1, 2, 4}) {
                int heads = 0, encoders = 0;
                for (const auto& h : profile.heads)
                    if (h.split == split && h.ratio == ratio) {
                        ++heads;
                        QVERIFY(h.headMs > 0);
                        QCOMPARE(h.channels, (split == 1 ? 8 : 32) / ratio);
                        QCOMPARE(h.height, split == 1 ? 14 : 7);
                    }
                for (const auto& e : profile.encoders)
                    if (e.split == split && e.ratio == ratio) {
                        ++encoders;
                        QVERIFY(e.encMs > 0);
                        QVERIFY(e.bitsPerElement > 0 && e.bitsPerElement < 12); // 8 bits + the coder's own header
                    }
                QCOMPARE(heads, 1);
                QCOMPARE(encoders, 4);
            }
        // Full offloading per capture size: native (the 28x28 source image, no resize) and 64x48.
        QCOMPARE(profile.jpeg.size(), size_t(2));
        QCOMPARE(profile.jpeg[0].size, std::string("native"));
        QCOMPARE(profile.jpeg[0].width, 28);
        QCOMPARE(profile.jpeg[0].resizeMs, 0.0);
        QCOMPARE(profile.jpeg[1].width, 64);
        QCOMPARE(profile.jpeg[1].height, 48);
        for (const auto& j : profile.jpeg) {
            QCOMPARE(j.quality, 75);
            QVERIFY(j.encMs > 0 && j.bytes > 100); // a JPEG has a few hundred bytes of headers
        }
        QVERIFY(profile.jpeg[1].resizeMs > 0);
        QVERIFY(profile.jpeg[1].bytes > profile.jpeg[0].bytes);
        // The latency room reads it as a device profile: Eq. 4 at split 1, V = 2 over 1 Mbps.
        const auto latencyProfile = latency::loadDeviceProfile(out.toStdString());
        QCOMPARE(latencyProfile.inputLabel(), std::string("28x28"));
        const auto p = latency::predictAecnn(latencyProfile, 1, 2, 1.0);
        QVERIFY(p.iotMs > 0 && p.totalMs() > p.iotMs);
        const auto full = latency::predictFullOffloading(latencyProfile, *latencyProfile.fullOffloadAt(64, 48), 1.0);
        QCOMPARE(full.iotMs, profile.captureMs + profile.jpeg[1].resizeMs);
        QCOMPARE(full.bytes, profile.jpeg[1].bytes);
    }

    void badRequestsAreClearErrors()
    {
        const QString out = dir_.filePath("bad.json");
        auto r = runAgent({"--profile", "--model", model_, "--dataset", "synthetic:8", "--out", out,
                           "--profile-coders", "lz77"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("lz77") && r.err.contains("context"), r.err.constData());
        r = runAgent({"--profile", "--model", model_, "--dataset", "synthetic:8", "--out", out, "--profile-splits",
                      "9"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("split points 1..6"), r.err.constData());
        QVERIFY(!QFile::exists(out));
        r = runAgent({"--profile", "--model", model_, "--dataset", "synthetic:8", "--out", out,
                      "--profile-jpeg-sizes", "native,640by480"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("640by480") && r.err.contains("WxH"), r.err.constData());
        // A broken profile file for the agent to send is refused at start-up, naming the file.
        QFile broken(dir_.filePath("broken.json"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{\"format\": \"aecnn-device-profile\", \"version\": 1}");
        broken.close();
        r = runAgent({"--port", "0", "--dataset", "synthetic:8", "--profile-file", broken.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("broken.json") && r.err.contains("'name'"), r.err.constData());
    }

private:
    QTemporaryDir dir_;
    QString model_;
};

QTEST_GUILESS_MAIN(TestAgentProfile)
#include "test_agent_profile.moc"
