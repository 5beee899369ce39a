#include <QSignalSpy>
#include <cmath>
#include <QtTest>

#include "live_frame_sampler.h"
#include "live_frame_views.h"

using namespace aecnn::studio;

namespace {

// 2 of 8 channels (3 and 6) of 2x2: channel 3 alternates 0/1, channel 6 is constant.
aecnn::edge::EdgeFrameResult featureFrame(uint64_t sequence)
{
    aecnn::edge::EdgeFrameResult frame;
    frame.sequence = sequence;
    frame.kind = "features";
    frame.featureChannels = 2;
    frame.featureHeight = 2;
    frame.featureWidth = 2;
    frame.keptChannels = {3, 6};
    frame.features = {0.f, 1.f, 0.f, 1.f, 2.5f, 2.5f, 2.5f, 2.5f};
    frame.payloadBytes = 16;
    frame.bytes = 60;
    return frame;
}

} // namespace

// Live AECNN frames -> entropy and features views, at most every 40 ms.
class TestStudioLiveFrames : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void convertsTheTransmittedTensor()
    {
        const auto views = liveFrameViews(featureFrame(0), 8);
        QVERIFY(views.has_value());
        QCOMPARE(views->features.channels, 8);
        QCOMPARE(views->features.keptChannels, std::vector<int>({3, 6}));
        QCOMPARE(views->features.received.size(), size_t(8));
        QVERIFY(views->features.unpruned.empty());
        QVERIFY(views->features.recovered.empty()); // the edge sent no rebuilt X_l
        QVERIFY2(views->features.validate().isEmpty(), qPrintable(views->features.validate()));

        auto withRebuilt = featureFrame(1);
        withRebuilt.rebuiltChannels = 8;
        withRebuilt.rebuilt.assign(8 * 4, 0.5f);
        const auto rebuiltViews = liveFrameViews(withRebuilt, 8);
        QVERIFY(rebuiltViews.has_value());
        QCOMPARE(rebuiltViews->features.recovered, withRebuilt.rebuilt);
        QVERIFY2(rebuiltViews->features.validate().isEmpty(), qPrintable(rebuiltViews->features.validate()));
        withRebuilt.rebuilt.pop_back(); // a malformed rebuilt tensor is not shown
        QVERIFY(liveFrameViews(withRebuilt, 8)->features.recovered.empty());
        QCOMPARE(views->entropy.channels, std::vector<int>({3, 6}));
        QCOMPARE(views->entropy.h0Bits, std::vector<double>({1.0, 0.0}));
        QCOMPARE(views->entropy.overallH0Bits, 1.5); // values 0, 1, 2.5 with p = 1/4, 1/4, 1/2
        QCOMPARE(views->entropy.zeroFraction, 0.25);
        QCOMPARE(views->entropy.bytesPerFrame, 16.0);
        QCOMPARE(views->entropy.overallCodedBits, 16.0); // 128 bits over 8 elements
        QCOMPARE(views->entropy.compressionRatio, 8.0 * 4 * 4 / 16); // float32 X_l (8x2x2) over the payload
        uint64_t counted = 0;
        for (uint64_t n : views->entropy.histogram)
            counted += n;
        QCOMPARE(counted, uint64_t(8));

        // With one coder symbol per element, the entropies are those of the symbols:
        // per-channel quantization maps channel 6's constant to its own symbol.
        auto coded = featureFrame(0);
        coded.symbols = {0, 255, 0, 255, 7, 7, 7, 7};
        const auto symbolViews = liveFrameViews(coded, 8);
        QCOMPARE(symbolViews->entropy.h0Bits, std::vector<double>({1.0, 0.0}));
        QCOMPARE(symbolViews->entropy.overallH0Bits, 1.5);
        coded.symbols = {0, 255, 0, 255, 0, 0, 0, 0}; // symbol 0 twice as often as in the values
        QCOMPARE(liveFrameViews(coded, 8)->entropy.overallH0Bits, -(0.75 * std::log2(0.75) + 0.25 * std::log2(0.25)));

        // Unknown C of X_l: the largest kept index + 1.
        QCOMPARE(liveFrameViews(featureFrame(0), 0)->features.channels, 7);
        // Frames without features (full offloading, local computing) have no views.
        aecnn::edge::EdgeFrameResult jpeg;
        jpeg.kind = "jpeg";
        QVERIFY(!liveFrameViews(jpeg, 8));
        auto broken = featureFrame(0);
        broken.features.pop_back();
        QVERIFY(!liveFrameViews(broken, 8));
    }

    void samplerCoalescesToTheNewestFrame()
    {
        LiveFrameSampler sampler;
        sampler.setSplitChannels(8);
        QSignalSpy ready(&sampler, &LiveFrameSampler::viewsReady);
        for (uint64_t i = 0; i < 200; ++i) {
            auto frame = featureFrame(i);
            frame.payloadBytes = static_cast<int64_t>(100 + i);
            sampler.offer(frame); // a burst within one interval
        }
        QCOMPARE(ready.count(), 0); // nothing on the spot
        QTRY_COMPARE(ready.count(), 1);
        QCOMPARE(ready.first().first().value<aecnn::widgets::EntropyData>().bytesPerFrame, 299.0); // the newest
        QTest::qWait(3 * LiveFrameSampler::kIntervalMs);
        QCOMPARE(ready.count(), 1); // no new frame, no update
        QCOMPARE(sampler.published(), 1);

        aecnn::edge::EdgeFrameResult result; // local computing: ignored
        result.kind = "result";
        sampler.offer(result);
        QTest::qWait(3 * LiveFrameSampler::kIntervalMs);
        QCOMPARE(ready.count(), 1);
    }
};

QTEST_MAIN(TestStudioLiveFrames)
#include "test_studio_live_frames.moc"
