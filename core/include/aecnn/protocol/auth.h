#pragma once

#include <cstddef>
#include <deque>
#include <set>
#include <string>

#include <QByteArray>

namespace aecnn::protocol {

// Mutual HMAC-SHA256 challenge-response over a pre-shared token:
//   agent -> edge  Challenge  { serverNonce }            fresh per connection
//   edge  -> agent AuthProof  { clientNonce, clientMac }  HMAC(token, "aecnn-client" | serverNonce | clientNonce)
//   agent -> edge  AuthResult { ok, serverMac }           HMAC(token, "aecnn-server" | clientNonce | serverNonce)
// The token never crosses the wire; each proof is bound to both nonces.
inline constexpr int kNonceBytes = 32;
inline constexpr int kMinTokenBytes = 16;

QByteArray makeNonce(); // kNonceBytes from the system CSPRNG
QByteArray clientProof(const QByteArray& token, const QByteArray& serverNonce, const QByteArray& clientNonce);
QByteArray serverProof(const QByteArray& token, const QByteArray& serverNonce, const QByteArray& clientNonce);
// Comparison whose time does not depend on where the inputs differ.
bool constantTimeEquals(const QByteArray& a, const QByteArray& b);

// Token from a file's contents (surrounding whitespace trimmed). Throws aecnn::Error
// when it is shorter than kMinTokenBytes. `origin` names the source in the message.
QByteArray validatedToken(const QByteArray& raw, const std::string& origin);

// The agent's memory of nonces, shared by all its connections: a server nonce
// can be answered once; a client nonce is never accepted twice.
class NonceLedger {
public:
    explicit NonceLedger(size_t capacity = 4096) : capacity_(capacity) {}
    QByteArray issue();                               // fresh server nonce, outstanding until used
    void withdraw(const QByteArray& serverNonce);     // the connection went away unanswered

    enum class Verdict { Accepted, UnknownChallenge, ReplayedClientNonce, BadProof, Malformed };
    // Checks a proof for an outstanding server nonce; the server nonce is used up
    // whatever the verdict, so each challenge gets exactly one try.
    Verdict verify(const QByteArray& token, const QByteArray& serverNonce, const QByteArray& clientNonce,
                   const QByteArray& clientMac);
    size_t outstanding() const { return outstanding_.size(); }

private:
    void remember(const QByteArray& clientNonce);
    size_t capacity_;
    std::set<QByteArray> outstanding_;
    std::set<QByteArray> seenClient_;
    std::deque<QByteArray> seenOrder_;
};
std::string toString(NonceLedger::Verdict verdict);

} // namespace aecnn::protocol
