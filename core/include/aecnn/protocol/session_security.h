#pragma once

#include <optional>
#include <string>

#include <QByteArray>
#include <QString>

#include "aecnn/protocol/frame.h"

class QHostAddress;

namespace aecnn::protocol {

// Session security of protocol version 2 (TLS 1.3 §7.1 and Noise in spirit):
//
//   edge  -> agent  Hello       ┐
//   agent -> edge   HelloAck    │ transcript: these four frames, byte for byte as sent
//   agent -> edge   Challenge   │ (their encrypt flags included, so a downgrade breaks
//   edge  -> agent  AuthProof   ┘  the keys)
//   agent -> edge   AuthResult     the agent's proof (auth.h); last plaintext message
//   ... every later message in both directions is a sealed record (record_layer.h)
//
//   PRK  = HKDF-Extract(salt = "aecnn-v2" | serverNonce | clientNonce, IKM = token)
//   key  = HKDF-Expand(PRK, "aecnn-v2 <dir> key <mode>" | SHA-256(transcript), 32)
//   iv   = HKDF-Expand(PRK, "aecnn-v2 <dir> iv <mode>"  | SHA-256(transcript), 12)
//   <dir> = "edge->agent" or "agent->edge" (a key per direction), <mode> = "aead" | "mac".
//
// Tokenless (loopback only): there is no secret, so there are no keys and no record
// layer. Such a session is unauthenticated and unprotected; any local process can
// read, forge or inject messages. The agent refuses to run tokenless off loopback.
inline constexpr int kSessionKeyBytes = 32;
inline constexpr int kSessionIvBytes = 12;

QByteArray sha256(const QByteArray& data);
// RFC 5869 with SHA-256, through libcrypto. Throws aecnn::Error when libcrypto fails.
QByteArray hkdfExtract(const QByteArray& salt, const QByteArray& ikm);
QByteArray hkdfExpand(const QByteArray& prk, const QByteArray& info, int length);

// The handshake frames in the order they travel; both sides must add the same ones.
class HandshakeTranscript {
public:
    void add(const Frame& frame) { bytes_.append(encodeFrame(frame)); }
    QByteArray hash() const { return sha256(bytes_); }
    void clear() { bytes_.clear(); }

private:
    QByteArray bytes_;
};

struct DirectionKeys {
    QByteArray key; // kSessionKeyBytes
    QByteArray iv;  // kSessionIvBytes (AEAD nonce base)
};
struct SessionKeys {
    DirectionKeys edgeToAgent;
    DirectionKeys agentToEdge;
    bool encrypted = false; // ChaCha20-Poly1305 records; else HMAC-SHA256-128 only
};
// Throws aecnn::Error on an empty token (a tokenless session has no keys).
SessionKeys deriveSessionKeys(const QByteArray& token, const QByteArray& serverNonce, const QByteArray& clientNonce,
                              const QByteArray& transcriptHash, bool encrypted);

// --encrypt on|off|auto on both sides. Auto = on unless the peer is on loopback. The
// session is encrypted when either side wants it ("off" means "not required").
enum class EncryptionPolicy { Off, On, Auto };
std::optional<EncryptionPolicy> encryptionPolicyFrom(const QString& text);
// Like encryptionPolicyFrom, but throws aecnn::Error naming `option` and the valid values.
EncryptionPolicy parseEncryptionPolicy(const QString& text, const std::string& option);
QString toString(EncryptionPolicy policy);
bool wantsEncryption(EncryptionPolicy policy, const QHostAddress& peer);

} // namespace aecnn::protocol
