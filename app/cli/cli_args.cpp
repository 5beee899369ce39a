#include "cli_args.h"

#include <sstream>

namespace aecnn::cli {
namespace {

const OptionSpec* findSpec(const std::vector<OptionSpec>& specs, const std::string& name)
{
    for (const auto& spec : specs)
        if (spec.name == name)
            return &spec;
    return nullptr;
}

std::string validNames(const std::vector<OptionSpec>& specs)
{
    std::string out;
    for (const auto& spec : specs)
        out += (out.empty() ? "--" : ", --") + spec.name;
    return out;
}

} // namespace

std::string formatOptions(const std::vector<OptionSpec>& specs)
{
    std::ostringstream out;
    for (const auto& spec : specs) {
        std::string left = "  --" + spec.name + (spec.valueName.empty() ? "" : " " + spec.valueName);
        if (left.size() < 28)
            left.resize(28, ' ');
        else
            left += "  ";
        out << left << spec.help;
        if (!spec.defaultValue.empty())
            out << " (default: " << spec.defaultValue << ")";
        out << "\n";
    }
    return out.str();
}

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs, int maxPositional)
{
    ParsedArgs parsed;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") {
            if (static_cast<int>(parsed.positional_.size()) >= maxPositional)
                throw UsageError("unexpected argument '" + arg + "'");
            parsed.positional_.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::string value;
        bool hasInlineValue = false;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasInlineValue = true;
        }
        const OptionSpec* spec = findSpec(specs, name);
        if (!spec)
            throw UsageError("unknown option --" + name + "; valid options: " + validNames(specs));
        if (spec->valueName.empty()) {
            if (hasInlineValue)
                throw UsageError("option --" + name + " takes no value");
            parsed.values_[name] = "1";
            continue;
        }
        if (!hasInlineValue) {
            if (i + 1 >= args.size())
                throw UsageError("option --" + name + " needs a value " + spec->valueName);
            value = args[++i];
        }
        parsed.values_[name] = value;
    }
    for (const auto& spec : specs)
        if (!spec.defaultValue.empty() && !spec.valueName.empty() && !parsed.values_.count(spec.name))
            parsed.values_[spec.name] = spec.defaultValue;
    return parsed;
}

bool ParsedArgs::has(const std::string& name) const
{
    return values_.count(name) > 0;
}

std::string ParsedArgs::text(const std::string& name) const
{
    auto it = values_.find(name);
    if (it == values_.end())
        throw UsageError("missing required option --" + name);
    return it->second;
}

int ParsedArgs::integer(const std::string& name, int min, int max) const
{
    const std::string value = text(name);
    try {
        size_t used = 0;
        const long long parsed = std::stoll(value, &used);
        if (used == value.size() && parsed >= min && parsed <= max)
            return static_cast<int>(parsed);
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " must be an integer in " + std::to_string(min) + ".." + std::to_string(max) +
                     ", got '" + value + "'");
}

double ParsedArgs::number(const std::string& name, double min, double max) const
{
    const std::string value = text(name);
    try {
        size_t used = 0;
        const double parsed = std::stod(value, &used);
        if (used == value.size() && parsed >= min && parsed <= max)
            return parsed;
    } catch (const std::exception&) {
    }
    std::ostringstream msg;
    msg << "--" << name << " must be a number in [" << min << ", " << max << "], got '" << value << "'";
    throw UsageError(msg.str());
}

std::vector<int> ParsedArgs::integerList(const std::string& name, int min, int max) const
{
    const std::string value = text(name);
    std::vector<int> out;
    std::stringstream stream(value);
    std::string item;
    while (std::getline(stream, item, ',')) {
        try {
            size_t used = 0;
            const long long parsed = std::stoll(item, &used);
            if (used == item.size() && parsed >= min && parsed <= max) {
                out.push_back(static_cast<int>(parsed));
                continue;
            }
        } catch (const std::exception&) {
        }
        throw UsageError("--" + name + " must be a comma-separated list of integers in " + std::to_string(min) + ".." +
                         std::to_string(max) + ", got '" + value + "'");
    }
    if (out.empty())
        throw UsageError("--" + name + " must not be empty");
    return out;
}

std::pair<int, int> ParsedArgs::size(const std::string& name) const
{
    const std::string value = text(name);
    const auto x = value.find('x');
    try {
        if (x != std::string::npos) {
            size_t usedH = 0, usedW = 0;
            const int h = std::stoi(value.substr(0, x), &usedH);
            const int w = std::stoi(value.substr(x + 1), &usedW);
            if (usedH == x && usedW == value.size() - x - 1 && h >= 8 && w >= 8 && h <= 4096 && w <= 4096)
                return {h, w};
        }
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " must be HxW with 8 <= H, W <= 4096 (e.g. 28x28), got '" + value + "'");
}

} // namespace aecnn::cli
