#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace aecnn::studio {

// Command line of aecnn-studio.
struct StartupOptions {
    QString connectHost;        // empty = do not connect
    quint16 connectPort = 0;
    QString tokenFile;
    bool demo = false;
    std::optional<int> split;
    std::optional<int> ratio;
    QString model;              // empty = remembered / default
    QString dataset = QStringLiteral("fashion-mnist");
    QString screenshot;         // render the main window to this PNG and exit
    int screenshotDelayMs = 0;  // wait before the screenshot (lets demo data arrive)
    QString tab;                // view shown first: attention, live, entropy, tradeoffs, features, device, race
    bool present = false;       // presentation mode: full screen, large fonts, the tour (implies demo)
    QString tourFile;           // empty = resources/presentation/tour.json
    int tourStepMs = 0;         // > 0 replaces the tour's time per stop
    QString recordFile;         // record every live frame to this CSV from the start
};

// Parses `arguments` (argv including the program name). On a bad value returns
// nothing and sets *error to a message naming the option; --help/--version set
// *exitText instead and return nothing.
std::optional<StartupOptions> parseStartupOptions(const QStringList& arguments, QString* error, QString* exitText);

} // namespace aecnn::studio
