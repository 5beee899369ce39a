#include "aecnn/protocol/auth.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

#include "aecnn/error.h"

namespace aecnn::protocol {
namespace {

QByteArray mac(const QByteArray& token, const char* label, const QByteArray& first, const QByteArray& second)
{
    QMessageAuthenticationCode code(QCryptographicHash::Sha256, token);
    code.addData(label);
    code.addData(first);
    code.addData(second);
    return code.result();
}

} // namespace

QByteArray makeNonce()
{
    QByteArray nonce(kNonceBytes, '\0');
    QRandomGenerator::system()->generate(reinterpret_cast<quint32*>(nonce.data()),
                                         reinterpret_cast<quint32*>(nonce.data() + kNonceBytes));
    return nonce;
}

QByteArray clientProof(const QByteArray& token, const QByteArray& serverNonce, const QByteArray& clientNonce)
{
    return mac(token, "aecnn-client", serverNonce, clientNonce);
}

QByteArray serverProof(const QByteArray& token, const QByteArray& serverNonce, const QByteArray& clientNonce)
{
    return mac(token, "aecnn-server", clientNonce, serverNonce);
}

bool constantTimeEquals(const QByteArray& a, const QByteArray& b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

QByteArray validatedToken(const QByteArray& raw, const std::string& origin)
{
    const QByteArray token = raw.trimmed();
    if (token.size() < kMinTokenBytes)
        throw Error("the token from " + origin + " is " + std::to_string(token.size()) + " bytes; use at least " +
                    std::to_string(kMinTokenBytes) + " random bytes (e.g. `head -c 32 /dev/urandom | base64`)");
    return token;
}

QByteArray NonceLedger::issue()
{
    QByteArray nonce = makeNonce();
    outstanding_.insert(nonce);
    return nonce;
}

void NonceLedger::withdraw(const QByteArray& serverNonce)
{
    outstanding_.erase(serverNonce);
}

NonceLedger::Verdict NonceLedger::verify(const QByteArray& token, const QByteArray& serverNonce,
                                         const QByteArray& clientNonce, const QByteArray& clientMac)
{
    if (outstanding_.erase(serverNonce) == 0)
        return Verdict::UnknownChallenge;
    if (clientNonce.size() != kNonceBytes || clientMac.size() != 32)
        return Verdict::Malformed;
    if (seenClient_.count(clientNonce) > 0)
        return Verdict::ReplayedClientNonce;
    remember(clientNonce);
    if (!constantTimeEquals(clientProof(token, serverNonce, clientNonce), clientMac))
        return Verdict::BadProof;
    return Verdict::Accepted;
}

void NonceLedger::remember(const QByteArray& clientNonce)
{
    seenClient_.insert(clientNonce);
    seenOrder_.push_back(clientNonce);
    while (seenOrder_.size() > capacity_) {
        seenClient_.erase(seenOrder_.front());
        seenOrder_.pop_front();
    }
}

std::string toString(NonceLedger::Verdict verdict)
{
    switch (verdict) {
    case NonceLedger::Verdict::Accepted: return "accepted";
    case NonceLedger::Verdict::UnknownChallenge: return "proof for a challenge that was not issued or already used";
    case NonceLedger::Verdict::ReplayedClientNonce: return "replayed client nonce";
    case NonceLedger::Verdict::BadProof: return "wrong proof (token mismatch)";
    case NonceLedger::Verdict::Malformed: return "malformed proof";
    }
    return "unknown";
}

} // namespace aecnn::protocol
