// The one JSON mapping of TransportSettings (transport_settings_json.h): the wire keys
// and defaults, a round trip of every field, and refusals that name the key.

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "aecnn/error.h"
#include "aecnn/split/transport_settings_json.h"

using namespace aecnn;

namespace {

bool sameSettings(const TransportSettings& a, const TransportSettings& b)
{
    return a.coder == b.coder && a.representation == b.representation && a.bits == b.bits &&
           a.perChannel == b.perChannel && a.range == b.range && a.framing == b.framing && a.zstdLevel == b.zstdLevel;
}

QString describe(const TransportSettings& s)
{
    return QString::fromUtf8(QJsonDocument(transportSettingsToJson(s)).toJson(QJsonDocument::Compact));
}

// The message of the aecnn::Error `parse` throws; empty when it throws none.
template <typename F> QString errorOf(F parse)
{
    try {
        parse();
    } catch (const Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestTransportSettingsJson : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The keys and defaults old and new peers exchange: changing them breaks the wire.
    void defaultsUnderTheWireKeys()
    {
        const QJsonObject expected{
            {"codec", "zstd-entropy"}, {"repr", "uint"}, {"bits", 8}, {"per_channel", true}, {"range", "minmax"},
            {"framing", "frame"}};
        QCOMPARE(transportSettingsToJson(TransportSettings{}), expected);
        QCOMPARE(QString::fromStdString(transportKeysText()), QString("codec, repr, bits, per_channel, range, framing"));
        QVERIFY(sameSettings(transportSettingsFromJson({}), TransportSettings{}));
    }

    void roundTripOfEveryField_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("codec") << "codec" << QJsonValue("context");
        QTest::newRow("repr") << "repr" << QJsonValue("float16");
        QTest::newRow("bits") << "bits" << QJsonValue(3);
        QTest::newRow("per_channel") << "per_channel" << QJsonValue(false);
        QTest::newRow("range") << "range" << QJsonValue("mse");
        QTest::newRow("framing") << "framing" << QJsonValue("session");
    }

    // Each field alone: it changes exactly its member, and comes back under its key.
    void roundTripOfEveryField()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        const TransportSettings defaults;
        const TransportSettings parsed = transportSettingsFromJson(QJsonObject{{key, value}});
        QJsonObject json = transportSettingsToJson(parsed);
        QCOMPARE(json.value(key), value);
        QVERIFY2(json.value(key) != transportSettingsToJson(defaults).value(key),
                 "the test value must not be the default");
        // Every other key still holds its default.
        json.remove(key);
        QJsonObject others = transportSettingsToJson(defaults);
        others.remove(key);
        QCOMPARE(json, others);
        QVERIFY2(sameSettings(transportSettingsFromJson(transportSettingsToJson(parsed)), parsed),
                 qPrintable(describe(parsed)));
    }

    void roundTripOfAllFieldsAtOnce()
    {
        TransportSettings s;
        s.coder = "context";
        s.representation = "uint";
        s.bits = 5;
        s.perChannel = false;
        s.range = "mse";
        const auto back = transportSettingsFromJson(transportSettingsToJson(s));
        QVERIFY2(sameSettings(back, s), qPrintable(describe(back)));
        s.coder = "store";
        s.representation = "float32-shuffled";
        QVERIFY(sameSettings(transportSettingsFromJson(transportSettingsToJson(s)), s));
    }

    // Keys not given keep the base's values (the agent applies settings on top of its current ones).
    void missingKeysKeepTheBase()
    {
        TransportSettings base;
        base.coder = "context";
        base.range = "mse";
        const auto s = transportSettingsFromJson(QJsonObject{{"bits", 4}}, base);
        QCOMPARE(s.bits, 4);
        QCOMPARE(s.coder, std::string("context"));
        QCOMPARE(s.range, std::string("mse"));
    }

    void unknownKeyIsRefusedNamingTheValidOnes()
    {
        const QString message = errorOf([] { transportSettingsFromJson(QJsonObject{{"bitz", 4}}); });
        QVERIFY2(message.contains("'bitz'"), qPrintable(message));
        QVERIFY2(message.contains("codec, repr, bits, per_channel, range, framing"), qPrintable(message));
    }

    void badValueIsRefusedNamingKeyAndAllowedValues_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("allowed");
        // wrong JSON types
        QTest::newRow("bits as string") << "bits" << QJsonValue("8") << "an integer in 2..8";
        QTest::newRow("per_channel as number") << "per_channel" << QJsonValue(1) << "true or false";
        QTest::newRow("codec as number") << "codec" << QJsonValue(5) << "zstd-entropy";
        QTest::newRow("repr as bool") << "repr" << QJsonValue(true) << "float32-shuffled";
        QTest::newRow("range as null") << "range" << QJsonValue(QJsonValue::Null) << "minmax, mse";
        // out of the allowed values
        QTest::newRow("bits 9") << "bits" << QJsonValue(9) << "an integer in 2..8";
        QTest::newRow("bits 1") << "bits" << QJsonValue(1) << "an integer in 2..8";
        QTest::newRow("bits 4.5") << "bits" << QJsonValue(4.5) << "an integer in 2..8";
        QTest::newRow("codec lzma") << "codec" << QJsonValue("lzma") << "store, zstd, zstd-entropy, context";
        QTest::newRow("repr uint8") << "repr" << QJsonValue("uint8") << "float32, float32-shuffled, float16, uint";
        QTest::newRow("range p99") << "range" << QJsonValue("p99") << "minmax, mse";
    }

    void badValueIsRefusedNamingKeyAndAllowedValues()
    {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, allowed);
        const QJsonObject json{{key, value}};
        for (const QString& message :
             {errorOf([&] { transportSettingsFromJson(json); }), errorOf([&] { transportSettingsWithin(json); })}) {
            QVERIFY2(message.contains("'" + key + "'"), qPrintable(message));
            QVERIFY2(message.contains(allowed), qPrintable(message));
        }
    }

    // Rules across fields are validate()'s: the context coder needs quantized symbols.
    void crossFieldRulesApply()
    {
        const QString message = errorOf([] {
            transportSettingsFromJson(QJsonObject{{"codec", "context"}, {"repr", "float32"}});
        });
        QVERIFY2(message.contains("context") && message.contains("uint"), qPrintable(message));
        QVERIFY(errorOf([] {
                    transportSettingsFromJson(QJsonObject{{"codec", "zstd"}, {"repr", "float32"}});
                }).isEmpty());
    }

    // Inside a larger object (the agent's settings) the other keys belong to their owner.
    void withinTakesOnlyTheTransportKeys()
    {
        const QJsonObject agentSettings{{"mode", "aecnn"}, {"window", 1}, {"bits", 4}, {"codec", "context"}};
        const auto s = transportSettingsWithin(agentSettings);
        QCOMPARE(s.bits, 4);
        QCOMPARE(s.coder, std::string("context"));
        QVERIFY(!errorOf([&] { transportSettingsFromJson(agentSettings); }).isEmpty());
    }

    void tableMatchesTheSettings()
    {
        // One row per wire key, each mapping exactly one member of its type.
        QCOMPARE(int(transportFields().size()), 6);
        for (const auto& field : transportFields()) {
            const int members =
                int(field.text != nullptr) + int(field.integer != nullptr) + int(field.boolean != nullptr);
            QCOMPARE(members, 1);
            QCOMPARE(findTransportField(field.key), &field);
        }
        QVERIFY(findTransportField("bitz") == nullptr);
    }
};

QTEST_APPLESS_MAIN(TestTransportSettingsJson)
#include "test_transport_settings_json.moc"
