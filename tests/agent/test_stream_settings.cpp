// The agent's stream settings (app/agent/stream_settings.h): its own keys plus the
// transport keys of the one JSON mapping (transport_settings_json.h), which the edge
// reads back from the same object.

#include <QJsonObject>
#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/split/transport_settings_json.h"
#include "stream_settings.h"

using namespace aecnn;

namespace {

QString errorOf(const QJsonObject& json)
{
    try {
        agent::applySettings(agent::StreamSettings{}, json);
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestStreamSettings : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void transportKeysReachTheTransport()
    {
        const QJsonObject json{
            {"window", 3}, {"codec", "context"}, {"bits", 4}, {"per_channel", false}, {"range", "mse"}};
        const auto s = agent::applySettings(agent::StreamSettings{}, json);
        QCOMPARE(s.window, 3);
        QCOMPARE(s.transport.coder, std::string("context"));
        QCOMPARE(s.transport.bits, 4);
        QCOMPARE(s.transport.perChannel, false);
        QCOMPARE(s.transport.range, std::string("mse"));
        QCOMPARE(s.transport.representation, std::string("uint")); // not given: kept
    }

    // What the agent reports is what the edge reads as transport settings, and applying it
    // again changes nothing: agent and edge agree on every transport field.
    void agentAndEdgeReadTheSameSettings()
    {
        const auto s = agent::applySettings(agent::StreamSettings{},
                                            QJsonObject{{"codec", "zstd"}, {"repr", "float16"}, {"rate_mbps", 5.0}});
        const QJsonObject reported = agent::toJson(s);
        const TransportSettings edgeView = transportSettingsWithin(reported);
        QCOMPARE(edgeView.coder, std::string("zstd"));
        QCOMPARE(edgeView.representation, std::string("float16"));
        QCOMPARE(transportSettingsToJson(edgeView), transportSettingsToJson(s.transport));
        QCOMPARE(agent::toJson(agent::applySettings(agent::StreamSettings{}, reported)), reported);
    }

    void unknownKeyNamesEveryValidKey()
    {
        const QString message = errorOf(QJsonObject{{"bitz", 4}});
        QVERIFY2(message.contains("unknown setting 'bitz'"), qPrintable(message));
        for (const char* key : {"mode", "rate_mbps", "window", "codec", "repr", "bits", "per_channel", "range"})
            QVERIFY2(message.contains(key), qPrintable(message));
    }

    void wrongTypeOrValueNamesTheKey_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("bits as string") << "bits" << QJsonValue("4");
        QTest::newRow("bits 9") << "bits" << QJsonValue(9);
        QTest::newRow("per_channel as string") << "per_channel" << QJsonValue("no");
        QTest::newRow("codec unknown") << "codec" << QJsonValue("lzma");
        QTest::newRow("frame_header unknown") << "frame_header" << QJsonValue("tiny");
        QTest::newRow("frame_timing as string") << "frame_timing" << QJsonValue("off");
    }

    // The compact per-frame wire form is asked for at Configure (protocol/compact_frame.h) and
    // reported back in the effective settings; by default frames keep the full header and timing.
    void compactFrameSettings()
    {
        const agent::StreamSettings defaults;
        QCOMPARE(defaults.frameHeader, std::string("full"));
        QVERIFY(defaults.frameTiming);
        const auto s = agent::applySettings(defaults, QJsonObject{{"frame_header", "compact"}, {"frame_timing", false}});
        QCOMPARE(s.frameHeader, std::string("compact"));
        QVERIFY(!s.frameTiming);
        const QJsonObject reported = agent::toJson(s);
        QCOMPARE(reported.value("frame_header").toString(), QString("compact"));
        QCOMPARE(reported.value("frame_timing").toBool(true), false);
        QCOMPARE(agent::toJson(agent::applySettings(agent::StreamSettings{}, reported)), reported);
        const QString message = errorOf(QJsonObject{{"bitz", 4}});
        QVERIFY2(message.contains("frame_header") && message.contains("frame_timing"), qPrintable(message));
    }

    void wrongTypeOrValueNamesTheKey()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        const QString message = errorOf(QJsonObject{{key, value}});
        QVERIFY2(message.contains("'" + key + "'"), qPrintable(message));
    }
};

QTEST_APPLESS_MAIN(TestStreamSettings)
#include "test_stream_settings.moc"
