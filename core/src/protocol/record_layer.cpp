#include "aecnn/protocol/record_layer.h"

#include <cstring>
#include <memory>
#include <optional>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace aecnn::protocol {
namespace {

void putBigEndian(char* p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        p[i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
}

uint64_t getU64(const char* p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | uint8_t(p[i]);
    return v;
}

// Header bytes 0..11 of the sealed frame, then the sequence number. A compact frame (type 23,
// frame.h) has no such header on the wire: its additional data is the header it would have,
// with version kCompactFrameVersion, so that type and length are bound all the same.
QByteArray additionalData(const Frame& frame, uint32_t sealedLength, uint64_t sequence)
{
    QByteArray aad(12 + kRecordSequenceBytes, '\0');
    std::memcpy(aad.data(), kMagic, 4);
    putBigEndian(aad.data() + 4, frame.type == MessageType::CompactFrame ? kCompactFrameVersion : frame.version, 2);
    putBigEndian(aad.data() + 6, static_cast<uint16_t>(frame.type), 2);
    putBigEndian(aad.data() + 8, sealedLength, 4);
    putBigEndian(aad.data() + 12, sequence, 8);
    return aad;
}

unsigned char* u(QByteArray& a)
{
    return reinterpret_cast<unsigned char*>(a.data());
}
const unsigned char* u(const QByteArray& a)
{
    return reinterpret_cast<const unsigned char*>(a.constData());
}

QByteArray hmacSha256(const QByteArray& key, const QByteArray& aad, const QByteArray& body)
{
    std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr), EVP_MAC_free);
    std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr,
                                                                   EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    QByteArray out(32, '\0');
    size_t size = 0;
    const bool ok = ctx && EVP_MAC_init(ctx.get(), u(key), static_cast<size_t>(key.size()), params) == 1 &&
                    EVP_MAC_update(ctx.get(), u(aad), static_cast<size_t>(aad.size())) == 1 &&
                    EVP_MAC_update(ctx.get(), u(body), static_cast<size_t>(body.size())) == 1 &&
                    EVP_MAC_final(ctx.get(), u(out), &size, 32) == 1 && size == 32;
    if (!ok)
        throw Error("libcrypto HMAC-SHA256 failed");
    return out;
}

} // namespace

SequenceWindow::Verdict SequenceWindow::check(uint64_t sequence) const
{
    if (sequence == next_)
        return Verdict::Next;
    return sequence < next_ ? Verdict::Replayed : Verdict::Skipped;
}

RecordLayer::RecordLayer(Role role, const SessionKeys& keys)
    : encrypted_(keys.encrypted), sendKeys_(role == Role::Edge ? keys.edgeToAgent : keys.agentToEdge),
      receiveKeys_(role == Role::Edge ? keys.agentToEdge : keys.edgeToAgent),
      peerName_(role == Role::Edge ? "agent" : "edge")
{
    if (sendKeys_.key.size() != kSessionKeyBytes || receiveKeys_.key.size() != kSessionKeyBytes ||
        sendKeys_.iv.size() != kSessionIvBytes || receiveKeys_.iv.size() != kSessionIvBytes)
        throw Error("record layer: session keys of the wrong size");
}

RecordLayer::~RecordLayer()
{
    for (auto* k : {&sendKeys_, &receiveKeys_}) {
        OPENSSL_cleanse(k->key.data(), static_cast<size_t>(k->key.size()));
        OPENSSL_cleanse(k->iv.data(), static_cast<size_t>(k->iv.size()));
    }
}

namespace {

QByteArray chachaNonce(const DirectionKeys& keys, uint64_t sequence)
{
    QByteArray nonce = keys.iv; // RFC 8446 §5.3: iv XOR the sequence number, right-aligned
    for (int i = 0; i < 8; ++i)
        nonce[kSessionIvBytes - 1 - i] = static_cast<char>(nonce[kSessionIvBytes - 1 - i] ^ char(sequence >> (8 * i)));
    return nonce;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

} // namespace

QByteArray RecordLayer::sealBody(const QByteArray& aad, const QByteArray& plain, const DirectionKeys& keys,
                                 uint64_t sequence, QByteArray* tag) const
{
    if (!encrypted_) {
        *tag = hmacSha256(keys.key, aad, plain).left(kRecordTagBytes);
        return plain;
    }
    const QByteArray nonce = chachaNonce(keys, sequence);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray out(plain.size(), '\0');
    int len = 0, finalLen = 0;
    tag->resize(kRecordTagBytes);
    const bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, u(keys.key), u(nonce)) == 1 &&
                    EVP_EncryptUpdate(ctx.get(), nullptr, &len, u(aad), int(aad.size())) == 1 &&
                    (plain.isEmpty() || EVP_EncryptUpdate(ctx.get(), u(out), &len, u(plain), int(plain.size())) == 1) &&
                    EVP_EncryptFinal_ex(ctx.get(), u(out) + (plain.isEmpty() ? 0 : len), &finalLen) == 1 &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kRecordTagBytes, tag->data()) == 1;
    if (!ok)
        throw Error("libcrypto ChaCha20-Poly1305 encryption failed");
    return out;
}

std::optional<QByteArray> RecordLayer::openBody(const QByteArray& aad, const QByteArray& body, const QByteArray& tag,
                                                const DirectionKeys& keys, uint64_t sequence) const
{
    if (!encrypted_) {
        const QByteArray expected = hmacSha256(keys.key, aad, body);
        if (CRYPTO_memcmp(expected.constData(), tag.constData(), kRecordTagBytes) != 0)
            return std::nullopt;
        return body;
    }
    const QByteArray nonce = chachaNonce(keys, sequence);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    QByteArray out(body.size(), '\0');
    QByteArray expected = tag;
    int len = 0, finalLen = 0;
    const bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, u(keys.key), u(nonce)) == 1 &&
                    EVP_DecryptUpdate(ctx.get(), nullptr, &len, u(aad), int(aad.size())) == 1 &&
                    (body.isEmpty() || EVP_DecryptUpdate(ctx.get(), u(out), &len, u(body), int(body.size())) == 1) &&
                    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kRecordTagBytes, expected.data()) == 1 &&
                    EVP_DecryptFinal_ex(ctx.get(), u(out) + (body.isEmpty() ? 0 : len), &finalLen) == 1;
    if (!ok)
        return std::nullopt;
    return out;
}

Frame RecordLayer::seal(const Frame& plain)
{
    if (sendSequence_ == UINT64_MAX)
        throw Error("record layer: the send sequence number is exhausted; reconnect");
    const uint64_t sequence = sendSequence_++;
    const auto sealedLength = static_cast<uint32_t>(plain.payload.size() + kRecordOverheadBytes);
    const QByteArray aad = additionalData(plain, sealedLength, sequence);
    QByteArray tag;
    const QByteArray body = sealBody(aad, plain.payload, sendKeys_, sequence, &tag);
    Frame sealed{plain.type == MessageType::CompactFrame ? kCompactFrameVersion : plain.version, plain.type,
                 QByteArray()};
    sealed.payload.reserve(static_cast<qsizetype>(sealedLength));
    sealed.payload.append(aad.constData() + 12, kRecordSequenceBytes);
    sealed.payload.append(body);
    sealed.payload.append(tag);
    return sealed;
}

QByteArray RecordLayer::sealEncoded(const QByteArray& encoded)
{
    const auto r = decodeWholeFrame(encoded, UINT32_MAX, true); // our own bytes: compact frames included
    if (r.status != DecodeResult::Status::Complete)
        throw Error("record layer: cannot seal what is not one frame: " + r.message);
    return encodeFrame(seal(r.frame), UINT32_MAX);
}

Frame RecordLayer::open(const Frame& sealed)
{
    const std::string what = "the " + peerName_ + "'s " + toString(sealed.type) + " record";
    if (sealed.payload.size() < kRecordOverheadBytes)
        throw RecordError(RecordError::Kind::Truncated,
                          what + " is " + std::to_string(sealed.payload.size()) +
                              " bytes, shorter than a sequence number and tag (" +
                              std::to_string(kRecordOverheadBytes) + "): not sealed, or truncated");
    const uint64_t sequence = getU64(sealed.payload.constData());
    const QByteArray aad = additionalData(sealed, static_cast<uint32_t>(sealed.payload.size()), sequence);
    const qsizetype bodySize = sealed.payload.size() - kRecordOverheadBytes;
    const QByteArray body = sealed.payload.mid(kRecordSequenceBytes, bodySize);
    const auto opened = openBody(aad, body, sealed.payload.right(kRecordTagBytes), receiveKeys_, sequence);
    if (!opened)
        throw RecordError(RecordError::Kind::BadTag,
                          what + " (sequence " + std::to_string(sequence) +
                              ") failed its authentication tag: forged, altered or truncated on the way");
    switch (window_.check(sequence)) {
    case SequenceWindow::Verdict::Next: break;
    case SequenceWindow::Verdict::Replayed:
        throw RecordError(RecordError::Kind::Replayed, what + " was replayed: sequence " + std::to_string(sequence) +
                                                           ", already received up to " +
                                                           std::to_string(window_.next() - 1));
    case SequenceWindow::Verdict::Skipped:
        throw RecordError(RecordError::Kind::OutOfOrder,
                          what + " is out of order: sequence " + std::to_string(sequence) + ", expected " +
                              std::to_string(window_.next()) + " (a record was dropped or reordered)");
    }
    window_.accept();
    return Frame{sealed.version, sealed.type, *opened};
}

} // namespace aecnn::protocol
