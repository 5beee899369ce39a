#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <QJsonObject>

#include "aecnn/model/training.h"
#include "cli_args.h"

namespace aecnn::cli {

// What every command gets besides its own arguments.
struct CommandContext {
    bool json = false;
    int threads = 1;
    std::string commandLine;
    std::ostream* text = nullptr; // human-readable output; discards in --json mode
    ProgressCallback progress;    // terminal progress; silent in --json mode
};

// A subcommand returns its result as one JSON object; main prints it with --json.
struct Command {
    std::string name;
    std::string summary;
    std::vector<OptionSpec> options;
    int maxPositional = 0;
    std::function<QJsonObject(const ParsedArgs&, CommandContext&)> run;
};

std::vector<Command> allCommands();

Command trainCommand();
Command evalCommand();
Command predictCommand();
Command splitsCommand();
Command benchModelCommand();
Command reproduceCommand();
Command aecnnTrainCommand();
Command importanceCommand();
Command codecCommand();
Command dumpFeaturesCommand();
Command benchCodecCommand();
Command baselineInputCommand();
Command latencyCommand();
Command edgeCommand();
Command sweepCommand();
Command exportCommand();
Command packModelCommand();

// Shared option specs.
OptionSpec modelOption();
OptionSpec datasetOption(const std::string& defaultSpec = "fashion-mnist");

} // namespace aecnn::cli
