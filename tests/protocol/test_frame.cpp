#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/protocol/frame.h"

using namespace aecnn;
using namespace aecnn::protocol;
using Status = DecodeResult::Status;

namespace {

QByteArray sample(MessageType type = MessageType::Configure, QByteArray payload = "hello, agent")
{
    return encodeFrame(Frame{kMaxVersion, type, payload});
}

void setU16(QByteArray& b, int at, uint16_t v)
{
    b[at] = char(v >> 8);
    b[at + 1] = char(v);
}

void setU32(QByteArray& b, int at, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = char(v >> (24 - 8 * i));
}

} // namespace

class TestFrame : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("empty") << int(MessageType::Heartbeat) << QByteArray();
        QTest::newRow("text") << int(MessageType::Configure) << QByteArray("{\"mode\":\"full\"}");
        QTest::newRow("binary") << int(MessageType::FrameData) << QByteArray(100000, '\xAB');
        QTest::newRow("FrameAck") << int(MessageType::FrameAck) << QByteArray("12345678");
        QTest::newRow("DeviceProfile") << int(MessageType::DeviceProfile) << QByteArray("{}");
        QTest::newRow("last type") << int(MessageType::SessionFrame) << QByteArray("12345678");
    }

    void roundTrip()
    {
        QFETCH(int, type);
        QFETCH(QByteArray, payload);
        const auto bytes = encodeFrame(Frame{1, MessageType(type), payload});
        QCOMPARE(bytes.size(), qsizetype(kHeaderBytes) + payload.size());
        QCOMPARE(bytes.left(4), QByteArray("AECN"));
        const auto r = decodeWholeFrame(bytes);
        QCOMPARE(int(r.status), int(Status::Complete));
        QCOMPARE(int(r.frame.type), type);
        QCOMPARE(r.frame.version, uint16_t(1));
        QCOMPARE(r.frame.payload, payload);
        QCOMPARE(r.consumed, size_t(bytes.size()));
    }

    void headerIsBigEndian()
    {
        const auto bytes = sample(MessageType::Start, "abc");
        QCOMPARE(uint8_t(bytes[5]), uint8_t(kMaxVersion));
        QCOMPARE(uint8_t(bytes[7]), uint8_t(MessageType::Start));
        QCOMPARE(uint8_t(bytes[11]), uint8_t(3));
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("error");
        const QByteArray good = sample();
        QByteArray b;

        b = good;
        b[0] = 'X';
        QTest::newRow("bad magic") << b << int(ProtocolErrorCode::BadMagic);
        QTest::newRow("bad magic, 2 bytes seen") << QByteArray("AX") << int(ProtocolErrorCode::BadMagic);
        QTest::newRow("http request") << QByteArray("GET / HTTP/1.1\r\n\r\n") << int(ProtocolErrorCode::BadMagic);
        b = good;
        setU16(b, 4, 0);
        QTest::newRow("version 0") << b << int(ProtocolErrorCode::UnsupportedVersion);
        b = good;
        setU16(b, 4, kMaxVersion + 1);
        QTest::newRow("future version") << b << int(ProtocolErrorCode::UnsupportedVersion);
        b = good;
        setU16(b, 6, 0);
        QTest::newRow("type 0") << b << int(ProtocolErrorCode::UnknownMessageType);
        b = good;
        setU16(b, 6, 999);
        QTest::newRow("unknown type") << b << int(ProtocolErrorCode::UnknownMessageType);
        b = good;
        setU32(b, 8, kDefaultMaxPayload + 1);
        QTest::newRow("oversize length") << b << int(ProtocolErrorCode::Oversize);
        QTest::newRow("oversize header only") << b.left(12) << int(ProtocolErrorCode::Oversize);
        QTest::newRow("truncated header") << good.left(10) << int(ProtocolErrorCode::Truncated);
        QTest::newRow("truncated payload") << good.left(good.size() - 1) << int(ProtocolErrorCode::Truncated);
        QTest::newRow("trailing bytes") << good + "x" << int(ProtocolErrorCode::TrailingBytes);
        b = good;
        b[int(kHeaderBytes) + 2] = char(b[int(kHeaderBytes) + 2] ^ 0x01);
        QTest::newRow("payload bit flip") << b << int(ProtocolErrorCode::CrcMismatch);
        b = good;
        b[13] = char(b[13] ^ 0x80);
        QTest::newRow("crc bit flip") << b << int(ProtocolErrorCode::CrcMismatch);
        b = good;
        setU32(b, 8, uint32_t(good.size() - kHeaderBytes - 1)); // shorter length: CRC catches it
        QTest::newRow("length shrunk") << b.left(b.size() - 1) << int(ProtocolErrorCode::CrcMismatch);
    }

    void malformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, error);
        const auto r = decodeWholeFrame(bytes);
        QCOMPARE(int(r.status), int(Status::Failed));
        QCOMPARE(int(r.error), error);
        QVERIFY(!r.message.empty());
    }

    void capIsConfigurable()
    {
        const auto bytes = sample(MessageType::DeployChunk, QByteArray(1000, 'x'));
        QCOMPARE(int(decodeWholeFrame(bytes, 999).error), int(ProtocolErrorCode::Oversize));
        QCOMPARE(int(decodeWholeFrame(bytes, 1000).status), int(Status::Complete));
        try {
            encodeFrame(Frame{1, MessageType::DeployChunk, QByteArray(10, 'x')}, 9);
            QFAIL("a payload over the cap was framed");
        } catch (const ProtocolError& e) {
            QCOMPARE(int(e.code()), int(ProtocolErrorCode::Oversize));
            QVERIFY2(QString(e.what()).contains("cap is 9 bytes"), e.what());
        }
    }

    void prefixesNeedMore()
    {
        const auto bytes = sample();
        for (int n = 0; n < bytes.size(); ++n) {
            const auto r = decodeFrame(bytes.constData(), size_t(n));
            QVERIFY2(r.status == Status::NeedMore, qPrintable(QString("prefix of %1 bytes").arg(n)));
        }
    }

    void readerSplitsAStream()
    {
        const QByteArray stream = sample(MessageType::Ping, "1") + sample(MessageType::Pong, "22") +
                                  sample(MessageType::Heartbeat, {});
        // Byte by byte, the way a slow socket delivers it.
        FrameReader reader;
        QList<int> types;
        for (char c : stream) {
            reader.append(QByteArray(1, c));
            for (auto r = reader.next(); r.status == Status::Complete; r = reader.next())
                types.append(int(r.frame.type));
        }
        QCOMPARE(types, (QList<int>{int(MessageType::Ping), int(MessageType::Pong), int(MessageType::Heartbeat)}));
        QCOMPARE(reader.buffered(), size_t(0));
        QCOMPARE(int(reader.finish().error), int(ProtocolErrorCode::None));
    }

    void readerReportsTruncationAtEnd()
    {
        FrameReader reader;
        reader.append(sample().left(20));
        QCOMPARE(int(reader.next().status), int(Status::NeedMore));
        const auto end = reader.finish();
        QCOMPARE(int(end.status), int(Status::Failed));
        QCOMPARE(int(end.error), int(ProtocolErrorCode::Truncated));
    }

    void readerStaysFailed()
    {
        FrameReader reader;
        reader.append("garbage!" + sample());
        QCOMPARE(int(reader.next().error), int(ProtocolErrorCode::BadMagic));
        reader.append(sample());
        QCOMPARE(int(reader.next().error), int(ProtocolErrorCode::BadMagic));
    }

    // The codes are a contract with logs and peers of other builds: never renumbered.
    void errorCodesAreStable()
    {
        const QList<QPair<ProtocolErrorCode, QPair<int, QString>>> table{
            {ProtocolErrorCode::None, {0, "none"}},
            {ProtocolErrorCode::Generic, {1, "generic"}},
            {ProtocolErrorCode::BadMagic, {10, "bad_magic"}},
            {ProtocolErrorCode::UnsupportedVersion, {11, "unsupported_version"}},
            {ProtocolErrorCode::UnknownMessageType, {12, "unknown_message_type"}},
            {ProtocolErrorCode::Oversize, {13, "oversize"}},
            {ProtocolErrorCode::Truncated, {14, "truncated"}},
            {ProtocolErrorCode::CrcMismatch, {15, "crc_mismatch"}},
            {ProtocolErrorCode::TrailingBytes, {16, "trailing_bytes"}},
            {ProtocolErrorCode::UnexpectedMessage, {30, "unexpected_message"}},
            {ProtocolErrorCode::MalformedPayload, {31, "malformed_payload"}},
            {ProtocolErrorCode::PayloadTrailingBytes, {32, "payload_trailing_bytes"}},
            {ProtocolErrorCode::BadJson, {33, "bad_json"}},
            {ProtocolErrorCode::BadField, {34, "bad_field"}},
            {ProtocolErrorCode::UnexpectedPayload, {35, "unexpected_payload"}},
        };
        for (const auto& [code, expected] : table) {
            QCOMPARE(int(code), expected.first);
            QCOMPARE(QString(protocolErrorName(code)), expected.second);
        }
        QCOMPARE(QString(protocolErrorName(ProtocolErrorCode(999))), QString("unknown_code"));
        // Still an aecnn::Error for the catch sites that do not care about the code.
        const ProtocolError error(ProtocolErrorCode::BadJson, "message");
        QVERIFY(dynamic_cast<const Error*>(&error) != nullptr);
        QCOMPARE(QString(error.what()), QString("message"));
    }

    void versionNegotiation()
    {
        QVERIFY(negotiateVersion(1, 3, 2, 5) == std::optional<uint16_t>(3));
        QVERIFY(negotiateVersion(1, 1, 1, 1) == std::optional<uint16_t>(1));
        QVERIFY(negotiateVersion(2, 4, 1, 2) == std::optional<uint16_t>(2));
        QVERIFY(!negotiateVersion(1, 1, 2, 3).has_value());
        QVERIFY(!negotiateVersion(4, 5, 1, 3).has_value());
    }

    void typeNames()
    {
        QCOMPARE(QString::fromStdString(toString(MessageType::FrameData)), QString("FrameData"));
        QCOMPARE(QString::fromStdString(toString(MessageType::Error)), QString("Error"));
        QVERIFY(!messageTypeFrom(0).has_value());
        QCOMPARE(QString::fromStdString(toString(MessageType::FrameAck)), QString("FrameAck"));
        QCOMPARE(QString::fromStdString(toString(MessageType::DeviceProfile)), QString("DeviceProfile"));
        QCOMPARE(uint16_t(MessageType::SessionFrame), uint16_t(uint16_t(MessageType::DeviceProfile) + 1));
        QCOMPARE(QString::fromStdString(toString(MessageType::SessionFrame)), QString("SessionFrame"));
        QCOMPARE(uint16_t(MessageType::CompactFrame), uint16_t(23));
        QCOMPARE(QString::fromStdString(toString(MessageType::CompactFrame)), QString("CompactFrame"));
        QVERIFY(!messageTypeFrom(uint16_t(MessageType::CompactFrame) + 1).has_value());
    }
};

QTEST_GUILESS_MAIN(TestFrame)
#include "test_frame.moc"
