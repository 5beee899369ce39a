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
