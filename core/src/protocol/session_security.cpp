#include "aecnn/protocol/session_security.h"

#include <QHostAddress>

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "aecnn/error.h"

namespace aecnn::protocol {
namespace {

const unsigned char* bytes(const QByteArray& a)
{
    return reinterpret_cast<const unsigned char*>(a.constData());
}

struct PkeyCtx {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr);
    ~PkeyCtx() { EVP_PKEY_CTX_free(ctx); }
};

QByteArray hkdf(int mode, const QByteArray& saltOrPrk, const QByteArray& ikm, const QByteArray& info, size_t length)
{
    PkeyCtx p;
    const bool extract = mode == EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY;
    // An empty salt is a string of zeros (RFC 5869 §2.2); libcrypto wants a non-null pointer.
    const QByteArray salt = extract && saltOrPrk.isEmpty() ? QByteArray(32, '\0') : saltOrPrk;
    QByteArray out(static_cast<qsizetype>(length), '\0');
    const bool ok = p.ctx && EVP_PKEY_derive_init(p.ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md(p.ctx, EVP_sha256()) > 0 &&
                    EVP_PKEY_CTX_set_hkdf_mode(p.ctx, mode) > 0 &&
                    (extract ? EVP_PKEY_CTX_set1_hkdf_salt(p.ctx, bytes(salt), int(salt.size())) > 0 &&
                                   EVP_PKEY_CTX_set1_hkdf_key(p.ctx, bytes(ikm), int(ikm.size())) > 0
                             : EVP_PKEY_CTX_set1_hkdf_key(p.ctx, bytes(saltOrPrk), int(saltOrPrk.size())) > 0 &&
                                   EVP_PKEY_CTX_add1_hkdf_info(p.ctx, bytes(info), int(info.size())) > 0) &&
                    EVP_PKEY_derive(p.ctx, reinterpret_cast<unsigned char*>(out.data()), &length) > 0;
    if (!ok || static_cast<qsizetype>(length) != out.size())
        throw Error(std::string("libcrypto HKDF-SHA256 ") + (extract ? "extract" : "expand") + " failed");
    return out;
}

DirectionKeys directionKeys(const QByteArray& prk, const char* direction, const char* mode, const QByteArray& th)
{
    const QByteArray prefix = QByteArray("aecnn-v2 ") + direction;
    return {hkdfExpand(prk, prefix + " key " + mode + th, kSessionKeyBytes),
            hkdfExpand(prk, prefix + " iv " + mode + th, kSessionIvBytes)};
}

} // namespace

QByteArray sha256(const QByteArray& data)
{
    QByteArray out(32, '\0');
    unsigned int size = 0;
    if (EVP_Digest(data.constData(), static_cast<size_t>(data.size()), reinterpret_cast<unsigned char*>(out.data()),
                   &size, EVP_sha256(), nullptr) != 1 ||
        size != 32)
        throw Error("libcrypto SHA-256 failed");
    return out;
}

QByteArray hkdfExtract(const QByteArray& salt, const QByteArray& ikm)
{
    return hkdf(EVP_PKEY_HKDEF_MODE_EXTRACT_ONLY, salt, ikm, {}, 32);
}

QByteArray hkdfExpand(const QByteArray& prk, const QByteArray& info, int length)
{
    if (length <= 0 || length > 255 * 32)
        throw Error("HKDF-SHA256 cannot expand to " + std::to_string(length) + " bytes (1..8160)");
    return hkdf(EVP_PKEY_HKDEF_MODE_EXPAND_ONLY, prk, {}, info, static_cast<size_t>(length));
}

SessionKeys deriveSessionKeys(const QByteArray& token, const QByteArray& serverNonce, const QByteArray& clientNonce,
                              const QByteArray& transcriptHash, bool encrypted)
{
    if (token.isEmpty())
        throw Error("no session keys without a token: a tokenless session is unauthenticated (loopback only)");
    const QByteArray prk = hkdfExtract("aecnn-v2" + serverNonce + clientNonce, token);
    const char* mode = encrypted ? "aead" : "mac";
    SessionKeys keys;
    keys.edgeToAgent = directionKeys(prk, "edge->agent", mode, transcriptHash);
    keys.agentToEdge = directionKeys(prk, "agent->edge", mode, transcriptHash);
    keys.encrypted = encrypted;
    return keys;
}

std::optional<EncryptionPolicy> encryptionPolicyFrom(const QString& text)
{
    const QString t = text.trimmed().toLower();
    if (t == "on")
        return EncryptionPolicy::On;
    if (t == "off")
        return EncryptionPolicy::Off;
    if (t == "auto")
        return EncryptionPolicy::Auto;
    return std::nullopt;
}

EncryptionPolicy parseEncryptionPolicy(const QString& text, const std::string& option)
{
    if (const auto policy = encryptionPolicyFrom(text))
        return *policy;
    throw Error(option + ": '" + text.toStdString() +
                "' is not an encryption setting; use on, off or auto (auto = on unless the peer is on loopback)");
}

QString toString(EncryptionPolicy policy)
{
    switch (policy) {
    case EncryptionPolicy::Off: return "off";
    case EncryptionPolicy::On: return "on";
    case EncryptionPolicy::Auto: return "auto";
    }
    return "?";
}

bool wantsEncryption(EncryptionPolicy policy, const QHostAddress& peer)
{
    switch (policy) {
    case EncryptionPolicy::Off: return false;
    case EncryptionPolicy::On: return true;
    case EncryptionPolicy::Auto: return !peer.isLoopback();
    }
    return true;
}

} // namespace aecnn::protocol
