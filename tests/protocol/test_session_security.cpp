#include <QHostAddress>
#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/protocol/auth_throttle.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"

using namespace aecnn;
using namespace aecnn::protocol;

namespace {

const QByteArray kToken = "session-test-token-0123456789";

class FakeClock : public Clock {
public:
    int64_t nowNs() const override { return now; }
    void advanceMs(int64_t ms) { now += ms * 1000000; }
    int64_t now = 5'000'000'000;
};

SessionKeys keysFor(bool encrypted, const QByteArray& transcriptHash = QByteArray(32, 't'))
{
    return deriveSessionKeys(kToken, QByteArray(32, 's'), QByteArray(32, 'c'), transcriptHash, encrypted);
}

Frame configureFrame()
{
    return toFrame(Configure{{{"mode", "aecnn"}, {"rate_mbps", 2.0}}});
}

// A frame as an attacker changes it in flight: the payload edited, a valid CRC.
Frame edited(Frame f, const std::function<void(QByteArray&)>& edit)
{
    edit(f.payload);
    return decodeWholeFrame(encodeFrame(f)).frame;
}

RecordError::Kind openFails(RecordLayer& layer, const Frame& f)
{
    try {
        layer.open(f);
    } catch (const RecordError& e) {
        return e.kind();
    }
    throw Error("the record was accepted");
}

} // namespace

class TestSessionSecurity : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // RFC 5869, appendix A.1 (test case 1).
    void hkdfSha256KnownAnswer()
    {
        const QByteArray ikm(22, '\x0b');
        const QByteArray salt = QByteArray::fromHex("000102030405060708090a0b0c");
        const QByteArray info = QByteArray::fromHex("f0f1f2f3f4f5f6f7f8f9");
        const QByteArray prk = hkdfExtract(salt, ikm);
        QCOMPARE(prk.toHex(), QByteArray("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"));
        QCOMPARE(hkdfExpand(prk, info, 42).toHex(),
                 QByteArray("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
    }

    void keysDependOnEverySecretAndDirection()
    {
        const auto k = keysFor(true);
        QCOMPARE(k.edgeToAgent.key.size(), kSessionKeyBytes);
        QCOMPARE(k.edgeToAgent.iv.size(), kSessionIvBytes);
        QVERIFY(k.edgeToAgent.key != k.agentToEdge.key);
        QCOMPARE(keysFor(true).edgeToAgent.key, k.edgeToAgent.key); // both sides derive the same
        QVERIFY(keysFor(false).edgeToAgent.key != k.edgeToAgent.key);
        QVERIFY(keysFor(true, QByteArray(32, 'u')).edgeToAgent.key != k.edgeToAgent.key); // transcript
        QVERIFY(deriveSessionKeys("another-token-0123456789", QByteArray(32, 's'), QByteArray(32, 'c'),
                                  QByteArray(32, 't'), true)
                    .edgeToAgent.key != k.edgeToAgent.key);
        QVERIFY_THROWS_EXCEPTION(Error, deriveSessionKeys({}, QByteArray(32, 's'), QByteArray(32, 'c'), {}, true));
    }

    void transcriptCoversEveryByte()
    {
        HandshakeTranscript a, b;
        a.add(toFrame(Challenge{QByteArray(32, 'n'), true, false}));
        b.add(toFrame(Challenge{QByteArray(32, 'n'), true, true})); // the encrypt flag differs
        QVERIFY(a.hash() != b.hash());
    }

    void sealedRecordsRoundTrip_data()
    {
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("mac only") << false;
        QTest::newRow("chacha20-poly1305") << true;
    }
    void sealedRecordsRoundTrip()
    {
        QFETCH(bool, encrypted);
        RecordLayer edge(Role::Edge, keysFor(encrypted)), agent(Role::Agent, keysFor(encrypted));
        const Frame plain = configureFrame();
        for (int i = 0; i < 3; ++i) {
            const Frame sealed = edge.seal(plain);
            QVERIFY(sealed.type == plain.type);
            QCOMPARE(sealed.payload.size(), plain.payload.size() + kRecordOverheadBytes);
            QCOMPARE(sealed.payload.contains(plain.payload), !encrypted); // encrypted: not in the clear
            QCOMPARE(agent.open(sealed).payload, plain.payload);
        }
        // Empty payloads (Stop, Heartbeat) carry a tag too; the other direction has its own key.
        const Frame stop = agent.seal(toFrame(Stop{}));
        QCOMPARE(stop.payload.size(), kRecordOverheadBytes);
        QCOMPARE(edge.open(stop).payload, QByteArray());
        QCOMPARE(edge.sealedCount(), quint64(3));
        QCOMPARE(agent.openedCount(), quint64(3));
        // The encoded path is the same seal.
        const QByteArray wire = edge.sealEncoded(encodeMessage(Ping{42}));
        QCOMPARE(decodeMessage<Ping>(agent.open(decodeWholeFrame(wire).frame)).edgeTimeUs, qint64(42));
    }

    void tamperedRecordsAreRejected_data()
    {
        QTest::addColumn<bool>("encrypted");
        QTest::addColumn<int>("attack");
        const char* names[] = {"bit flip in body", "bit flip in tag", "type changed", "truncated", "unsealed frame",
                               "wrong key (other direction)", "sequence rewritten"};
        for (bool encrypted : {false, true})
            for (int attack = 0; attack < int(std::size(names)); ++attack)
                QTest::newRow(qPrintable(QString("%1, %2").arg(encrypted ? "aead" : "mac", names[attack])))
                    << encrypted << attack;
    }
    void tamperedRecordsAreRejected()
    {
        QFETCH(bool, encrypted);
        QFETCH(int, attack);
        RecordLayer edge(Role::Edge, keysFor(encrypted)), agent(Role::Agent, keysFor(encrypted));
        const Frame sealed = edge.seal(configureFrame());
        Frame forged;
        auto expected = RecordError::Kind::BadTag;
        switch (attack) {
        case 0: forged = edited(sealed, [](QByteArray& p) { p[kRecordSequenceBytes + 3] ^= 0x01; }); break;
        case 1: forged = edited(sealed, [](QByteArray& p) { p[p.size() - 1] ^= 0x80; }); break;
        case 2: forged = sealed; forged.type = MessageType::Stop; break;
        case 3: forged = edited(sealed, [](QByteArray& p) { p.chop(5); }); break;
        case 4:
            forged = toFrame(Stop{});
            expected = RecordError::Kind::Truncated;
            break;
        case 5: forged = RecordLayer(Role::Agent, keysFor(encrypted)).seal(configureFrame()); break;
        case 6: forged = edited(sealed, [](QByteArray& p) { p[7] = 1; }); break;
        }
        QCOMPARE(openFails(agent, forged), expected);
        QCOMPARE(agent.openedCount(), quint64(0)); // nothing was accepted
    }

    void replayedAndReorderedRecordsAreRejected()
    {
        RecordLayer edge(Role::Edge, keysFor(false)), agent(Role::Agent, keysFor(false));
        const Frame a = edge.seal(toFrame(Ping{1})), b = edge.seal(toFrame(Ping{2})), c = edge.seal(toFrame(Ping{3}));
        QVERIFY_THROWS_EXCEPTION(RecordError, agent.open(b)); // b before a: reordered (a dropped so far)
        {
            RecordLayer fresh(Role::Agent, keysFor(false));
            QCOMPARE(openFails(fresh, b), RecordError::Kind::OutOfOrder);
        }
        RecordLayer in(Role::Agent, keysFor(false));
        in.open(a);
        QCOMPARE(openFails(in, a), RecordError::Kind::Replayed);
        QCOMPARE(openFails(in, c), RecordError::Kind::OutOfOrder); // b dropped
        in.open(b);
        in.open(c);
        QCOMPARE(in.openedCount(), quint64(3));
    }

    void sequenceWindowIsExact()
    {
        SequenceWindow w;
        QCOMPARE(w.check(0), SequenceWindow::Verdict::Next);
        QCOMPARE(w.check(1), SequenceWindow::Verdict::Skipped);
        w.accept();
        w.accept();
        QCOMPARE(w.next(), quint64(2));
        QCOMPARE(w.check(0), SequenceWindow::Verdict::Replayed);
        QCOMPARE(w.check(1), SequenceWindow::Verdict::Replayed);
        QCOMPARE(w.check(2), SequenceWindow::Verdict::Next);
        QCOMPARE(w.check(UINT64_MAX), SequenceWindow::Verdict::Skipped);
    }

    void encryptionPolicy()
    {
        QCOMPARE(encryptionPolicyFrom("AUTO"), std::optional(EncryptionPolicy::Auto));
        QVERIFY(!encryptionPolicyFrom("maybe"));
        try {
            parseEncryptionPolicy("maybe", "--encrypt");
            QFAIL("accepted");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("--encrypt") && QString(e.what()).contains("on, off or auto"));
        }
        QVERIFY(!wantsEncryption(EncryptionPolicy::Auto, QHostAddress("127.0.0.1")));
        QVERIFY(!wantsEncryption(EncryptionPolicy::Auto, QHostAddress("::1")));
        QVERIFY(wantsEncryption(EncryptionPolicy::Auto, QHostAddress("192.168.1.20")));
        QVERIFY(wantsEncryption(EncryptionPolicy::On, QHostAddress("127.0.0.1")));
        QVERIFY(!wantsEncryption(EncryptionPolicy::Off, QHostAddress("192.168.1.20")));
    }

    void throttleBacksOffPerAddress()
    {
        FakeClock clock;
        AuthThrottle throttle(clock, {3, 1000, 8000, 600000, 16});
        const QString a = "192.0.2.1", b = "192.0.2.2";
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(throttle.retryAfterMs(a), qint64(0)); // three free tries
            throttle.failed(a);
        }
        QCOMPARE(throttle.retryAfterMs(a), qint64(1000));
        QCOMPARE(throttle.retryAfterMs(b), qint64(0)); // other addresses are not affected
        clock.advanceMs(400);
        QCOMPARE(throttle.retryAfterMs(a), qint64(600));
        clock.advanceMs(600);
        QCOMPARE(throttle.retryAfterMs(a), qint64(0));
        throttle.failed(a);
        QCOMPARE(throttle.retryAfterMs(a), qint64(2000)); // doubles
        throttle.failed(a);
        throttle.failed(a);
        throttle.failed(a);
        QCOMPARE(throttle.retryAfterMs(a), qint64(8000)); // capped
        throttle.succeeded(a);
        QCOMPARE(throttle.retryAfterMs(a), qint64(0));
        for (int i = 0; i < 4; ++i)
            throttle.failed(b);
        QVERIFY(throttle.retryAfterMs(b) > 0);
        clock.advanceMs(600000); // forgotten after a quiet period
        QCOMPARE(throttle.retryAfterMs(b), qint64(0));
        QCOMPARE(throttle.failures(b), 0);
    }

    void throttleMemoryIsBounded()
    {
        FakeClock clock;
        AuthThrottle throttle(clock, {3, 1000, 8000, 600000, 16});
        for (int i = 0; i < 100; ++i) {
            throttle.failed(QString("198.51.100.%1").arg(i));
            clock.advanceMs(1);
        }
        QCOMPARE(throttle.tracked(), size_t(16));
        QCOMPARE(throttle.failures("198.51.100.99"), 1);
    }
};

QTEST_GUILESS_MAIN(TestSessionSecurity)
#include "test_session_security.moc"
