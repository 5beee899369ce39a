#include "startup_options.h"

#include <QCommandLineParser>

namespace aecnn::studio {
namespace {

std::optional<int> positiveInt(const QCommandLineParser& parser, const QString& name, int maximum, QString* error)
{
    if (!parser.isSet(name))
        return std::nullopt;
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < 1 || value > maximum) {
        *error = QStringLiteral("--%1 must be an integer 1..%2, got '%3'").arg(name).arg(maximum).arg(parser.value(name));
        return std::nullopt;
    }
    return value;
}

} // namespace

std::optional<StartupOptions> parseStartupOptions(const QStringList& arguments, QString* error, QString* exitText)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "AECNN Studio: explore attention-based feature compression for CNN offloading, live from a device agent."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("connect"), QStringLiteral("Connect to an aecnn-agent at HOST:PORT."), QStringLiteral("HOST:PORT")},
        {QStringLiteral("token-file"), QStringLiteral("File holding the agent's pre-shared token."), QStringLiteral("FILE")},
        {QStringLiteral("demo"), QStringLiteral("Demo: default model, split 1, local agent on loopback, live views.")},
        {QStringLiteral("split"), QStringLiteral("Split point l."), QStringLiteral("L")},
        {QStringLiteral("ratio"), QStringLiteral("Compression ratio V (channels kept = C / V)."), QStringLiteral("V")},
        {QStringLiteral("model"), QStringLiteral("Model spec: default, a checkpoint path or torchvision:FILE."),
         QStringLiteral("SPEC")},
        {QStringLiteral("dataset"), QStringLiteral("Data set for attention statistics (default fashion-mnist)."),
         QStringLiteral("SPEC"), QStringLiteral("fashion-mnist")},
        {QStringLiteral("screenshot"), QStringLiteral("Render the main window to this PNG file and exit."),
         QStringLiteral("FILE")},
        {QStringLiteral("tab"),
         QStringLiteral("View shown first: attention, live, entropy, tradeoffs, features, device, race or sweep "
                        "(race with --demo: the race preset runs at start)."),
         QStringLiteral("NAME")},
        {QStringLiteral("present"),
         QStringLiteral("Presentation mode: the demo full screen with large fonts, touring split points, V and "
                        "link rates with captions.")},
        {QStringLiteral("tour"), QStringLiteral("Tour of --present (default: the shipped presentation/tour.json)."),
         QStringLiteral("FILE")},
        {QStringLiteral("tour-step-ms"), QStringLiteral("Milliseconds at each tour stop (default: the tour's)."),
         QStringLiteral("MS")},
        {QStringLiteral("record"), QStringLiteral("Record every live frame to this CSV file from the start."),
         QStringLiteral("FILE")},
        {QStringLiteral("screenshot-delay"), QStringLiteral("Milliseconds to wait before --screenshot (default 0)."),
         QStringLiteral("MS"), QStringLiteral("0")},
    });
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    if (parser.isSet(help)) {
        *exitText = parser.helpText();
        return std::nullopt;
    }
    if (parser.isSet(version)) {
        *exitText = QStringLiteral("aecnn-studio %1\n").arg(QStringLiteral(AECNN_VERSION));
        return std::nullopt;
    }
    if (!parser.positionalArguments().isEmpty()) {
        *error = QStringLiteral("unexpected argument '%1'; see --help").arg(parser.positionalArguments().first());
        return std::nullopt;
    }
    StartupOptions options;
    if (parser.isSet(QStringLiteral("connect"))) {
        const QString value = parser.value(QStringLiteral("connect"));
        const int colon = value.lastIndexOf(QLatin1Char(':'));
        bool ok = false;
        const uint port = colon > 0 ? value.mid(colon + 1).toUInt(&ok) : 0;
        if (colon <= 0 || !ok || port < 1 || port > 65535) {
            *error = QStringLiteral("--connect must be HOST:PORT with a port 1..65535, got '%1'").arg(value);
            return std::nullopt;
        }
        options.connectHost = value.left(colon);
        options.connectPort = static_cast<quint16>(port);
    }
    options.tokenFile = parser.value(QStringLiteral("token-file"));
    options.demo = parser.isSet(QStringLiteral("demo"));
    options.split = positiveInt(parser, QStringLiteral("split"), 64, error);
    if (!error->isEmpty())
        return std::nullopt;
    options.ratio = positiveInt(parser, QStringLiteral("ratio"), 4096, error);
    if (!error->isEmpty())
        return std::nullopt;
    options.model = parser.value(QStringLiteral("model"));
    options.dataset = parser.value(QStringLiteral("dataset"));
    options.screenshot = parser.value(QStringLiteral("screenshot"));
    options.tab = parser.value(QStringLiteral("tab"));
    const QStringList tabs{QStringLiteral("attention"), QStringLiteral("live"), QStringLiteral("entropy"),
                           QStringLiteral("tradeoffs"), QStringLiteral("features"), QStringLiteral("device"),
                           QStringLiteral("race"), QStringLiteral("sweep")};
    if (!options.tab.isEmpty() && !tabs.contains(options.tab)) {
        *error = QStringLiteral("--tab must be one of %1, got '%2'").arg(tabs.join(QStringLiteral(", ")), options.tab);
        return std::nullopt;
    }
    options.present = parser.isSet(QStringLiteral("present"));
    options.demo = options.demo || options.present;
    options.tourFile = parser.value(QStringLiteral("tour"));
    options.recordFile = parser.value(QStringLiteral("record"));
    if (parser.isSet(QStringLiteral("tour-step-ms"))) {
        bool isNumber = false;
        options.tourStepMs = parser.value(QStringLiteral("tour-step-ms")).toInt(&isNumber);
        if (!isNumber || options.tourStepMs < 100 || options.tourStepMs > 3600000) {
            *error = QStringLiteral("--tour-step-ms must be 100..3600000 ms, got '%1'")
                         .arg(parser.value(QStringLiteral("tour-step-ms")));
            return std::nullopt;
        }
    }
    bool ok = false;
    options.screenshotDelayMs = parser.value(QStringLiteral("screenshot-delay")).toInt(&ok);
    if (!ok || options.screenshotDelayMs < 0 || options.screenshotDelayMs > 86400000) {
        *error = QStringLiteral("--screenshot-delay must be 0..86400000 ms");
        return std::nullopt;
    }
    return options;
}

} // namespace aecnn::studio
