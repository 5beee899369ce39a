#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <QByteArray>

#include "aecnn/error.h"
#include "aecnn/protocol/frame.h"
#include "aecnn/protocol/session_security.h"

namespace aecnn::protocol {

// The record layer of protocol version 2: after authentication every frame's payload
// is sealed (RFC 8446 §5 in spirit, with an explicit sequence number):
//
//   payload = seq (u64, big-endian) | body | tag (16 bytes)
//   aad     = frame header bytes 0..11 (magic, version, type, sealed length) | seq
//   encrypted: body = ChaCha20-Poly1305(key, nonce = iv XOR seq, aad, plaintext), tag = its tag
//   else:      body = plaintext, tag = HMAC-SHA256(key, aad | body) truncated to 16 bytes
//
// The type, version and length in the header are covered, so a sealed Ping cannot be
// turned into a Stop. TCP delivers in order, so the replay window is exact: each
// direction's sequence starts at 0 and the next record must carry exactly the next
// number (WireGuard keeps a window for UDP; over one TCP stream anything else is an
// attack). Any failure is a RecordError and the connection must be closed.
inline constexpr int kRecordSequenceBytes = 8;
inline constexpr int kRecordTagBytes = 16;
inline constexpr int kRecordOverheadBytes = kRecordSequenceBytes + kRecordTagBytes;

class RecordError : public Error {
public:
    enum class Kind { Truncated, BadTag, Replayed, OutOfOrder };
    RecordError(Kind kind, const std::string& message) : Error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

// Strict in-order sequence check of one receive direction.
class SequenceWindow {
public:
    enum class Verdict { Next, Replayed, Skipped };
    Verdict check(uint64_t sequence) const;
    void accept() { ++next_; }
    uint64_t next() const { return next_; }

private:
    uint64_t next_ = 0;
};

enum class Role { Edge, Agent };

// One connection's seal/open state; not thread-safe (one per connection).
class RecordLayer {
public:
    RecordLayer(Role role, const SessionKeys& keys);
    ~RecordLayer();
    RecordLayer(const RecordLayer&) = delete;
    RecordLayer& operator=(const RecordLayer&) = delete;

    bool encrypted() const { return encrypted_; }
    // The frame with its payload sealed under the next send sequence number.
    Frame seal(const Frame& plain);
    // An encoded frame (encodeFrame) sealed and encoded again; throws aecnn::Error if
    // `encoded` is not exactly one frame.
    QByteArray sealEncoded(const QByteArray& encoded);
    // The frame with its payload opened; throws RecordError (connection must close).
    Frame open(const Frame& sealed);
    uint64_t sealedCount() const { return sendSequence_; }
    uint64_t openedCount() const { return window_.next(); }

private:
    QByteArray sealBody(const QByteArray& aad, const QByteArray& plain, const DirectionKeys& keys, uint64_t sequence,
                        QByteArray* tag) const;
    std::optional<QByteArray> openBody(const QByteArray& aad, const QByteArray& body, const QByteArray& tag,
                                       const DirectionKeys& keys, uint64_t sequence) const;
    bool encrypted_;
    DirectionKeys sendKeys_, receiveKeys_;
    uint64_t sendSequence_ = 0;
    SequenceWindow window_;
    std::string peerName_;
};

} // namespace aecnn::protocol
