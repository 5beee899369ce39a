#include <iostream>
#include <sstream>

#include <QCoreApplication>
#include <QJsonDocument>

#include <c10/util/Exception.h>

#include "aecnn/error.h"
#include "aecnn/datasets/dataset_error.h"
#include "command.h"
#include "progress_printer.h"

namespace {

using aecnn::cli::Command;
using aecnn::cli::OptionSpec;

std::vector<OptionSpec> commonOptions()
{
    return {{"json", "", "print one JSON object on stdout and nothing else", ""},
            {"threads", "N", "LibTorch intra-op threads, 0 = all cores", "0"},
            {"help", "", "show this help", ""}};
}

void printUsage(const std::vector<Command>& commands)
{
    std::cout << "usage: aecnn <command> [options]\n\ncommands:\n";
    for (const auto& c : commands) {
        std::string name = "  " + c.name;
        name.resize(16, ' ');
        std::cout << name << c.summary << "\n";
    }
    std::cout << "\n'aecnn <command> --help' lists a command's options.\n";
}

int fail(bool json, const std::string& command, const std::string& kind, const std::string& message, int code)
{
    std::cerr << "aecnn " << command << ": " << kind << ": " << message << "\n";
    if (json) {
        QJsonObject error{{"ok", false}, {"error", QString::fromStdString(message)}, {"kind", QString::fromStdString(kind)}};
        std::cout << QJsonDocument(error).toJson(QJsonDocument::Compact).toStdString() << std::endl;
    }
    return code;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const auto commands = aecnn::cli::allCommands();
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
        printUsage(commands);
        return argc < 2 ? 2 : 0;
    }
    const std::string name = argv[1];
    const Command* command = nullptr;
    for (const auto& c : commands)
        if (c.name == name)
            command = &c;
    std::vector<std::string> args(argv + 2, argv + argc);
    bool json = false;
    for (const auto& a : args)
        json = json || a == "--json";
    if (!command) {
        std::string valid;
        for (const auto& c : commands)
            valid += (valid.empty() ? "" : ", ") + c.name;
        return fail(json, name, "usage error", "unknown command '" + name + "'; valid commands: " + valid, 2);
    }

    auto options = command->options;
    for (auto& o : commonOptions())
        options.push_back(o);
    std::ostringstream discard;
    try {
        const auto parsed = aecnn::cli::parseArgs(args, options, command->maxPositional);
        if (parsed.flag("help")) {
            std::cout << "usage: aecnn " << command->name << " [options]\n" << command->summary << "\n\n"
                      << aecnn::cli::formatOptions(options);
            return 0;
        }
        aecnn::cli::CommandContext context;
        context.json = parsed.flag("json");
        context.threads = aecnn::configureThreads(parsed.integer("threads", 0, 256));
        context.text = context.json ? static_cast<std::ostream*>(&discard) : &std::cout;
        context.progress = aecnn::cli::makeProgressPrinter(!context.json);
        for (int i = 0; i < argc; ++i)
            context.commandLine += (i ? " " : "") + std::string(argv[i]);
        QJsonObject result = command->run(parsed, context);
        if (context.json) {
            result.insert("ok", true);
            std::cout << QJsonDocument(result).toJson(QJsonDocument::Compact).toStdString() << std::endl;
        }
        return 0;
    } catch (const aecnn::cli::UsageError& e) {
        return fail(json, name, "usage error", std::string(e.what()) + " (see 'aecnn " + name + " --help')", 2);
    } catch (const aecnn::datasets::DatasetError& e) {
        return fail(json, name, "dataset error", e.what(), 1);
    } catch (const aecnn::Error& e) {
        return fail(json, name, "error", e.what(), 1);
    } catch (const c10::Error& e) {
        return fail(json, name, "torch error", e.what_without_backtrace(), 1);
    } catch (const std::exception& e) {
        return fail(json, name, "error", e.what(), 1);
    }
}
