#pragma once

// The one mapping of TransportSettings to and from JSON. The agent's Configure
// message, the edge runtime, the studio and the CLI (app/cli/transport_options.h)
// all go through it, so the wire keys are spelled in exactly one place:
//
//   key          type     default        allowed
//   codec        string   zstd-entropy   codec::coderNames()
//   repr         string   uint           float32, float32-shuffled, float16, uint
//   bits         integer  8              2..8            ("uint" only)
//   per_channel  boolean  true
//   range        string   minmax         minmax, mse     ("uint" only)
//   framing      string   frame          frame, session  (session: layout-framed frames, session_layout.h)
//
// transportFields() is that table; both directions and every check are derived from
// it. A key that is not in it, a value of the wrong JSON type or a value outside the
// allowed ones is an aecnn::Error naming the key and what is valid. The zstd level
// and the dictionary are not settings on the wire (the dictionary travels with the model).
//
// Torch-free: GUI code may include it.

#include <string>
#include <vector>

#include <QJsonObject>
#include <QJsonValue>

#include "aecnn/split/split_transport.h"

namespace aecnn {

enum class TransportFieldType { Text, Integer, Boolean };

struct TransportField {
    std::string key; // the JSON key, identical on every peer
    TransportFieldType type = TransportFieldType::Text;
    // The member of TransportSettings it maps; exactly the one matching `type` is set.
    std::string TransportSettings::*text = nullptr;
    int TransportSettings::*integer = nullptr;
    bool TransportSettings::*boolean = nullptr;
    std::vector<std::string> names; // Text: the allowed values
    int min = 0, max = 0;           // Integer: the allowed range
    bool uniformOnly = false;       // meaningful for representation "uint" only
};

// The fields in wire order. The defaults are those of TransportSettings{}.
const std::vector<TransportField>& transportFields();
// nullptr when `key` is not a transport key.
const TransportField* findTransportField(const std::string& key);
// "codec, repr, bits, per_channel, range, framing": for messages listing the valid keys.
std::string transportKeysText();
// What `field` accepts, for messages: "one of store, zstd, ...", "an integer in 2..8", "true or false".
std::string allowedValuesText(const TransportField& field);

// One field of `settings` as JSON.
QJsonValue transportFieldToJson(const TransportSettings& settings, const TransportField& field);
// Sets one field from JSON; throws aecnn::Error naming the key and the allowed values
// when the type or the value is wrong. Cross-field rules are validate()'s.
void setTransportField(TransportSettings& settings, const TransportField& field, const QJsonValue& value);

// Every field of `settings`.
QJsonObject transportSettingsToJson(const TransportSettings& settings);
// `json` on top of `base`. Every key must be a transport key (an unknown one is an
// aecnn::Error listing the valid keys); the result is validate()d.
TransportSettings transportSettingsFromJson(const QJsonObject& json, const TransportSettings& base = {});
// The transport keys of a larger object (e.g. the agent's stream settings, which also
// hold mode, rate_mbps, ...) on top of `base`; the other keys are left to their owner.
// Checked like transportSettingsFromJson().
TransportSettings transportSettingsWithin(const QJsonObject& json, const TransportSettings& base = {});

} // namespace aecnn
