#include <QtTest>

#include "adaptive_ratio.h"
#include "aecnn/latency/ratio_selection.h"

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
};

QTEST_GUILESS_MAIN(TestStudioAdaptiveRatio)
#include "test_studio_adaptive_ratio.moc"
