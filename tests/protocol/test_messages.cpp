#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/protocol/messages.h"

using namespace aecnn;
using namespace aecnn::protocol;

namespace {

// The code of the ProtocolError that `decode` throws; None when it throws nothing.
template <typename Decode> ProtocolErrorCode codeOf(Decode decode)
{
    try {
        decode();
    } catch (const ProtocolError& e) {
        return e.code();
    }
    return ProtocolErrorCode::None;
}

} // namespace

class TestMessages : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void frameDataRoundTrip()
    {
        FrameData m;
        m.sequence = 1234567890123ULL;
        m.label = 7;
        m.predicted = 3;
        m.iotMs = 12.5;
        m.encMs = 0.25;
        m.sendTimeUs = -42;
        m.kind = "jpeg";
        m.payload = QByteArray(5000, '\x01');
        const auto r = decodeWholeFrame(encodeMessage(m));
        QVERIFY(r.status == DecodeResult::Status::Complete);
        const auto back = decodeMessage<FrameData>(r.frame);
        QCOMPARE(back.sequence, m.sequence);
        QCOMPARE(back.label, 7);
        QCOMPARE(back.predicted, 3);
        QCOMPARE(back.iotMs, 12.5);
        QCOMPARE(back.encMs, 0.25);
        QCOMPARE(back.sendTimeUs, qint64(-42));
        QCOMPARE(back.kind, QString("jpeg"));
        QCOMPARE(back.payload, m.payload);
    }

    // The compact frame of session framing: every field back, a few bytes of overhead.
    void sessionFrameRoundTrip()
    {
        for (const qint64 sendTime : {qint64(0), qint64(-42), qint64(1) << 40, std::numeric_limits<qint64>::max(),
                                      std::numeric_limits<qint64>::min()}) {
            SessionFrame m;
            m.sequence = 300;
            m.label = 9;
            m.iotUs = 1500;
            m.encUs = 40;
            m.sendTimeUs = sendTime;
            m.payload = QByteArray(61, '\x5A');
            const auto back = decodeMessage<SessionFrame>(toFrame(m));
            QCOMPARE(back.sequence, m.sequence);
            QCOMPARE(back.label, 9);
            QCOMPARE(back.iotUs, m.iotUs);
            QCOMPARE(back.encUs, m.encUs);
            QCOMPARE(back.sendTimeUs, sendTime);
            QCOMPARE(back.payload, m.payload);
        }
        SessionFrame m{5, -1, 1000, 100, qint64(1) << 34, QByteArray(50, 'x')};
        QCOMPARE(encodePayload(m).size(), qsizetype(1 + 1 + 2 + 1 + 6 + 50)); // 2^34 zigzagged: 36 bits
        QCOMPARE(int(codeOf([] { decodeMessage<SessionFrame>(Frame{kMaxVersion, MessageType::SessionFrame, "\x80"}); })),
                 int(ProtocolErrorCode::MalformedPayload));
        QCOMPARE(int(codeOf([] {
                     decodeMessage<SessionFrame>(Frame{kMaxVersion, MessageType::SessionFrame, QByteArray("\x01\x05", 2)});
                 })),
                 int(ProtocolErrorCode::MalformedPayload));
        QCOMPARE(int(codeOf([] {
                     decodeMessage<SessionFrame>(
                         Frame{kMaxVersion, MessageType::SessionFrame, QByteArray("\x80\x00\x00\x00\x00\x00", 6)});
                 })),
                 int(ProtocolErrorCode::BadField));
    }

    void configureCarriesJson()
    {
        Configure m;
        m.settings = QJsonObject{{"mode", "full"}, {"rate_mbps", 10.0}};
        const auto back = decodeMessage<Configure>(toFrame(m));
        QCOMPARE(back.settings, m.settings);
        ConfigureAck ack{true, "ok", m.settings};
        QCOMPARE(decodeMessage<ConfigureAck>(toFrame(ack)).effective, m.settings);
    }

    void handshakeMessages()
    {
        const auto hello = decodeMessage<Hello>(toFrame(Hello{1, 3, "test"}));
        QCOMPARE(hello.maxVersion, uint16_t(3));
        QCOMPARE(hello.software, QString("test"));
        const auto challenge = decodeMessage<Challenge>(toFrame(Challenge{QByteArray(32, 'n'), false}));
        QVERIFY(!challenge.tokenRequired);
        const auto deploy = decodeMessage<DeployBegin>(toFrame(DeployBegin{"m", 99, QByteArray(32, 's')}));
        QCOMPARE(deploy.size, quint64(99));
        QCOMPARE(decodeMessage<Pong>(toFrame(Pong{5, 6})).agentTimeUs, qint64(6));
        QCOMPARE(decodeMessage<FrameAck>(toFrame(FrameAck{41})).sequence, quint64(41));
        QCOMPARE(int(codeOf([] {
                     decodeMessage<FrameAck>(Frame{kMaxVersion, MessageType::FrameAck, "short"});
                 })),
                 int(ProtocolErrorCode::MalformedPayload));
    }

    void deviceProfileMessage()
    {
        const QJsonObject profile{{"format", "aecnn-device-profile"}, {"name", "dev"}};
        const auto back = decodeMessage<DeviceProfileMessage>(toFrame(DeviceProfileMessage{true, "", profile}));
        QVERIFY(back.present);
        QCOMPARE(back.profile, profile);
        const auto none = decodeMessage<DeviceProfileMessage>(toFrame(DeviceProfileMessage{false, "no profile", {}}));
        QVERIFY(!none.present);
        QCOMPARE(none.message, QString("no profile"));
        QCOMPARE(int(codeOf([] { decodeMessage<DeviceProfileMessage>(toFrame(DeviceProfileMessage{true, "", {}})); })),
                 int(ProtocolErrorCode::BadField));
    }

    void wrongTypeIsAnError()
    {
        QCOMPARE(int(codeOf([] { decodeMessage<Hello>(toFrame(Ping{1})); })),
                 int(ProtocolErrorCode::UnexpectedMessage));
        try {
            decodeFrameAs(toFrame(Ping{1}), MessageType::Hello);
            QFAIL("a Ping was taken for a Hello");
        } catch (const Error& e) { // still an aecnn::Error, message unchanged
            QCOMPARE(QString(e.what()), QString("expected a Hello message, got Ping"));
        }
    }

    void undecodablePayloads_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<int>("code");
        const auto frameData = encodePayload(FrameData{1, 2, 3, 4, 5, 6, "jpeg", "xyz"});
        const int malformed = int(ProtocolErrorCode::MalformedPayload);
        const int badField = int(ProtocolErrorCode::BadField);
        const int badJson = int(ProtocolErrorCode::BadJson);
        QTest::newRow("FrameData cut") << int(MessageType::FrameData) << frameData.left(frameData.size() - 2)
                                       << malformed;
        QTest::newRow("FrameData trailing")
            << int(MessageType::FrameData) << frameData + "z" << int(ProtocolErrorCode::PayloadTrailingBytes);
        QTest::newRow("Hello empty") << int(MessageType::Hello) << QByteArray() << malformed;
        QTest::newRow("Hello empty range") << int(MessageType::Hello) << encodePayload(Hello{3, 1, "x"}) << badField;
        QTest::newRow("Hello version 0") << int(MessageType::Hello) << encodePayload(Hello{0, 1, "x"}) << badField;
        QTest::newRow("Challenge short nonce")
            << int(MessageType::Challenge) << encodePayload(Challenge{"abc", true}) << badField;
        QTest::newRow("DeployBegin bad sha")
            << int(MessageType::DeployBegin) << encodePayload(DeployBegin{"m", 1, "short"}) << badField;
        QTest::newRow("Configure not json")
            << int(MessageType::Configure) << QByteArray("\x00\x00\x00\x03{x]", 7) << badJson;
        QTest::newRow("Configure json array")
            << int(MessageType::Configure) << QByteArray("\x00\x00\x00\x03[1]", 7) << badJson;
        QTest::newRow("Stop with payload")
            << int(MessageType::Stop) << QByteArray("x") << int(ProtocolErrorCode::UnexpectedPayload);
        QTest::newRow("Ping garbage") << int(MessageType::Ping) << QByteArray("\x01\x02") << malformed;
    }

    void undecodablePayloads()
    {
        QFETCH(int, type);
        QFETCH(QByteArray, payload);
        QFETCH(int, code);
        const Frame frame{kMaxVersion, MessageType(type), payload};
        try {
            switch (MessageType(type)) {
            case MessageType::FrameData: decodeMessage<FrameData>(frame); break;
            case MessageType::Hello: decodeMessage<Hello>(frame); break;
            case MessageType::Challenge: decodeMessage<Challenge>(frame); break;
            case MessageType::DeployBegin: decodeMessage<DeployBegin>(frame); break;
            case MessageType::Configure: decodeMessage<Configure>(frame); break;
            case MessageType::Stop: decodeMessage<Stop>(frame); break;
            case MessageType::Ping: decodeMessage<Ping>(frame); break;
            default: QFAIL("no case for this type");
            }
            QFAIL("an undecodable payload was accepted");
        } catch (const ProtocolError& e) {
            QVERIFY2(QString(e.what()).contains("undecodable"), e.what());
            QCOMPARE(int(e.code()), code);
        }
    }
};

QTEST_GUILESS_MAIN(TestMessages)
#include "test_messages.moc"
