#include <QTemporaryDir>
#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/latency/device_profile.h"
#include "aecnn/latency/latency_model.h"
#include "aecnn/latency/ratio_selection.h"

using namespace aecnn;
using namespace aecnn::latency;

namespace {

// A profile with round numbers so that expected values can be worked out by hand.
DeviceProfile handProfile()
{
    DeviceProfile p;
    p.name = "hand";
    p.source = "test";
    p.localMs = 300;
    p.edgeFullMs = 4;
    p.unsplitAccuracy = 90;
    SplitTiming s;
    s.split = 1;
    s.channels = 8;
    s.height = 10;
    s.width = 10;
    s.iotMs = 10;
    s.edgeMs = 3;
    // V=2: 4 kept channels, 400 elements at 8 bits = 400 B coded, 1600 B raw.
    s.ratios = {{2, 85, 8.0, 1.0, 1.0}, {4, 80, 4.0, 0.5, 0.5}};
    p.splits = {s};
    return p;
}

} // namespace

class TestLatencyModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void equationsOneAndTwo()
    {
        QCOMPARE(tensorBytes(64, 56, 56), int64_t{802816});
        // 1 MB at 8 Mbps takes one second.
        QCOMPARE(transmitMs(1e6, 8.0), 1000.0);
        QVERIFY_THROWS_EXCEPTION(Error, transmitMs(100, 0.0));
        QVERIFY_THROWS_EXCEPTION(Error, transmitMs(100, -1.0));
    }

    void equationsThreeAndFour()
    {
        const auto p = handProfile();
        // V=2 at 1 Mbps: raw 1600 B = 12.8 ms; coded 400 B = 3.2 ms + 2 ms => coded.
        auto pred = predictAecnn(p, 1, 2, 1.0);
        QVERIFY(pred.entropyCoded);
        QCOMPARE(pred.bytes, 400.0);
        QCOMPARE(pred.comMs, 3.2);
        QCOMPARE(pred.cmpMs(), 10.0 + 1.0 + 1.0 + 3.0);
        QCOMPARE(pred.totalMs(), 3.2 + 15.0);
        // At 1000 Mbps coding costs more (2 ms) than it saves (0.0096 ms): raw float32.
        pred = predictAecnn(p, 1, 2, 1000.0);
        QVERIFY(!pred.entropyCoded);
        QCOMPARE(pred.bytes, 1600.0);
        QCOMPARE(pred.encMs, 0.0);
        QCOMPARE(pred.totalMs(), 1600 * 8 / 1e6 + 13.0);
        // V=1: the whole float32 tensor, no coding available.
        pred = predictAecnn(p, 1, 1, 1.0);
        QCOMPARE(pred.bytes, 3200.0);
        QVERIFY(!pred.entropyCoded);
    }

    void unknownSplitOrRatioIsAnError()
    {
        const auto p = handProfile();
        QVERIFY_THROWS_EXCEPTION(Error, predictAecnn(p, 2, 2, 1.0));
        QVERIFY_THROWS_EXCEPTION(Error, predictAecnn(p, 1, 8, 1.0));
        try {
            predictAecnn(p, 1, 8, 1.0);
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("available: 1, 2, 4"));
        }
    }

    void localAndFullOffloading()
    {
        const auto p = handProfile();
        QCOMPARE(predictLocal(p).totalMs(), 300.0);
        QCOMPARE(predictFullOffloading(p, 1e6, 8.0).totalMs(), 1004.0);
    }

    void crossoverMatchesTheCurves()
    {
        const auto p = handProfile();
        // V=2 coded: 400 B + 15 ms => 9600*8 bits / 11 ms; raw: 1600 B + 13 ms => 8400*8 bits / 9 ms.
        // AECNN takes the faster of the two, so the later crossover counts.
        const auto c = crossoverRate(p, 1, 2, 10000);
        QCOMPARE(c.kind, Crossover::Kind::BelowRate);
        QVERIFY(qAbs(c.rateMbps - 8400.0 * 8 / 9 / 1e3) < 1e-9);
        const double below = c.rateMbps * 0.99, above = c.rateMbps * 1.01;
        QVERIFY(predictAecnn(p, 1, 2, below).totalMs() < predictFullOffloading(p, 10000, below).totalMs());
        QVERIFY(predictAecnn(p, 1, 2, above).totalMs() > predictFullOffloading(p, 10000, above).totalMs());
        // An image smaller than the feature never loses.
        QCOMPARE(crossoverRate(p, 1, 2, 100).kind, Crossover::Kind::Never);
        // AECNN computing less than the edge and sending less is always faster.
        auto cheap = p;
        cheap.edgeFullMs = 100;
        QCOMPARE(crossoverRate(cheap, 1, 2, 10000).kind, Crossover::Kind::Always);
    }

    void pi4ProfileCarriesTableOne()
    {
        const auto p = raspberryPi4Profile();
        QVERIFY(QString::fromStdString(p.source).contains("Table I"));
        const auto& s1 = p.split(1);
        QCOMPARE(s1.channels * s1.height * s1.width, 64 * 56 * 56);
        QCOMPARE(int(s1.ratios.size()), 6);
        QCOMPARE(s1.ratios.back().ratio, 64);
        QCOMPARE(s1.ratios.back().encMs, 0.62);
        QCOMPARE(p.split(2).ratios.front().encMs, 7.89);
        QVERIFY(p.localMs > s1.iotMs);
    }

    // Paper Sec. V-C2: at 10 Mbps with a 100 ms deadline V = 4 is the best choice.
    void paperDeadlineExample()
    {
        const auto p = raspberryPi4Profile();
        const auto choice = selectRatio(p, 1, 10.0, 100.0);
        QVERIFY(choice.has_value());
        QCOMPARE(choice->ratio, 4);
        QVERIFY(choice->prediction.totalMs() <= 100.0);
        QVERIFY(predictAecnn(p, 1, 2, 10.0).totalMs() > 100.0);
        // A looser deadline admits V=2, a very fast link the uncompressed tensor.
        QCOMPARE(selectRatio(p, 1, 10.0, 200.0)->ratio, 2);
        QCOMPARE(selectRatio(p, 1, 1000.0, 100.0)->ratio, 1);
        // Nothing fits a deadline shorter than the device compute.
        QVERIFY(!selectRatio(p, 1, 10.0, 1.0).has_value());
    }

    void pi4CrossoverForFullHd()
    {
        const auto p = raspberryPi4Profile();
        const auto c = crossoverRate(p, 1, 16, kPaperFullHdJpegBytes);
        QCOMPARE(c.kind, Crossover::Kind::BelowRate);
        // The paper reports 147.44 Mbps; our t_iot/t_es come from other sources, so only the order must agree.
        QVERIFY2(c.rateMbps > 100 && c.rateMbps < 200, describe(c).c_str());
    }

    void selectionPrefersAccuracyThenSmallerRatio()
    {
        auto p = handProfile();
        p.splits[0].ratios[0].accuracy = 80; // V=2 and V=4 tie
        p.unsplitAccuracy = 0;               // unknown
        const auto choice = selectRatio(p, 1, 1.0, 1000.0);
        QCOMPARE(choice->ratio, 2);
    }

    void fig5CurvesAndCsv()
    {
        const auto p = raspberryPi4Profile();
        const std::vector<double> rates{1, 10, 100};
        const auto curves = fig5Curves(p, 1, rates, defaultFig5Images());
        QCOMPARE(int(curves.ratios.size()), 7);
        QCOMPARE(curves.ratios.front(), 1);
        QCOMPARE(int(curves.fullMs.size()), 4);
        QCOMPARE(curves.images.back().bytes, 200000.0);
        // Full offloading and AECNN get faster with rate; local computing does not.
        for (const auto& row : curves.aecnnMs)
            QVERIFY(row[0] > row[1] && row[1] > row[2]);
        for (const auto& row : curves.fullMs)
            QVERIFY(row[0] > row[1] && row[1] > row[2]);
        QCOMPARE(curves.localMs[0], curves.localMs[2]);
        // Higher compression is never slower in this profile.
        for (size_t v = 1; v < curves.ratios.size(); ++v)
            QVERIFY(curves.aecnnMs[v][0] <= curves.aecnnMs[v - 1][0]);
        const auto csv = QString::fromStdString(fig5Csv(curves)).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csv.size(), 4);
        QVERIFY(csv[0].startsWith("rate_mbps,aecnn_v1_ms"));
        QVERIFY(csv[0].endsWith("full_1920x1080_ms"));
        QCOMPARE(csv[1].split(',').size(), 1 + 7 + 1 + 4);
        QVERIFY_THROWS_EXCEPTION(Error, fig5Curves(p, 1, {}, {}));
    }

    void profileJsonRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("p.json");
        writeDeviceProfile(path, raspberryPi4Profile());
        const auto back = loadDeviceProfile(path.toStdString());
        QCOMPARE(back.split(2).ratios[3].decMs, 2.35);
        QCOMPARE(back.localMs, raspberryPi4Profile().localMs);
        QCOMPARE(predictAecnn(back, 1, 8, 5).totalMs(), predictAecnn(raspberryPi4Profile(), 1, 8, 5).totalMs());
    }

    void badProfilesAreRejected()
    {
        auto json = toJson(handProfile());
        json.remove("source");
        QVERIFY_THROWS_EXCEPTION(Error, deviceProfileFromJson(json));
        json = toJson(handProfile());
        json["local_ms"] = -1;
        QVERIFY_THROWS_EXCEPTION(Error, deviceProfileFromJson(json));
        json = toJson(handProfile());
        auto splits = json["splits"].toArray();
        auto split = splits[0].toObject();
        auto ratios = split["ratios"].toArray();
        auto ratio = ratios[0].toObject();
        ratio["ratio"] = 3; // does not divide 8 channels
        ratios[0] = ratio;
        split["ratios"] = ratios;
        splits[0] = split;
        json["splits"] = splits;
        QVERIFY_THROWS_EXCEPTION(Error, deviceProfileFromJson(json));
        QVERIFY_THROWS_EXCEPTION(Error, loadDeviceProfile("/nonexistent/profile.json"));
    }

    void throughputEstimatorSmooths()
    {
        ThroughputEstimator e(0.5);
        QVERIFY(!e.hasEstimate());
        e.addSample(1'250'000, 1.0); // 10 Mbps
        QCOMPARE(e.mbps(), 10.0);
        e.addSample(2'500'000, 1.0); // 20 Mbps
        QCOMPARE(e.mbps(), 15.0);
        e.addSample(100, 0.0); // ignored
        QCOMPARE(e.samples(), 2);
        QVERIFY_THROWS_EXCEPTION(Error, ThroughputEstimator(0.0));
    }

    void adaptiveSelectionFollowsTheLink()
    {
        AdaptiveRatioSelector selector(raspberryPi4Profile(), 1, 100.0, 0.1, 1.0);
        QCOMPARE(selector.ratio(), 0);
        // 10 Mbps: V=4 as in the paper.
        QVERIFY(selector.observe(1'250'000, 1.0));
        QCOMPARE(selector.ratio(), 4);
        QVERIFY(selector.meetsDeadline());
        // The link drops to 1 Mbps: compress more, immediately.
        QVERIFY(selector.observe(125'000, 1.0));
        QVERIFY(selector.ratio() > 4);
        QVERIFY(predictAecnn(raspberryPi4Profile(), 1, selector.ratio(), 1.0).totalMs() <= 100.0);
        // Back to 10 Mbps: V=4 again.
        QVERIFY(selector.observe(1'250'000, 1.0));
        QCOMPARE(selector.ratio(), 4);
        // Far too slow for any V: the most compressed one, flagged as missing the deadline.
        selector.observe(1'000, 1.0);
        QCOMPARE(selector.ratio(), 64);
        QVERIFY(!selector.meetsDeadline());
    }

    void adaptiveSelectionDoesNotFlapAtTheEdge()
    {
        const auto p = raspberryPi4Profile();
        // Find the rate at which V=2 just meets 100 ms.
        double lo = 1, hi = 1000;
        for (int i = 0; i < 60; ++i) {
            const double mid = (lo + hi) / 2;
            (predictAecnn(p, 1, 2, mid).totalMs() <= 100.0 ? hi : lo) = mid;
        }
        AdaptiveRatioSelector selector(p, 1, 100.0, 0.1, 1.0);
        selector.observe(static_cast<int64_t>(hi * 0.9 * 125'000), 1.0); // below: V=4
        QCOMPARE(selector.ratio(), 4);
        // Just above the V=2 threshold, but without 10% headroom: stay at V=4.
        QVERIFY(!selector.observe(static_cast<int64_t>(hi * 1.01 * 125'000), 1.0));
        QCOMPARE(selector.ratio(), 4);
        // Plenty of headroom: move to the more accurate V=2.
        QVERIFY(selector.observe(static_cast<int64_t>(hi * 1.5 * 125'000), 1.0));
        QCOMPARE(selector.ratio(), 2);
    }

    // Only the V that can be deployed (a split model exists for it) are chosen among.
    void adaptiveSelectionAmongDeployableRatios()
    {
        const auto p = raspberryPi4Profile();
        // 10 Mbps, 100 ms: V=4 among all; among {8, 16}, the more accurate of the two that fits.
        QCOMPARE(selectRatio(p, 1, 10.0, 100.0, 0.0, {})->ratio, 4);
        const auto restricted = selectRatio(p, 1, 10.0, 100.0, 0.0, {8, 16});
        QVERIFY(restricted.has_value());
        QVERIFY(restricted->ratio == 8 || restricted->ratio == 16);
        AdaptiveRatioSelector selector(p, 1, 100.0, 0.1, 1.0);
        selector.restrictTo({8, 16});
        selector.observe(1'250'000, 1.0);
        QCOMPARE(selector.ratio(), restricted->ratio);
        // Far too slow: the most compressed allowed V, not the profile's 64.
        selector.observe(1'000, 1.0);
        QCOMPARE(selector.ratio(), 16);
        QVERIFY(!selector.meetsDeadline());
        // None of them in the profile: refused.
        QVERIFY_THROWS_EXCEPTION(Error, selector.restrictTo({3, 5}));
    }

    // Many agents, one edge: the wait in the edge's queue lengthens t_es of every V.
    void edgeQueueingPushesToASmallerTransfer()
    {
        const auto p = raspberryPi4Profile();
        // 10 Mbps, 100 ms: V=4 with an idle edge (the paper's example).
        QCOMPARE(selectRatio(p, 1, 10.0, 100.0, 0.0)->ratio, 4);
        // The margin V=4 leaves, used up by queueing: V=4 no longer fits, a larger V does.
        const double slack = 100.0 - predictAecnn(p, 1, 4, 10.0).totalMs();
        QVERIFY(slack > 0);
        const auto busy = selectRatio(p, 1, 10.0, 100.0, slack + 1.0);
        QVERIFY(busy.has_value());
        QVERIFY(busy->ratio > 4);
        QCOMPARE(busy->prediction.totalMs(), predictAecnn(p, 1, busy->ratio, 10.0).totalMs() + slack + 1.0);
        QVERIFY(busy->prediction.totalMs() <= 100.0);
        // A queue longer than any V can absorb: nothing meets the deadline.
        QVERIFY(!selectRatio(p, 1, 10.0, 100.0, 100.0).has_value());
        // Negative (no measurement) counts as none.
        QCOMPARE(selectRatio(p, 1, 10.0, 100.0, -5.0)->ratio, 4);

        // The online selector: same link, the edge's queue grows, then drains.
        AdaptiveRatioSelector selector(p, 1, 100.0, 0.1, 1.0);
        selector.observe(1'250'000, 1.0, 0.0);
        QCOMPARE(selector.ratio(), 4);
        QVERIFY(selector.observe(1'250'000, 1.0, slack + 1.0));
        QCOMPARE(selector.ratio(), busy->ratio);
        QCOMPARE(selector.estimatedQueueMs(), slack + 1.0);
        QVERIFY(selector.meetsDeadline());
        QVERIFY(selector.observe(1'250'000, 1.0, 0.0));
        QCOMPARE(selector.ratio(), 4);
    }
};

QTEST_GUILESS_MAIN(TestLatencyModel)
#include "test_latency_model.moc"
