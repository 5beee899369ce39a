#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/protocol/messages.h"

using namespace aecnn;
using namespace aecnn::protocol;

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
        QVERIFY_THROWS_EXCEPTION(Error, decodeMessage<FrameAck>(Frame{kMaxVersion, MessageType::FrameAck, "short"}));
    }

    void wrongTypeIsAnError()
    {
        QVERIFY_THROWS_EXCEPTION(Error, decodeMessage<Hello>(toFrame(Ping{1})));
    }

    void undecodablePayloads_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<QByteArray>("payload");
        const auto frameData = encodePayload(FrameData{1, 2, 3, 4, 5, 6, "jpeg", "xyz"});
        QTest::newRow("FrameData cut") << int(MessageType::FrameData) << frameData.left(frameData.size() - 2);
        QTest::newRow("FrameData trailing") << int(MessageType::FrameData) << frameData + "z";
        QTest::newRow("Hello empty") << int(MessageType::Hello) << QByteArray();
        QTest::newRow("Hello empty range") << int(MessageType::Hello) << encodePayload(Hello{3, 1, "x"});
        QTest::newRow("Challenge short nonce") << int(MessageType::Challenge) << encodePayload(Challenge{"abc", true});
        QTest::newRow("DeployBegin bad sha") << int(MessageType::DeployBegin)
                                             << encodePayload(DeployBegin{"m", 1, "short"});
        QTest::newRow("Configure not json") << int(MessageType::Configure) << QByteArray("\x00\x00\x00\x03{x]", 7);
        QTest::newRow("Stop with payload") << int(MessageType::Stop) << QByteArray("x");
        QTest::newRow("Ping garbage") << int(MessageType::Ping) << QByteArray("\x01\x02");
    }

    void undecodablePayloads()
    {
        QFETCH(int, type);
        QFETCH(QByteArray, payload);
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
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("undecodable"));
        }
    }
};

QTEST_GUILESS_MAIN(TestMessages)
#include "test_messages.moc"
