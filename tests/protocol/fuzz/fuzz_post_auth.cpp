// libFuzzer target for what agent and edge do with bytes after authentication
// (record_layer.h, messages.h): the byte stream goes through a FrameReader, every
// complete frame through RecordLayer::open(), every opened record through the message
// decoder of its type, exactly as AgentConnection / EdgeSession do. The session state
// is built deterministically: fixed token, nonces and transcript hash, as a real
// handshake would give (session_security.h), in both modes (HMAC-only and encrypted).
//
// Input: byte 0 = flags, then the bytes as they arrive on the socket.
//   bit 0: encrypted records (ChaCha20-Poly1305), else HMAC-SHA256-128
//   bit 1: the edge receives (agent -> edge records), else the agent receives
//   bit 2: recompute each frame's CRC-32 first, so that mutations reach the record layer
//   bit 3: the stream negotiated compact frames (type 23, compact_frame.h): the reader takes them
//          and a CompactFrameReader decodes them in order (sequence gaps refused)
//   bit 4: with bit 3, the compact frames carry the device's times (frame_timing true)
//   the first bytes of the rest: the type and the bit flipped in the forged-record check
//
// Checks (any violation traps, which libFuzzer reports as a crash):
//  1. Nothing crashes, reads out of bounds or throws anything but aecnn::Error.
//  2. A record is accepted only if it is byte-identical to the record the legitimate
//     peer seals for the same plaintext at that sequence number: a reference sender
//     with the same keys re-seals every opened plaintext and the bytes must match. So
//     a mutated valid record (the seeds are valid records) is rejected unless the
//     mutation left it unchanged.
//  3. Forgery by a bit flip: a valid record is sealed from the input (type and payload
//     from its bytes), one bit of it (header, sequence, body or tag; CRC recomputed)
//     is flipped, and a fresh receiver must refuse it.
#include <cstdint>
#include <cstring>

#include <zlib.h>

#include <QByteArray>

#include "aecnn/error.h"
#include "aecnn/protocol/compact_frame.h"
#include "aecnn/protocol/frame.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"

namespace {

using namespace aecnn::protocol;

const SessionKeys& keysFor(bool encrypted)
{
    // Fixed "handshake": what deriveSessionKeys() gets after a real Hello .. AuthProof.
    static const QByteArray token("fuzz-token-0123456789abcdef0123456789");
    static const QByteArray serverNonce(32, '\x11'), clientNonce(32, '\x22');
    static const QByteArray transcript = sha256("fuzz transcript");
    static const SessionKeys mac = deriveSessionKeys(token, serverNonce, clientNonce, transcript, false);
    static const SessionKeys aead = deriveSessionKeys(token, serverNonce, clientNonce, transcript, true);
    return encrypted ? aead : mac;
}

uint32_t getU32(const char* p)
{
    return uint32_t(uint8_t(p[0])) << 24 | uint32_t(uint8_t(p[1])) << 16 | uint32_t(uint8_t(p[2])) << 8 |
           uint32_t(uint8_t(p[3]));
}

void putU32(char* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = static_cast<char>(v >> (8 * (3 - i)));
}

// Recomputes the CRC of every whole frame in the stream (as far as lengths allow).
void fixCrcs(QByteArray& stream)
{
    size_t at = 0;
    const size_t size = static_cast<size_t>(stream.size());
    while (at < size) {
        char* frame = stream.data() + at;
        if (uint8_t(frame[0]) == kCompactFrameMarker) { // no CRC: skip it by its varint length
            uint64_t length = 0;
            size_t i = 1;
            for (; i <= kMaxCompactLengthBytes && at + i < size; ++i) {
                length |= uint64_t(uint8_t(frame[i]) & 0x7F) << (7 * (i - 1));
                if (!(uint8_t(frame[i]) & 0x80))
                    break;
            }
            if (i > kMaxCompactLengthBytes || at + i >= size || length > size - at - i - 1)
                return;
            at += i + 1 + length;
            continue;
        }
        if (size - at < kHeaderBytes)
            return;
        const uint32_t length = getU32(frame + 8);
        if (length > size - at - kHeaderBytes)
            return;
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32(crc, reinterpret_cast<const Bytef*>(frame), 12);
        crc = crc32(crc, reinterpret_cast<const Bytef*>(frame + kHeaderBytes), static_cast<uInt>(length));
        putU32(frame + 12, static_cast<uint32_t>(crc));
        at += kHeaderBytes + length;
    }
}

// The receiving side's message decoder, for every type a peer might send.
void decodeAny(const Frame& frame, CompactFrameReader& compact, CompactFrameWriter& mirror)
{
    switch (frame.type) {
    case MessageType::Hello: decodeMessage<Hello>(frame); return;
    case MessageType::HelloAck: decodeMessage<HelloAck>(frame); return;
    case MessageType::Challenge: decodeMessage<Challenge>(frame); return;
    case MessageType::AuthProof: decodeMessage<AuthProof>(frame); return;
    case MessageType::AuthResult: decodeMessage<AuthResult>(frame); return;
    case MessageType::Configure: decodeMessage<Configure>(frame); return;
    case MessageType::ConfigureAck: decodeMessage<ConfigureAck>(frame); return;
    case MessageType::DeployBegin: decodeMessage<DeployBegin>(frame); return;
    case MessageType::DeployChunk: decodeMessage<DeployChunk>(frame); return;
    case MessageType::DeployEnd: decodeMessage<DeployEnd>(frame); return;
    case MessageType::DeployResult: decodeMessage<DeployResult>(frame); return;
    case MessageType::Start: decodeMessage<Start>(frame); return;
    case MessageType::Stop: decodeMessage<Stop>(frame); return;
    case MessageType::FrameData: decodeMessage<FrameData>(frame); return;
    case MessageType::StreamEnd: decodeMessage<StreamEnd>(frame); return;
    case MessageType::Ping: decodeMessage<Ping>(frame); return;
    case MessageType::Pong: decodeMessage<Pong>(frame); return;
    case MessageType::Heartbeat: decodeMessage<Heartbeat>(frame); return;
    case MessageType::Error: decodeMessage<ErrorMessage>(frame); return;
    case MessageType::FrameAck: decodeMessage<FrameAck>(frame); return;
    case MessageType::DeviceProfile: decodeMessage<DeviceProfileMessage>(frame); return;
    case MessageType::SessionFrame: decodeMessage<SessionFrame>(frame); return;
    case MessageType::CompactFrame: {
        // What the edge does with one (edge_session.cpp): read it in sequence. The form is canonical,
        // so a writer that saw the same frames re-encodes it to the same payload.
        const uint64_t next = compact.nextSequence();
        const SessionFrame m = compact.read(frame);
        if (m.sequence != next || compact.nextSequence() != next + 1 || mirror.toFrame(m).payload != frame.payload)
            __builtin_trap();
        return;
    }
    }
    __builtin_trap(); // FrameReader handed out a type messageTypeFrom() does not know
}

// Check 1 and 2 on one received stream.
void receiveStream(const QByteArray& stream, bool encrypted, Role receiver, bool compactFrames, bool timing)
{
    const Role sender = receiver == Role::Edge ? Role::Agent : Role::Edge;
    RecordLayer in(receiver, keysFor(encrypted));
    RecordLayer reference(sender, keysFor(encrypted));
    FrameReader reader;
    reader.setCompactAllowed(compactFrames);
    CompactFrameReader compact(timing);
    CompactFrameWriter mirror(timing);
    reader.append(stream);
    for (;;) {
        const DecodeResult r = reader.next();
        if (r.status != DecodeResult::Status::Complete)
            return; // NeedMore: wait; Failed: the connection closes
        Frame opened;
        try {
            opened = in.open(r.frame);
        } catch (const RecordError&) {
            return; // the connection closes before the record is used
        }
        // Accepted: it must be exactly what the legitimate peer sends for this plaintext.
        const Frame resealed = reference.seal(opened);
        if (resealed.version != r.frame.version || resealed.type != r.frame.type ||
            resealed.payload != r.frame.payload)
            __builtin_trap();
        try {
            decodeAny(opened, compact, mirror);
        } catch (const aecnn::Error&) {
            // ProtocolError: the peer closes the connection with a clear message
        }
    }
}

// Check 3: a valid record with one bit flipped is refused.
void bitFlipForgery(const uint8_t* data, size_t size, bool encrypted, Role receiver)
{
    const Role sender = receiver == Role::Edge ? Role::Agent : Role::Edge;
    RecordLayer out(sender, keysFor(encrypted));
    RecordLayer in(receiver, keysFor(encrypted));
    const uint16_t type = static_cast<uint16_t>(1 + (size > 0 ? data[0] % 23 : 0)); // 23 = CompactFrame
    const size_t payloadSize = size > 1 ? std::min<size_t>(size - 1, 512) : 0;
    const Frame plain{kMaxVersion, static_cast<MessageType>(type),
                      QByteArray(reinterpret_cast<const char*>(data) + (size > 1 ? 1 : 0),
                                 static_cast<qsizetype>(payloadSize))};
    QByteArray sealed = encodeFrame(out.seal(plain));
    uint32_t selector = 0;
    for (size_t i = 0; i < std::min<size_t>(size, 4); ++i)
        selector = selector << 8 | data[i];
    const bool compact = plain.type == MessageType::CompactFrame; // no CRC field: any bit
    // Any bit outside the CRC field (the CRC is recomputed, so it would not protect).
    const size_t bits = static_cast<size_t>(sealed.size() - (compact ? 0 : 4)) * 8;
    size_t bit = selector % bits;
    size_t byte = bit / 8;
    if (byte >= 12 && !compact)
        byte += 4; // skip the CRC field
    sealed[static_cast<qsizetype>(byte)] = static_cast<char>(sealed[static_cast<qsizetype>(byte)] ^ (1 << (bit % 8)));
    fixCrcs(sealed);
    const DecodeResult r = decodeWholeFrame(sealed, kDefaultMaxPayload, true);
    if (r.status != DecodeResult::Status::Complete)
        return; // refused by the frame layer (bad magic, version, type or length)
    try {
        in.open(r.frame);
    } catch (const RecordError&) {
        return; // refused by the record layer
    }
    __builtin_trap(); // a forged record was accepted
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t flags = data[0];
    const bool encrypted = flags & 1;
    const Role receiver = (flags & 2) ? Role::Edge : Role::Agent;
    QByteArray stream(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    if (flags & 4)
        fixCrcs(stream);
    receiveStream(stream, encrypted, receiver, flags & 8, flags & 16);
    bitFlipForgery(data + 1, size - 1, encrypted, receiver);
    return 0;
}

#ifdef AECNN_FUZZ_WRITE_SEEDS
// `fuzz_post_auth_seeds DIR`: writes the seed corpus (valid sealed streams of each mode).
#include <QDir>
#include <QFile>

int main(int argc, char** argv)
{
    if (argc != 2)
        return 2;
    QDir().mkpath(argv[1]);
    int n = 0;
    // 0..7 as before; with compact frames (bit 3) and device times in them (bit 4) towards the edge.
    for (int flags : {0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 14, 26, 27, 30}) {
        const bool encrypted = flags & 1;
        const Role receiver = (flags & 2) ? Role::Edge : Role::Agent;
        RecordLayer out(receiver == Role::Edge ? Role::Agent : Role::Edge, keysFor(encrypted));
        QByteArray stream(1, static_cast<char>(flags));
        if (receiver == Role::Edge) {
            stream += encodeFrame(out.seal(toFrame(DeviceProfileMessage{
                true, "", QJsonObject{{"format", "aecnn-device-profile"}, {"version", 1}, {"name", "seed"}}})));
            stream += encodeFrame(out.seal(toFrame(ConfigureAck{true, "ok", QJsonObject{{"mode", "aecnn"}}})));
            stream += encodeFrame(out.seal(toFrame(FrameData{0, 3, -1, 1.5, 0.25, 123456, "features", "abc"})));
            stream += encodeFrame(out.seal(toFrame(SessionFrame{1, 3, 1500, 250, 123457, QByteArray("\x01\x02" "abc", 5)})));
            if (flags & 8) { // compact frames (type 23): frames 0, 1, 2 of a stream
                CompactFrameWriter compact(flags & 16);
                for (quint64 i = 0; i < 3; ++i)
                    stream += encodeFrame(out.seal(compact.toFrame(
                        SessionFrame{i, qint32(i) - 1, 1500, 250, 123457 + 2500 * qint64(i), QByteArray("\x2a" "abc", 4)})));
            }
            stream += encodeFrame(out.seal(toFrame(Pong{1, 2})));
            stream += encodeFrame(out.seal(toFrame(StreamEnd{1, "done"})));
        } else {
            stream += encodeFrame(out.seal(toFrame(Configure{QJsonObject{{"mode", "aecnn"}, {"bits", 8}}})));
            stream += encodeFrame(out.seal(toFrame(DeployBegin{"m", 3, QByteArray(32, 's')})));
            stream += encodeFrame(out.seal(toFrame(DeployChunk{"abc"})));
            stream += encodeFrame(out.seal(toFrame(DeployEnd{})));
            stream += encodeFrame(out.seal(toFrame(Start{2})));
            stream += encodeFrame(out.seal(toFrame(Ping{7})));
            stream += encodeFrame(out.seal(toFrame(FrameAck{0})));
        }
        QFile file(QString("%1/seed%2.rec").arg(argv[1]).arg(n++));
        if (!file.open(QIODevice::WriteOnly) || file.write(stream) != stream.size())
            return 1;
    }
    return 0;
}
#endif
