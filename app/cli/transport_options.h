#pragma once

// The transport options (--codec, --repr, --bits, --per-tensor, --range) of the
// commands that code split-model tensors, registered and read from one table built on
// the JSON mapping's fields (aecnn/split/transport_settings_json.h): the same names,
// allowed values and "uint only" rules everywhere. Each command keeps its help texts.

#include <string>
#include <vector>

#include <QJsonObject>

#include "aecnn/split/split_transport.h"
#include "cli_args.h"

namespace aecnn::cli {

enum class TransportCommand {
    Eval,  // aecnn eval --codec: --codec and --bits take comma-separated lists
    Codec, // aecnn codec (encode, decode, stats, train-dict): no --range
    Edge,  // aecnn edge: the options given become the agent's settings
};

// The command's transport options, in the order they are listed.
std::vector<OptionSpec> transportOptions(TransportCommand command);
// The names of those options ("codec", "repr", ...), for "applies to ..." checks.
std::vector<std::string> transportOptionNames(TransportCommand command);

struct TransportArgs {
    TransportSettings base;          // defaults, overridden by the options given
    std::vector<std::string> coders; // every --codec value (one unless Eval)
    std::vector<int> bitDepths;      // every --bits value (one unless Eval)
    QJsonObject given;               // the options given, as wire JSON (list options: their first value)

    // Every coder x bit depth, coder-major, each checked with validate() (UsageError).
    std::vector<TransportSettings> all() const;
};

// Reads the command's transport options: a value outside the allowed ones, or a
// "uint only" option (--bits, --range) with another --repr, is a UsageError naming
// the option and what is valid.
TransportArgs readTransportOptions(const ParsedArgs& args, TransportCommand command);
// validate(), as a UsageError.
void checkTransportSettings(const TransportSettings& settings);
// The settings as results show them: the wire keys, with the fields that apply to
// --repr uint only blank (0, "") for the other representations.
QJsonObject describeTransport(const TransportSettings& settings);

} // namespace aecnn::cli
