#include <QtTest>

#include "adaptive_ratio.h"
#include "aecnn/latency/measured_profile.h"
#include "aecnn/latency/ratio_selection.h"
#include "tradeoff_profiles.h"

using namespace aecnn;
using namespace aecnn::studio;

namespace {

StudioConfig adaptiveConfig()
{
    StudioConfig config;
    config.split = 1;
    config.ratio = 64;
    config.mode = QStringLiteral("aecnn");
    config.deadlineMs = 100.0;
    config.adaptiveRatio = true;
    return config;
}

// Feeds `frames` frames of `bytes` each taking `transferMs`; returns the V in use afterwards.
int stream(AdaptiveRatioFollower& follower, int ratio, int frames, int64_t bytes, double transferMs)
{
    for (int i = 0; i < frames; ++i)
        if (const int next = follower.observe(bytes, transferMs, ratio))
            ratio = next;
    return ratio;
}

// A device much slower than the Pi 4 for the lightly pruned heads (ResNet-50's split 1 shape,
// 64x56x56): t_iot 100, 95, 90 ms for V = 1, 2, 4 and 30, 25, 20, 15 ms for V = 8 .. 64; zstd at
// 8 bits gives 4 bits/element in 1 ms.
latency::MeasuredDeviceProfile slowDevice()
{
    latency::MeasuredDeviceProfile p;
    p.name = "slow-device";
    p.hostname = "slowhost";
    p.arch = "aarch64";
    p.date = "2026-11-27T12:00:00Z";
    p.inputHeight = p.inputWidth = 224;
    p.inputChannels = 3;
    const std::pair<int, double> heads[] = {{1, 100}, {2, 95}, {4, 90}, {8, 30}, {16, 25}, {32, 20}, {64, 15}};
    for (const auto& [v, ms] : heads) {
        p.heads.push_back({1, v, 64 / v, 56, 56, ms});
        if (v > 1)
            p.encoders.push_back({1, v, "zstd", 8, 1.0, 4.0});
    }
    return p;
}

// Its edge side: accuracies per V (the Pi 4 table's), no edge times.
latency::DeviceProfile slowDeviceEdge()
{
    latency::DeviceProfile edge;
    edge.name = "hand edge";
    edge.unsplitAccuracy = 95.84;
    latency::SplitTiming s;
    s.split = 1;
    for (const auto& r : latency::raspberryPi4Profile().split(1).ratios)
        s.ratios.push_back({r.ratio, r.accuracy, 32.0, 0.0, 0.0});
    edge.splits = {s};
    return edge;
}

} // namespace

// Adaptive V follows the measured uplink (issue 6 controls, paper Sec. V deadline-aware V).
class TestStudioAdaptiveRatio : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void inactiveUnlessAdaptiveInASplitMode()
    {
        const auto profile = latency::raspberryPi4Profile();
        AdaptiveRatioFollower follower;
        auto config = adaptiveConfig();
        config.adaptiveRatio = false;
        follower.configure(config, profile);
        QVERIFY(!follower.active());
        QCOMPARE(follower.observe(12500, 10.0, 64), 0);
        config.adaptiveRatio = true;
        config.mode = QStringLiteral("full-offloading");
        follower.configure(config, profile);
        QVERIFY(!follower.active());
    }

    void choosesTheDeadlineAwareRatioOfTheMeasuredRate()
    {
        const auto profile = latency::raspberryPi4Profile();
        AdaptiveRatioFollower follower;
        follower.configure(adaptiveConfig(), profile);
        QVERIFY(follower.active());
        // 12,500 bytes in 10 ms = 10 Mbps: the paper's example, V = 4 at a 100 ms deadline.
        const int fast = stream(follower, 64, 50, 12500, 10.0);
        QCOMPARE(follower.estimatedMbps(), 10.0);
        const auto expected = latency::selectRatio(profile, 1, 10.0, 100.0);
        QVERIFY(expected.has_value());
        QCOMPARE(fast, expected->ratio);
        QCOMPARE(follower.observe(12500, 10.0, fast), 0); // no change while the link stays

        // The link drops to 0.5 Mbps: a more compressed V.
        const int slow = stream(follower, fast, 50, 625, 10.0);
        QVERIFY2(slow > fast, qPrintable(QString("V %1 at 10 Mbps, %2 at 0.5 Mbps").arg(fast).arg(slow)));
        // Frames without a transfer time (no shared clock) are ignored.
        QCOMPARE(follower.observe(625, -1.0, slow), 0);
    }

    void keepsItsEstimateAcrossUnrelatedChanges()
    {
        const auto profile = latency::raspberryPi4Profile();
        AdaptiveRatioFollower follower;
        auto config = adaptiveConfig();
        follower.configure(config, profile);
        stream(follower, 64, 20, 12500, 10.0);
        config.codec = QStringLiteral("uint4+context"); // same link and deadline
        follower.configure(config, profile);
        QCOMPARE(follower.estimatedMbps(), 10.0);
        config.deadlineMs = 50.0; // a new target starts over
        follower.configure(config, profile);
        QCOMPARE(follower.estimatedMbps(), 0.0);
    }

    // The same link and deadline, another device: at 10 Mbps and 100 ms the Pi 4 table gives
    // V = 4; on the slow device V = 4 misses (4 bits x 16 x 56 x 56 = 25,088 B = 20.07 ms + 90 + 1
    // = 111 ms) and V = 8 fits (12,544 B = 10.04 ms + 30 + 1 = 41 ms), the most accurate that does.
    void slowDeviceProfilePicksAnotherRatioThanThePiTable()
    {
        const latency::DeviceProfile edge = slowDeviceEdge();
        const auto slow = latency::toLatencyProfile(slowDevice(), "zstd", 8, &edge);
        QCOMPARE(latency::predictAecnn(slow, 1, 4, 10.0).totalMs(), 25088 * 8 / 10e3 + 90.0 + 1.0);
        QCOMPARE(latency::predictAecnn(slow, 1, 8, 10.0).totalMs(), 12544 * 8 / 10e3 + 30.0 + 1.0);
        AdaptiveRatioFollower follower;
        follower.configure(adaptiveConfig(), latency::raspberryPi4Profile(), QStringLiteral("pi4"));
        QCOMPARE(stream(follower, 64, 20, 12500, 10.0), 4);
        // The connected device's profile replaces the table (a new key: a new selector).
        follower.configure(adaptiveConfig(), slow, QStringLiteral("slow-device"));
        QCOMPARE(follower.estimatedMbps(), 0.0);
        QCOMPARE(stream(follower, 4, 20, 12500, 10.0), 8);

        // What the studio hands to adaptive V and Fig. 5 (TradeoffProfiles): the connected
        // device's profile when an agent sent one, named on screen; the Pi 4 table otherwise.
        TradeoffProfiles profiles;
        profiles.setEdgeSide(slowDeviceEdge(), QStringLiteral("hand edge"));
        QCOMPARE(profiles.effective(), TradeoffProfiles::Source::Pi4);
        QCOMPARE(latency::selectRatio(profiles.profile(QStringLiteral("uint8+zstd")), 1, 10.0, 100.0)->ratio, 4);
        const int before = profiles.revision();
        profiles.setConnected(slowDevice());
        QVERIFY(profiles.revision() != before);
        QCOMPARE(profiles.effective(), TradeoffProfiles::Source::Connected);
        QCOMPARE(latency::selectRatio(profiles.profile(QStringLiteral("uint8+zstd")), 1, 10.0, 100.0)->ratio, 8);
        QVERIFY2(profiles.label().startsWith(QStringLiteral(
                     "device: aecnn-agent on slowhost, measured 2026-11-27T12:00:00Z, input 224\u00d7224")),
                 qPrintable(profiles.label()));
        QVERIFY(profiles.label().contains(QStringLiteral("edge side: hand edge")));
        QVERIFY(profiles.warning(0, 0).isEmpty());
        QVERIFY(profiles.warning(28, 28).contains(QStringLiteral("measured at 224\u00d7224 input, the studio's model takes 28\u00d728")));
        // A codec the device did not time: raw float32 (V = 8 raw: 100,352 B = 80 ms + 30 fits; V = 4 does not).
        QCOMPARE(latency::predictAecnn(profiles.profile(QStringLiteral("uint4+context")), 1, 8, 10.0).totalMs(),
                 100352 * 8 / 10e3 + 30.0);
        profiles.choose(TradeoffProfiles::Source::Pi4);
        QCOMPARE(latency::selectRatio(profiles.profile(QStringLiteral("uint8+zstd")), 1, 10.0, 100.0)->ratio, 4);
        QVERIFY(profiles.label().startsWith(QStringLiteral("Raspberry Pi 4B (paper)")));
        QVERIFY(profiles.warning(28, 28).contains(QStringLiteral("not this studio's (input 28\u00d728)")));
        // Disconnected while "connected device" is chosen: the table, and the label says why.
        profiles.choose(TradeoffProfiles::Source::Connected);
        profiles.setConnected(std::nullopt, QStringLiteral("disconnected"));
        QCOMPARE(profiles.effective(), TradeoffProfiles::Source::Pi4);
        QVERIFY2(profiles.label().startsWith(
                     QStringLiteral("(no profile from a connected agent: disconnected) Raspberry Pi 4B (paper)")),
                 qPrintable(profiles.label()));
        // A connected profile whose heads disagree (V = 2 is not C/V of split 1) is not used; the label says why.
        auto broken = slowDevice();
        broken.heads[1].channels = 7;
        profiles.setConnected(broken);
        QCOMPARE(profiles.effective(), TradeoffProfiles::Source::Pi4);
        QVERIFY2(profiles.label().contains(QStringLiteral("the agent's profile is unusable")), qPrintable(profiles.label()));
    }
};

QTEST_GUILESS_MAIN(TestStudioAdaptiveRatio)
#include "test_studio_adaptive_ratio.moc"
