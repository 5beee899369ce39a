#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace aecnn::cli {

// The one error type of the CLI layer: the command line itself is wrong.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;      // without the leading "--"
    std::string valueName; // empty for a boolean flag
    std::string help;
    std::string defaultValue;
};

class ParsedArgs {
public:
    bool has(const std::string& name) const;
    bool flag(const std::string& name) const { return has(name); }
    std::string text(const std::string& name) const;
    int integer(const std::string& name, int min, int max) const;
    double number(const std::string& name, double min, double max) const;
    // Comma-separated integers, each within [min, max].
    std::vector<int> integerList(const std::string& name, int min, int max) const;
    // "HxW" (e.g. 28x28) into height and width.
    std::pair<int, int> size(const std::string& name) const;
    const std::vector<std::string>& positional() const { return positional_; }

private:
    friend ParsedArgs parseArgs(const std::vector<std::string>&, const std::vector<OptionSpec>&, int);
    std::map<std::string, std::string> values_;
    std::vector<std::string> positional_;
};

// Parses `--name value`, `--name=value` and `--flag`; unknown options and
// missing values are UsageErrors that list the valid options.
ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs, int maxPositional);

std::string formatOptions(const std::vector<OptionSpec>& specs);

} // namespace aecnn::cli
