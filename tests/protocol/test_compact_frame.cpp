#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/protocol/compact_frame.h"
#include "aecnn/protocol/frame.h"
#include "aecnn/protocol/messages.h"
#include "aecnn/protocol/record_layer.h"
#include "aecnn/protocol/session_security.h"

using namespace aecnn;
using namespace aecnn::protocol;
using Status = DecodeResult::Status;

namespace {

QByteArray bytes(std::initializer_list<int> values)
{
    QByteArray out;
    for (int v : values)
        out.append(char(uint8_t(v)));
    return out;
}

template <typename F>
ProtocolErrorCode codeOf(F&& f, QString* message = nullptr)
{
    try {
        f();
    } catch (const ProtocolError& e) {
        if (message)
            *message = e.what();
        return e.code();
    }
    return ProtocolErrorCode::None;
}

SessionKeys fixedKeys(bool encrypted)
{
    return deriveSessionKeys("compact-frame-test-token-0123456789", QByteArray(32, '\x11'), QByteArray(32, '\x22'),
                             sha256("transcript"), encrypted);
}

} // namespace

// The compact wire form of session frames (frame.h, compact_frame.h), against bytes written
// out by hand from the layout in the headers, and its refusals.
class TestCompactFrame : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Byte for byte what the header comments specify.
    void wireFormIsTheDocumentedLayout()
    {
        const QByteArray codec = bytes({0x2A, 'x', 'y', 'z'}); // a layout tag and 3 payload bytes
        CompactFrameWriter untimed(false);
        const QByteArray a = encodeFrame(untimed.toFrame(SessionFrame{0, 3, 1500, 250, 123456, codec}));
        // type 23 | length 6 | gap 0 | label zigzag(3) = 6 | codec frame: 4 bytes of framing in all.
        QCOMPARE(a, bytes({0x17, 0x06, 0x00, 0x06, 0x2A, 'x', 'y', 'z'}));
        QCOMPARE(a.size() - codec.size(), qsizetype(4));
        const QByteArray b = encodeFrame(untimed.toFrame(SessionFrame{1, -1, 0, 0, 0, codec}));
        QCOMPARE(b, bytes({0x17, 0x06, 0x00, 0x01, 0x2A, 'x', 'y', 'z'})); // label -1 = zigzag 1

        CompactFrameWriter timed(true);
        const QByteArray c = encodeFrame(timed.toFrame(SessionFrame{0, 3, 1500, 250, 123456, codec}));
        // ... | t_iot 1500 µs = DC 0B | t_enc 250 µs = FA 01 | send time zigzag(123456) = 80 89 0F | codec frame
        QCOMPARE(c, bytes({0x17, 0x0D, 0x00, 0x06, 0xDC, 0x0B, 0xFA, 0x01, 0x80, 0x89, 0x0F, 0x2A, 'x', 'y', 'z'}));
        // The next frame's send time is the difference to the previous one: 2500 µs later = zigzag 5000 = 88 27.
        const QByteArray d = encodeFrame(timed.toFrame(SessionFrame{1, 3, 1500, 250, 123456 + 2500, codec}));
        QCOMPARE(d, bytes({0x17, 0x0C, 0x00, 0x06, 0xDC, 0x0B, 0xFA, 0x01, 0x88, 0x27, 0x2A, 'x', 'y', 'z'}));

        // The length is a varint: 1 byte up to 127 payload bytes, 2 from 128.
        QCOMPARE(compactHeaderBytes(0), size_t(2));
        QCOMPARE(compactHeaderBytes(127), size_t(2));
        QCOMPARE(compactHeaderBytes(128), size_t(3));
        QCOMPARE(compactHeaderBytes(16383), size_t(3));
        QCOMPARE(compactHeaderBytes(16384), size_t(4));
        const QByteArray big = encodeFrame(Frame{kCompactFrameVersion, MessageType::CompactFrame, QByteArray(200, 'p')});
        QCOMPARE(big.left(3), bytes({0x17, 0xC8, 0x01}));
        QCOMPARE(big.size(), qsizetype(203));
    }

    // A stream of compact frames (with full frames between them) reads back exactly: sequence,
    // label, device times and send times (also backwards and across the 64-bit wrap).
    void roundTripThroughTheReader_data()
    {
        QTest::addColumn<bool>("timing");
        QTest::newRow("with device times") << true;
        QTest::newRow("without device times") << false;
    }

    void roundTripThroughTheReader()
    {
        QFETCH(bool, timing);
        CompactFrameWriter writer(timing);
        const std::vector<qint64> sendTimes{5, 1000005, 999000, std::numeric_limits<qint64>::max(),
                                            std::numeric_limits<qint64>::min(), -3, 0, 77};
        QByteArray stream;
        std::vector<SessionFrame> sent;
        for (size_t i = 0; i < sendTimes.size(); ++i) {
            SessionFrame m{quint64(i), qint32(i % 3 == 0 ? -1 : int(i)), quint32(i * 1000 + 1), quint32(0xFFFFFFFFu - i),
                           sendTimes[i], QByteArray(int(i * 40), char('a' + i))};
            sent.push_back(m);
            stream += encodeFrame(writer.toFrame(m));
            stream += encodeMessage(Pong{qint64(i), 2}); // full frames stay readable between them
        }
        FrameReader reader;
        reader.setCompactAllowed(true);
        CompactFrameReader in(timing);
        // Byte by byte: every prefix is NeedMore, never Failed.
        size_t compactSeen = 0;
        for (char byte : stream) {
            reader.append(QByteArray(1, byte));
            for (;;) {
                const auto r = reader.next();
                QVERIFY2(r.status != Status::Failed, r.message.c_str());
                if (r.status == Status::NeedMore)
                    break;
                if (r.frame.type == MessageType::Pong)
                    continue;
                QCOMPARE(int(r.frame.type), int(MessageType::CompactFrame));
                const SessionFrame got = in.read(r.frame);
                const SessionFrame& want = sent[compactSeen++];
                QCOMPARE(got.sequence, want.sequence);
                QCOMPARE(got.label, want.label);
                QCOMPARE(got.payload, want.payload);
                QCOMPARE(got.iotUs, timing ? want.iotUs : 0u);
                QCOMPARE(got.encUs, timing ? want.encUs : 0u);
                QCOMPARE(got.sendTimeUs, timing ? want.sendTimeUs : 0);
            }
        }
        QCOMPARE(compactSeen, sent.size());
        QCOMPARE(in.nextSequence(), quint64(sent.size()));
        QCOMPARE(int(reader.finish().error), int(ProtocolErrorCode::None));
        // Restart (a new Start): both sides count from 0 again.
        writer.restart();
        in.restart();
        const auto again = decodeWholeFrame(encodeFrame(writer.toFrame(SessionFrame{0, 1, 2, 3, 4, "q"})), 1 << 20, true);
        QCOMPARE(in.read(again.frame).sequence, quint64(0));
    }

    // A stream that did not negotiate compact headers refuses the first compact frame by name.
    void compactFrameWithoutNegotiationIsRefused()
    {
        CompactFrameWriter writer(false);
        const QByteArray frame = encodeFrame(writer.toFrame(SessionFrame{0, 1, 0, 0, 0, "abc"}));
        FrameReader reader;
        reader.append(encodeMessage(Heartbeat{}) + frame);
        QCOMPARE(int(reader.next().frame.type), int(MessageType::Heartbeat));
        const auto r = reader.next();
        QCOMPARE(int(r.status), int(Status::Failed));
        QCOMPARE(int(r.error), int(ProtocolErrorCode::CompactNotNegotiated));
        QVERIFY2(QString::fromStdString(r.message).contains("did not negotiate compact frame headers"), r.message.c_str());
        QCOMPARE(QString(protocolErrorName(r.error)), QString("compact_not_negotiated"));
        QCOMPARE(int(reader.next().status), int(Status::Failed)); // it stays failed
        QCOMPARE(int(decodeWholeFrame(frame).error), int(ProtocolErrorCode::CompactNotNegotiated));
        // Negotiated: the same bytes are a frame.
        QCOMPARE(int(decodeWholeFrame(frame, kDefaultMaxPayload, true).status), int(Status::Complete));
        // Type 23 never travels in a 16-byte header.
        QByteArray full = encodeMessage(Heartbeat{});
        full[7] = char(23);
        const auto inFull = decodeFrame(full.constData(), size_t(full.size()), kDefaultMaxPayload, true);
        QCOMPARE(int(inFull.error), int(ProtocolErrorCode::BadCompactHeader));
    }

    void malformedCompactHeaders_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("streamStatus"); // what FrameReader says (NeedMore = a valid prefix)
        QTest::addColumn<int>("wholeError");   // what decodeWholeFrame says
        QTest::newRow("marker only") << bytes({0x17}) << int(Status::NeedMore) << int(ProtocolErrorCode::Truncated);
        QTest::newRow("truncated varint length")
            << bytes({0x17, 0x80}) << int(Status::NeedMore) << int(ProtocolErrorCode::Truncated);
        QTest::newRow("length past the end")
            << bytes({0x17, 0x05, 0x00, 0x01}) << int(Status::NeedMore) << int(ProtocolErrorCode::Truncated);
        QTest::newRow("length not minimal")
            << bytes({0x17, 0x81, 0x00, 0x00}) << int(Status::Failed) << int(ProtocolErrorCode::BadCompactHeader);
        QTest::newRow("length over 5 bytes")
            << bytes({0x17, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}) << int(Status::Failed)
            << int(ProtocolErrorCode::BadCompactHeader);
        QTest::newRow("oversize (over the 16 MiB cap)")
            << bytes({0x17, 0x81, 0x80, 0x80, 0x08}) << int(Status::Failed) << int(ProtocolErrorCode::Oversize);
        QTest::newRow("oversize 5-byte length")
            << bytes({0x17, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}) << int(Status::Failed) << int(ProtocolErrorCode::Oversize);
        QTest::newRow("trailing bytes")
            << bytes({0x17, 0x01, 0x00, 0x41}) << int(Status::Complete) << int(ProtocolErrorCode::TrailingBytes);
    }

    void malformedCompactHeaders()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, streamStatus);
        QFETCH(int, wholeError);
        FrameReader reader;
        reader.setCompactAllowed(true);
        reader.append(input);
        const auto r = reader.next();
        QCOMPARE(int(r.status), streamStatus);
        if (r.status == Status::Failed)
            QCOMPARE(int(r.error), wholeError);
        const auto whole = decodeWholeFrame(input, kDefaultMaxPayload, true);
        QCOMPARE(int(whole.status), int(Status::Failed));
        QCOMPARE(int(whole.error), wholeError);
        QVERIFY(!whole.message.empty());
        // A stream that closes inside one is a truncated frame.
        if (r.status == Status::NeedMore)
            QCOMPARE(int(reader.finish().error), int(ProtocolErrorCode::Truncated));
    }

    void malformedPayloads_data()
    {
        QTest::addColumn<bool>("timing");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("named");
        QTest::newRow("empty") << false << QByteArray() << int(ProtocolErrorCode::MalformedPayload) << "sequence gap";
        QTest::newRow("truncated gap varint")
            << false << bytes({0x80}) << int(ProtocolErrorCode::MalformedPayload) << "sequence gap is incomplete";
        QTest::newRow("no label") << false << bytes({0x00}) << int(ProtocolErrorCode::MalformedPayload) << "label";
        QTest::newRow("label not minimal")
            << false << bytes({0x00, 0x86, 0x00}) << int(ProtocolErrorCode::BadField) << "not minimally encoded";
        QTest::newRow("label below -1") << false << bytes({0x00, 0x03}) << int(ProtocolErrorCode::BadField) << "range";
        QTest::newRow("label over 32 bits")
            << false << bytes({0x00, 0x80, 0x80, 0x80, 0x80, 0x10}) << int(ProtocolErrorCode::BadField) << "range";
        QTest::newRow("varint over 64 bits")
            << false << bytes({0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02})
            << int(ProtocolErrorCode::BadField) << "exceeds 64 bits";
        QTest::newRow("timing fields missing")
            << true << bytes({0x00, 0x06}) << int(ProtocolErrorCode::MalformedPayload) << "t_iot";
        QTest::newRow("send time cut short")
            << true << bytes({0x00, 0x06, 0x01, 0x01, 0x80}) << int(ProtocolErrorCode::MalformedPayload) << "send time";
        QTest::newRow("t_enc over 32 bits")
            << true << bytes({0x00, 0x06, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00}) << int(ProtocolErrorCode::BadField)
            << "range";
        QTest::newRow("a gap of 2 frames")
            << false << bytes({0x02, 0x06, 0x2A}) << int(ProtocolErrorCode::SequenceGap) << "expected frame 0";
    }

    void malformedPayloads()
    {
        QFETCH(bool, timing);
        QFETCH(QByteArray, payload);
        QFETCH(int, error);
        QFETCH(QString, named);
        CompactFrameReader in(timing);
        const Frame frame{kCompactFrameVersion, MessageType::CompactFrame, payload};
        QString message;
        QCOMPARE(int(codeOf([&] { in.read(frame); }, &message)), error);
        QVERIFY2(message.contains(named), qPrintable(message));
        QCOMPARE(in.nextSequence(), quint64(0)); // nothing changed
        // The valid frame 0 is still read after a refused one.
        QCOMPARE(in.read(Frame{kCompactFrameVersion, MessageType::CompactFrame,
                               timing ? bytes({0x00, 0x06, 0x01, 0x01, 0x00, 0x2A}) : bytes({0x00, 0x06, 0x2A})})
                     .label,
                 3);
        // Another message type is not a compact frame.
        QCOMPARE(int(codeOf([&] { in.read(toFrame(Heartbeat{})); })), int(ProtocolErrorCode::UnexpectedMessage));
    }

    // A skipped frame is a SequenceGap naming both numbers; the writer never skips backwards.
    void sequenceGap()
    {
        CompactFrameWriter writer(false);
        CompactFrameReader in(false);
        QCOMPARE(in.read(writer.toFrame(SessionFrame{0, 1, 0, 0, 0, "a"})).sequence, quint64(0));
        QCOMPARE(in.read(writer.toFrame(SessionFrame{1, 1, 0, 0, 0, "b"})).sequence, quint64(1));
        const Frame skipped = writer.toFrame(SessionFrame{4, 1, 0, 0, 0, "c"});
        QCOMPARE(skipped.payload.at(0), char(2)); // gap 4 - 2
        QString message;
        QCOMPARE(int(codeOf([&] { in.read(skipped); }, &message)), int(ProtocolErrorCode::SequenceGap));
        QVERIFY2(message.contains("expected frame 2") && message.contains("2 frame(s) later"), qPrintable(message));
        QCOMPARE(QString(protocolErrorName(ProtocolErrorCode::SequenceGap)), QString("sequence_gap"));
        QCOMPARE(int(codeOf([&] { writer.toFrame(SessionFrame{3, 1, 0, 0, 0, "d"}); })), int(ProtocolErrorCode::BadField));
        // The refused frame changed nothing: a gap of 0 is "the next one", frame 2.
        CompactFrameWriter fresh(false);
        QCOMPARE(int(codeOf([&] { in.read(fresh.toFrame(SessionFrame{0, 1, 0, 0, 0, "e"})); })),
                 int(ProtocolErrorCode::None));
        QCOMPARE(in.nextSequence(), quint64(3));
    }

    // Sealed (record_layer.h) a compact frame costs the same header plus the record's 24 bytes;
    // type and length are authenticated (a changed length or type byte is refused).
    void sealedCompactFrames_data()
    {
        QTest::addColumn<bool>("encrypted");
        QTest::newRow("HMAC") << false;
        QTest::newRow("ChaCha20-Poly1305") << true;
    }

    void sealedCompactFrames()
    {
        QFETCH(bool, encrypted);
        RecordLayer agent(Role::Agent, fixedKeys(encrypted));
        RecordLayer edge(Role::Edge, fixedKeys(encrypted));
        CompactFrameWriter writer(false);
        const QByteArray codec(60, 'c');
        const QByteArray plain = encodeFrame(writer.toFrame(SessionFrame{0, 7, 0, 0, 0, codec}));
        QCOMPARE(plain.size(), qsizetype(4 + 60));
        const QByteArray sealed = agent.sealEncoded(plain); // the agent's ShapedWriter path
        QCOMPARE(sealed.size(), plain.size() + kRecordOverheadBytes);
        QCOMPARE(uint8_t(sealed[0]), kCompactFrameMarker);
        QCOMPARE(uint8_t(sealed[1]), uint8_t(4 - 2 + 60 + kRecordOverheadBytes)); // still a 1-byte length
        FrameReader reader;
        reader.setCompactAllowed(true);
        reader.append(sealed);
        const auto r = reader.next();
        QCOMPARE(int(r.status), int(Status::Complete));
        CompactFrameReader in(false);
        const SessionFrame got = in.read(edge.open(r.frame));
        QCOMPARE(got.label, 7);
        QCOMPARE(got.payload, codec);

        // The same record with another type (a full frame of type 22 with the same payload) is refused.
        RecordLayer edge2(Role::Edge, fixedKeys(encrypted));
        QVERIFY_THROWS_EXCEPTION(RecordError,
                                 edge2.open(Frame{kMaxVersion, MessageType::SessionFrame, r.frame.payload}));
        // One bit of the body flipped: refused.
        RecordLayer edge3(Role::Edge, fixedKeys(encrypted));
        QByteArray flipped = r.frame.payload;
        flipped[10] = char(flipped[10] ^ 0x04);
        QVERIFY_THROWS_EXCEPTION(RecordError, edge3.open(Frame{kCompactFrameVersion, MessageType::CompactFrame, flipped}));
    }
};

QTEST_GUILESS_MAIN(TestCompactFrame)
#include "test_compact_frame.moc"
