#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include "shaped_writer.h"
#include "test_budget.h"

using namespace aecnn;

namespace {

class FakeClock : public protocol::Clock {
public:
    int64_t nowNs() const override { return now; }
    int64_t now = 0;
};

// A connected loopback socket pair.
struct Pair {
    QTcpServer server;
    QTcpSocket client;
    QTcpSocket* accepted = nullptr;

    bool open()
    {
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!server.waitForNewConnection(5000))
            return false;
        accepted = server.nextPendingConnection();
        return client.waitForConnected(aecnn::test::budgetMs(5000));
    }
};

// Reads until `bytes` arrived or nothing more comes within 300 ms (event-driven, no timing asserts).
QByteArray receive(QTcpSocket& socket, qsizetype bytes)
{
    QByteArray data = socket.readAll();
    QSignalSpy ready(&socket, &QTcpSocket::readyRead);
    while (data.size() < bytes && ready.wait(300))
        data += socket.readAll();
    return data + socket.readAll();
}

} // namespace

class TestShapedWriter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void unshapedSendsEverything()
    {
        Pair pair;
        QVERIFY(pair.open());
        FakeClock clock;
        agent::ShapedWriter writer(pair.accepted, clock);
        QSignalSpy drained(&writer, &agent::ShapedWriter::drained);
        const QByteArray message(300000, 'u');
        writer.send(message);
        QCOMPARE(receive(pair.client, message.size()), message);
        QVERIFY(writer.idle());
        QVERIFY(drained.count() > 0);
    }

    // A message to an idle writer starts with an empty bucket (an idle link banks no
    // capacity): with the clock frozen nothing goes out; each advance of the fake
    // clock releases exactly what the rate earned, at most one burst per wake-up.
    void releasesBytesAsTheClockAdvances()
    {
        Pair pair;
        QVERIFY(pair.open());
        FakeClock clock;
        agent::ShapedWriter writer(pair.accepted, clock);
        writer.setRateMbps(8.0); // 1 byte per microsecond; burst 16 KiB
        const qsizetype burst = 16 * 1024;
        QByteArray message(100000, '\0');
        for (qsizetype i = 0; i < message.size(); ++i)
            message[i] = char(i * 7);
        clock.now += 50'000'000; // idle time before the message earns nothing
        writer.send(message);

        QByteArray got = receive(pair.client, 1);
        QCOMPARE(got.size(), 0);
        QVERIFY(!writer.idle());

        clock.now += 8'192'000; // 8192 bytes earned: two quarter-burst pieces
        got += receive(pair.client, burst + 1);
        QCOMPARE(got.size(), burst / 2);
        clock.now += 20'000'000; // 20 ms => 20000 bytes, more than a burst
        got += receive(pair.client, 3 * burst + 1);
        QCOMPARE(got.size(), burst / 2 + burst); // capped at one burst per wake-up...
        clock.now += 0;
        got += receive(pair.client, 3 * burst + 1);
        QCOMPARE(got.size(), burst / 2 + burst); // ...and nothing more without time passing

        clock.now += 1'000'000'000; // plenty
        while (got.size() < message.size()) {
            const auto before = got.size();
            got += receive(pair.client, message.size());
            if (got.size() == before)
                clock.now += 1'000'000'000;
        }
        QCOMPARE(got, message);
    }

    void urgentMessagesGoBetweenFramesNotInside()
    {
        Pair pair;
        QVERIFY(pair.open());
        FakeClock clock;
        agent::ShapedWriter writer(pair.accepted, clock);
        writer.setRateMbps(8.0);
        const QByteArray big(40000, 'b');
        writer.send(big);
        writer.send(QByteArray(10, 'n'));
        writer.send(QByteArray(5, 'U'), true);
        QByteArray all;
        for (int i = 0; i < 20 && !writer.idle(); ++i) {
            clock.now += 10'000'000;
            all += receive(pair.client, 1); // waits for the next release
        }
        all += receive(pair.client, big.size() + 15);
        QCOMPARE(all.size(), big.size() + 15);
        QCOMPARE(all.right(15), QByteArray(5, 'U') + QByteArray(10, 'n'));
        QCOMPARE(all, big + QByteArray(5, 'U') + QByteArray(10, 'n'));
    }
};

QTEST_GUILESS_MAIN(TestShapedWriter)
#include "test_shaped_writer.moc"
