#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/protocol/token_bucket.h"

using namespace aecnn;
using namespace aecnn::protocol;

namespace {

class FakeClock : public Clock {
public:
    int64_t nowNs() const override { return now; }
    int64_t now = 1'000'000'000;
};

// Sends `total` bytes in `chunk` pieces, advancing the fake clock by the bucket's
// requested delays; returns the simulated duration in seconds.
double simulate(FakeClock& clock, TokenBucket& bucket, int64_t total, int64_t chunk)
{
    const int64_t start = clock.now;
    for (int64_t sent = 0; sent < total; sent += chunk) {
        clock.now += bucket.delayNs(chunk);
        if (!bucket.tryConsume(chunk))
            throw Error("tokens missing after waiting the announced delay");
    }
    return double(clock.now - start) / 1e9;
}

} // namespace

class TestTokenBucket : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sustainedRate_data()
    {
        QTest::addColumn<double>("mbps");
        QTest::newRow("1 Mbps") << 1.0;
        QTest::newRow("10 Mbps") << 10.0;
        QTest::newRow("100 Mbps") << 100.0;
        QTest::newRow("0.5 Mbps") << 0.5;
    }

    void sustainedRate()
    {
        QFETCH(double, mbps);
        FakeClock clock;
        const int64_t burst = 16 * 1024;
        TokenBucket bucket(clock, mbps, burst);
        const int64_t total = 4 * 1000 * 1000;
        const double seconds = simulate(clock, bucket, total, 1400);
        // The first burst is free; everything after goes at the set rate.
        const double achieved = double(total - burst) * 8 / seconds / 1e6;
        QVERIFY2(qAbs(achieved - mbps) / mbps < 0.01, qPrintable(QString::number(achieved)));
    }

    void burstIsImmediateThenWaits()
    {
        FakeClock clock;
        TokenBucket bucket(clock, 8.0, 1000); // 8 Mbps = 1 byte per microsecond
        QVERIFY(bucket.tryConsume(1000));
        QVERIFY(!bucket.tryConsume(1));
        QCOMPARE(bucket.delayNs(500), int64_t(500'000));
        clock.now += 250'000;
        QCOMPARE(bucket.delayNs(500), int64_t(250'000));
        clock.now += 250'000;
        QVERIFY(bucket.tryConsume(500));
    }

    void idleTimeIsCappedAtBurst()
    {
        FakeClock clock;
        TokenBucket bucket(clock, 8.0, 1000);
        QVERIFY(bucket.tryConsume(1000));
        clock.now += 60'000'000'000; // a minute idle
        QVERIFY(bucket.tryConsume(1000));
        QVERIFY(!bucket.tryConsume(1));
    }

    void zeroIsUnshaped()
    {
        FakeClock clock;
        TokenBucket bucket(clock, 0.0, 10);
        QVERIFY(bucket.unshaped());
        for (int i = 0; i < 1000; ++i)
            QVERIFY(bucket.tryConsume(10));
        QCOMPARE(bucket.delayNs(10), int64_t(0));
    }

    void rateChangeTakesEffect()
    {
        FakeClock clock;
        TokenBucket bucket(clock, 8.0, 1000);
        QVERIFY(bucket.tryConsume(1000));
        bucket.setRate(80.0);
        QCOMPARE(bucket.delayNs(1000), int64_t(100'000));
        QVERIFY_THROWS_EXCEPTION(Error, bucket.setRate(-1));
    }

    void invalidUse()
    {
        FakeClock clock;
        QVERIFY_THROWS_EXCEPTION(Error, TokenBucket(clock, 1.0, 0));
        TokenBucket bucket(clock, 1.0, 100);
        QVERIFY_THROWS_EXCEPTION(Error, bucket.delayNs(101));
    }
};

QTEST_GUILESS_MAIN(TestTokenBucket)
#include "test_token_bucket.moc"
