#include "aecnn/split/transport_settings_json.h"

#include <cmath>

#include "aecnn/codec/entropy_coder.h"
#include "aecnn/codec/quantizer.h"
#include "aecnn/error.h"

namespace aecnn {
namespace {

std::string joinedNames(const std::vector<std::string>& names, const char* separator)
{
    std::string out;
    for (const auto& name : names)
        out += (out.empty() ? "" : separator) + name;
    return out;
}

std::vector<std::string> transportRepresentationNames()
{
    using codec::Representation;
    std::vector<std::string> names;
    for (auto r :
         {Representation::Float32, Representation::Float32Shuffled, Representation::Float16, Representation::Uniform})
        names.push_back(codec::representationName(r));
    return names;
}

std::vector<std::string> transportRangeNames()
{
    return {codec::rangeChoiceName(codec::RangeChoice::MinMax), codec::rangeChoiceName(codec::RangeChoice::MinMse)};
}

std::vector<TransportField> buildTransportFields()
{
    std::vector<TransportField> fields(6);
    fields[0].key = "codec";
    fields[0].type = TransportFieldType::Text;
    fields[0].text = &TransportSettings::coder;
    fields[0].names = codec::coderNames();

    fields[1].key = "repr";
    fields[1].type = TransportFieldType::Text;
    fields[1].text = &TransportSettings::representation;
    fields[1].names = transportRepresentationNames();

    fields[2].key = "bits";
    fields[2].type = TransportFieldType::Integer;
    fields[2].integer = &TransportSettings::bits;
    fields[2].min = 2;
    fields[2].max = 8;
    fields[2].uniformOnly = true;

    fields[3].key = "per_channel";
    fields[3].type = TransportFieldType::Boolean;
    fields[3].boolean = &TransportSettings::perChannel;

    fields[4].key = "range";
    fields[4].type = TransportFieldType::Text;
    fields[4].text = &TransportSettings::range;
    fields[4].names = transportRangeNames();
    fields[4].uniformOnly = true;

    fields[5].key = "framing";
    fields[5].type = TransportFieldType::Text;
    fields[5].text = &TransportSettings::framing;
    fields[5].names = {"frame", "session"};
    return fields;
}

// "got 9", "got the string \"8\"": what arrived, for messages.
std::string describeJsonValue(const QJsonValue& value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? "got true" : "got false";
    case QJsonValue::Double: {
        const double d = value.toDouble();
        return "got " + (d == std::floor(d) && std::abs(d) < 1e15 ? std::to_string(static_cast<long long>(d))
                                                                  : std::to_string(d));
    }
    case QJsonValue::String:
        return "got the string \"" + value.toString().toStdString() + "\"";
    case QJsonValue::Array:
        return "got an array";
    case QJsonValue::Object:
        return "got an object";
    case QJsonValue::Null:
        return "got null";
    default:
        return "got nothing";
    }
}

[[noreturn]] void rejectValue(const TransportField& field, const QJsonValue& value)
{
    throw Error("transport setting '" + field.key + "' must be " + allowedValuesText(field) + ", " +
                describeJsonValue(value));
}

} // namespace

const std::vector<TransportField>& transportFields()
{
    static const std::vector<TransportField> fields = buildTransportFields(); // constant after first use
    return fields;
}

const TransportField* findTransportField(const std::string& key)
{
    for (const auto& field : transportFields())
        if (field.key == key)
            return &field;
    return nullptr;
}

std::string transportKeysText()
{
    std::vector<std::string> keys;
    for (const auto& field : transportFields())
        keys.push_back(field.key);
    return joinedNames(keys, ", ");
}

std::string allowedValuesText(const TransportField& field)
{
    switch (field.type) {
    case TransportFieldType::Text:
        return "one of " + joinedNames(field.names, ", ");
    case TransportFieldType::Integer:
        return "an integer in " + std::to_string(field.min) + ".." + std::to_string(field.max);
    case TransportFieldType::Boolean:
        return "true or false";
    }
    return {};
}

QJsonValue transportFieldToJson(const TransportSettings& settings, const TransportField& field)
{
    switch (field.type) {
    case TransportFieldType::Text:
        return QString::fromStdString(settings.*field.text);
    case TransportFieldType::Integer:
        return settings.*field.integer;
    case TransportFieldType::Boolean:
        return settings.*field.boolean;
    }
    return {};
}

void setTransportField(TransportSettings& settings, const TransportField& field, const QJsonValue& value)
{
    switch (field.type) {
    case TransportFieldType::Text: {
        if (!value.isString())
            rejectValue(field, value);
        const std::string text = value.toString().toStdString();
        bool known = false;
        for (const auto& name : field.names)
            known = known || name == text;
        if (!known)
            rejectValue(field, value);
        settings.*field.text = text;
        return;
    }
    case TransportFieldType::Integer: {
        const double d = value.toDouble();
        if (!value.isDouble() || d != std::floor(d) || d < field.min || d > field.max)
            rejectValue(field, value);
        settings.*field.integer = static_cast<int>(d);
        return;
    }
    case TransportFieldType::Boolean:
        if (!value.isBool())
            rejectValue(field, value);
        settings.*field.boolean = value.toBool();
        return;
    }
}

QJsonObject transportSettingsToJson(const TransportSettings& settings)
{
    QJsonObject json;
    for (const auto& field : transportFields())
        json.insert(QString::fromStdString(field.key), transportFieldToJson(settings, field));
    return json;
}

TransportSettings transportSettingsFromJson(const QJsonObject& json, const TransportSettings& base)
{
    for (auto it = json.begin(); it != json.end(); ++it)
        if (!findTransportField(it.key().toStdString()))
            throw Error("unknown transport setting '" + it.key().toStdString() + "'; valid: " + transportKeysText());
    return transportSettingsWithin(json, base);
}

TransportSettings transportSettingsWithin(const QJsonObject& json, const TransportSettings& base)
{
    TransportSettings settings = base;
    for (const auto& field : transportFields()) {
        const auto it = json.constFind(QString::fromStdString(field.key));
        if (it != json.constEnd())
            setTransportField(settings, field, *it);
    }
    validate(settings); // cross-field rules: coder vs representation, dictionary
    return settings;
}

} // namespace aecnn
