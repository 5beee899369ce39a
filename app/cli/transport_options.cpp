#include "transport_options.h"

#include <algorithm>
#include <array>
#include <sstream>

#include "aecnn/error.h"
#include "aecnn/split/transport_settings_json.h"

namespace aecnn::cli {
namespace {

// One transport option: the JSON field it sets and how each command presents it.
// Help texts and value names may use {names} (the field's allowed values, comma
// separated), {either} ("a, b or c"), {bar} ("a|b"), {min}, {max}.
struct TransportOption {
    const char* key;                     // the field in transportFields()
    const char* option;                  // without "--"
    const char* valueName;               // empty for a flag
    bool flagValue;                      // flags: the value the flag sets
    bool listInEval;                     // eval takes a comma-separated list
    std::array<const char*, 3> help;     // per TransportCommand; nullptr = the command has no such option
    std::array<const char*, 3> defaults; // per TransportCommand; "" = none
};

// key, option, value name, flag value, list in eval, help {eval, codec, edge}, default {eval, codec, edge}
// clang-format off
const std::array<TransportOption, 6> kTransportOptions{{
    {"codec", "codec", "NAME", false, true,
     {"split models: code each transmitted tensor with these coders ({names}) through the device/edge transport",
      "entropy coder: {names}",
      "coder of the transmitted tensor: {names}"},
     {"", "context", ""}},
    {"repr", "repr", "NAME", false, false,
     {"with --codec: {either} (n-bit quantization; default)",
      "{either} (n-bit quantization)",
      "{either} (default)"},
     {"", "uint", ""}},
    {"bits", "bits", "n", false, true,
     {"with --codec and --repr uint: quantization bits, {min}..{max} (default 8)",
      "quantization bits for uint, {min}..{max} (default 8)",
      "uint quantization bits, {min}..{max} (default 8)"},
     {"", "", ""}},
    {"per_channel", "per-tensor", "", false, false,
     {"with --codec: one quantization scale per tensor instead of per channel",
      "one quantization scale for the tensor instead of one per channel",
      "one quantization scale per tensor instead of per channel"},
     {"", "", ""}},
    {"range", "range", "{bar}", false, false,
     {"with --codec and --repr uint: quantize the full value range (minmax, default) or the range of least squared "
      "error (mse; outliers saturate)",
      nullptr,
      "uint quantization range: full min/max (default) or least squared error"},
     {"", "", ""}},
    {"framing", "framing", "{bar}", false, false,
     {"with --codec: self-describing frames (frame, default) or frames against a per-session layout (session: "
      "shape, kept channels, coder, bits agreed once; each frame carries a layout tag, its ranges and the payload)",
      nullptr,
      "self-describing frames (frame, default) or frames against the session layout sent in Configure (session)"},
     {"", "", ""}},
}};
// clang-format on

const TransportField& fieldOf(const TransportOption& option)
{
    const TransportField* field = findTransportField(option.key);
    if (!field)
        throw std::logic_error(std::string("transport option --") + option.option + " maps no transport field");
    return *field;
}

std::string joined(const std::vector<std::string>& names, const std::string& separator, const std::string& last)
{
    std::string out;
    for (size_t i = 0; i < names.size(); ++i)
        out += (i == 0 ? "" : i + 1 == names.size() ? last : separator) + names[i];
    return out;
}

std::string expand(std::string text, const TransportField& field)
{
    const std::pair<std::string, std::string> replacements[] = {{"{names}", joined(field.names, ", ", ", ")},
                                                                {"{either}", joined(field.names, ", ", " or ")},
                                                                {"{bar}", joined(field.names, "|", "|")},
                                                                {"{min}", std::to_string(field.min)},
                                                                {"{max}", std::to_string(field.max)}};
    for (const auto& [from, to] : replacements)
        for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
            text.replace(at, from.size(), to);
    return text;
}

bool takesList(const TransportOption& option, TransportCommand command)
{
    return option.listInEval && command == TransportCommand::Eval;
}

std::vector<std::string> commaSeparated(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        items.push_back(item);
    return items;
}

} // namespace

std::vector<OptionSpec> transportOptions(TransportCommand command)
{
    const auto index = static_cast<size_t>(command);
    std::vector<OptionSpec> specs;
    for (const auto& option : kTransportOptions) {
        if (!option.help[index])
            continue;
        const auto& field = fieldOf(option);
        std::string valueName = expand(option.valueName, field);
        if (takesList(option, command))
            valueName += ",..";
        specs.push_back({option.option, valueName, expand(option.help[index], field), option.defaults[index]});
    }
    return specs;
}

std::vector<std::string> transportOptionNames(TransportCommand command)
{
    std::vector<std::string> names;
    for (const auto& spec : transportOptions(command))
        names.push_back(spec.name);
    return names;
}

TransportArgs readTransportOptions(const ParsedArgs& args, TransportCommand command)
{
    const auto index = static_cast<size_t>(command);
    TransportArgs out;
    std::vector<const TransportOption*> uniformOnlyGiven;
    for (const auto& option : kTransportOptions) {
        if (!option.help[index] || !args.has(option.option))
            continue;
        const auto& field = fieldOf(option);
        const std::string name = std::string("--") + option.option;
        switch (field.type) {
        case TransportFieldType::Text: {
            const std::string text = args.text(option.option);
            const auto values = takesList(option, command) ? commaSeparated(text) : std::vector<std::string>{text};
            for (const auto& value : values)
                if (std::find(field.names.begin(), field.names.end(), value) == field.names.end())
                    throw UsageError(name + " must be " + allowedValuesText(field) + ", got '" + value + "'");
            if (values.empty())
                throw UsageError(name + " must be " + allowedValuesText(field) + ", got '" + text + "'");
            out.base.*field.text = values.front();
            if (field.text == &TransportSettings::coder)
                out.coders = values;
            break;
        }
        case TransportFieldType::Integer: {
            const auto values = takesList(option, command)
                                    ? args.integerList(option.option, field.min, field.max)
                                    : std::vector<int>{args.integer(option.option, field.min, field.max)};
            out.base.*field.integer = values.front();
            if (field.integer == &TransportSettings::bits)
                out.bitDepths = values;
            break;
        }
        case TransportFieldType::Boolean:
            out.base.*field.boolean = option.flagValue;
            break;
        }
        out.given.insert(QString::fromStdString(field.key), transportFieldToJson(out.base, field));
        if (field.uniformOnly)
            uniformOnlyGiven.push_back(&option);
    }
    for (const auto* option : uniformOnlyGiven)
        if (out.base.representation != "uint")
            throw UsageError(std::string("--") + option->option + " applies to --repr uint only");
    if (out.coders.empty())
        out.coders = {out.base.coder};
    if (out.bitDepths.empty())
        out.bitDepths = {out.base.bits};
    return out;
}

std::vector<TransportSettings> TransportArgs::all() const
{
    std::vector<TransportSettings> settings;
    for (const auto& coder : coders)
        for (int bits : bitDepths) {
            TransportSettings s = base;
            s.coder = coder;
            s.bits = bits;
            checkTransportSettings(s);
            settings.push_back(s);
        }
    return settings;
}

void checkTransportSettings(const TransportSettings& settings)
{
    try {
        validate(settings);
    } catch (const Error& e) {
        throw UsageError(e.what());
    }
}

QJsonObject describeTransport(const TransportSettings& settings)
{
    QJsonObject json = transportSettingsToJson(settings);
    for (const auto& field : transportFields())
        if (field.uniformOnly && settings.representation != "uint")
            json[QString::fromStdString(field.key)] =
                field.type == TransportFieldType::Text ? QJsonValue(QString()) : QJsonValue(0);
    return json;
}

} // namespace aecnn::cli
