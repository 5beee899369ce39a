#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/protocol/auth.h"

using namespace aecnn;
using namespace aecnn::protocol;
using Verdict = NonceLedger::Verdict;

namespace {
const QByteArray kToken = "0123456789abcdef-shared-token";
}

class TestAuth : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void noncesAreFreshAndSized()
    {
        const auto a = makeNonce(), b = makeNonce();
        QCOMPARE(a.size(), kNonceBytes);
        QVERIFY(a != b);
    }

    void proofsMatchAnIndependentHmac()
    {
        const QByteArray s(32, 's'), c(32, 'c');
        const auto expected = QMessageAuthenticationCode::hash("aecnn-client" + s + c, kToken, QCryptographicHash::Sha256);
        QCOMPARE(clientProof(kToken, s, c), expected);
        QVERIFY(serverProof(kToken, s, c) != clientProof(kToken, s, c)); // directions cannot be swapped
        QVERIFY(clientProof("another-token-of-16+", s, c) != expected);
    }

    void constantTimeCompare()
    {
        QVERIFY(constantTimeEquals("abc", "abc"));
        QVERIFY(!constantTimeEquals("abc", "abd"));
        QVERIFY(!constantTimeEquals("abc", "abcd"));
    }

    void goodProofIsAccepted()
    {
        NonceLedger ledger;
        const auto s = ledger.issue();
        const auto c = makeNonce();
        QCOMPARE(ledger.outstanding(), size_t(1));
        QCOMPARE(int(ledger.verify(kToken, s, c, clientProof(kToken, s, c))), int(Verdict::Accepted));
        QCOMPARE(ledger.outstanding(), size_t(0));
    }

    void wrongTokenIsRefused()
    {
        NonceLedger ledger;
        const auto s = ledger.issue();
        const auto c = makeNonce();
        QCOMPARE(int(ledger.verify(kToken, s, c, clientProof("wrong-token-wrong-token", s, c))), int(Verdict::BadProof));
    }

    void replayedProofIsRefused()
    {
        NonceLedger ledger;
        const auto s1 = ledger.issue();
        const auto c = makeNonce();
        const auto proof = clientProof(kToken, s1, c);
        QCOMPARE(int(ledger.verify(kToken, s1, c, proof)), int(Verdict::Accepted));
        // Same challenge again: it was used up.
        QCOMPARE(int(ledger.verify(kToken, s1, c, proof)), int(Verdict::UnknownChallenge));
        // A recorded proof replayed against a new challenge: the client nonce is known.
        const auto s2 = ledger.issue();
        QCOMPARE(int(ledger.verify(kToken, s2, c, proof)), int(Verdict::ReplayedClientNonce));
        // Even with a fresh client nonce the old MAC is bound to the old challenge.
        const auto s3 = ledger.issue();
        QCOMPARE(int(ledger.verify(kToken, s3, makeNonce(), proof)), int(Verdict::BadProof));
    }

    void challengeGetsOneTry()
    {
        NonceLedger ledger;
        const auto s = ledger.issue();
        const auto c = makeNonce();
        QCOMPARE(int(ledger.verify(kToken, s, c, QByteArray(32, 'x'))), int(Verdict::BadProof));
        const auto c2 = makeNonce();
        QCOMPARE(int(ledger.verify(kToken, s, c2, clientProof(kToken, s, c2))), int(Verdict::UnknownChallenge));
    }

    void uninvitedAndMalformed()
    {
        NonceLedger ledger;
        const auto c = makeNonce();
        const QByteArray invented(32, 'i');
        QCOMPARE(int(ledger.verify(kToken, invented, c, clientProof(kToken, invented, c))), int(Verdict::UnknownChallenge));
        const auto s = ledger.issue();
        QCOMPARE(int(ledger.verify(kToken, s, "short", QByteArray(32, 'x'))), int(Verdict::Malformed));
        const auto s2 = ledger.issue();
        ledger.withdraw(s2);
        QCOMPARE(int(ledger.verify(kToken, s2, c, clientProof(kToken, s2, c))), int(Verdict::UnknownChallenge));
    }

    void ledgerMemoryIsBounded()
    {
        NonceLedger ledger(2);
        QByteArray first;
        for (int i = 0; i < 3; ++i) {
            const auto s = ledger.issue();
            const auto c = makeNonce();
            if (i == 0)
                first = c;
            QCOMPARE(int(ledger.verify(kToken, s, c, clientProof(kToken, s, c))), int(Verdict::Accepted));
        }
        // The oldest client nonce fell out of the window; its proof is still bound to an old challenge.
        const auto s = ledger.issue();
        QCOMPARE(int(ledger.verify(kToken, s, first, clientProof(kToken, s, first))), int(Verdict::Accepted));
    }

    void tokenValidation()
    {
        QCOMPARE(validatedToken("  0123456789abcdef\n", "test"), QByteArray("0123456789abcdef"));
        QVERIFY_THROWS_EXCEPTION(Error, validatedToken("short\n", "test"));
    }
};

QTEST_GUILESS_MAIN(TestAuth)
#include "test_auth.moc"
