#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QSysInfo>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/session_security.h"
#include "aecnn/latency/measured_profile.h"
#include "agent_server.h"
#include "device_profiler.h"
#include "uplink_benchmark.h"

namespace {

constexpr const char* kTokenEnv = "AECNN_AGENT_TOKEN";

QByteArray readToken(const QString& path)
{
    if (!path.isEmpty()) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            throw aecnn::Error("cannot read the token file '" + path.toStdString() + "': " +
                               file.errorString().toStdString());
        return aecnn::protocol::validatedToken(file.readAll(), "'" + path.toStdString() + "'");
    }
    const QByteArray env = qgetenv(kTokenEnv);
    if (!env.isEmpty())
        return aecnn::protocol::validatedToken(env, std::string("$") + kTokenEnv);
    return {};
}

constexpr const char* kProfileEnv = "AECNN_DEVICE_PROFILE";

// Where --profile writes and the agent looks for its profile when --profile-file is not given.
QString defaultProfilePath()
{
    const QByteArray env = qgetenv(kProfileEnv);
    if (!env.isEmpty())
        return QString::fromLocal8Bit(env);
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + "/aecnn-agent/device-profile.json";
}

template <typename T, typename Parse> std::vector<T> parseList(const QString& option, const QString& text, Parse parse)
{
    std::vector<T> items;
    for (const auto& part : text.split(',', Qt::SkipEmptyParts))
        items.push_back(parse(part.trimmed()));
    if (items.empty() && !text.trimmed().isEmpty())
        throw aecnn::Error("--" + option.toStdString() + ": nothing in '" + text.toStdString() + "'");
    return items;
}

std::vector<int> parseInts(const QString& option, const QString& text)
{
    return parseList<int>(option, text, [&](const QString& part) {
        bool ok = false;
        const int v = part.toInt(&ok);
        if (!ok)
            throw aecnn::Error("--" + option.toStdString() + ": '" + part.toStdString() + "' is not an integer");
        return v;
    });
}

int runProfile(const QCommandLineParser& parser, int threads)
{
    aecnn::agent::ProfileRequest request;
    request.model = parser.value("model").toStdString();
    request.dataset = parser.value("dataset").toStdString();
    request.splits = parseInts("profile-splits", parser.value("profile-splits"));
    request.ratios = parseInts("profile-ratios", parser.value("profile-ratios"));
    request.bits = parseInts("profile-bits", parser.value("profile-bits"));
    request.coders = parseList<std::string>("profile-coders", parser.value("profile-coders"),
                                            [](const QString& part) { return part.toStdString(); });
    request.jpegSizes = parseList<std::string>("profile-jpeg-sizes", parser.value("profile-jpeg-sizes"),
                                               [](const QString& part) { return part.trimmed().toStdString(); });
    if (request.jpegSizes == std::vector<std::string>{"none"})
        request.jpegSizes.clear();
    bool ok = false;
    request.jpegQuality = parser.value("profile-jpeg-quality").toInt(&ok);
    if (!ok)
        throw aecnn::Error("--profile-jpeg-quality must be an integer 1..100");
    request.repeats = parser.value("repeats").toInt(&ok);
    if (!ok || request.repeats < 1 || request.repeats > 100000)
        throw aecnn::Error("--repeats must be 1..100000");
    request.threads = threads;
    request.name = parser.value("profile-name").toStdString();
    request.command = QCoreApplication::arguments().join(' ').toStdString();
    const bool json = parser.isSet("json");
    const auto profile = aecnn::agent::measureDeviceProfile(
        request, [](const std::string& line) { std::fprintf(stderr, "aecnn-agent --profile: %s\n", line.c_str()); });
    const QString out = parser.isSet("out") ? parser.value("out") : defaultProfilePath();
    aecnn::latency::writeMeasuredProfile(out, profile);
    if (json) {
        QJsonObject result = aecnn::latency::toJson(profile);
        result["written_to"] = out;
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Indented).constData());
    } else {
        std::printf("%swrote %s\n", aecnn::agent::describeProfile(profile).c_str(), qPrintable(out));
    }
    return 0;
}

// The profile this agent sends to the edge: --profile-file, else the default path if it exists.
void loadProfileToSend(const QCommandLineParser& parser, aecnn::agent::AgentOptions& options)
{
    const bool given = parser.isSet("profile-file");
    const QString path = given ? parser.value("profile-file") : defaultProfilePath();
    if (!given && !QFile::exists(path)) {
        options.deviceProfileNote = "the agent has no device profile (none given with --profile-file, none at " +
                                    path + "); make one with aecnn-agent --profile --out FILE";
        std::fprintf(stderr, "aecnn-agent: %s; the edge will use the Pi 4 table of the paper\n",
                     qPrintable(options.deviceProfileNote));
        return;
    }
    const auto profile = aecnn::latency::readMeasuredProfile(path); // a bad file is an error at start-up
    options.deviceProfile = aecnn::latency::toJson(profile);
    options.deviceProfileNote = "from " + path;
    std::fprintf(stderr, "aecnn-agent: device profile '%s' (%s, input %s) from %s, sent to the edge\n",
                 profile.name.c_str(), profile.arch.c_str(), profile.inputLabel().c_str(), qPrintable(path));
}

int runUplinkBenchmark(const QString& ratesText, const QString& secondsText)
{
    bool ok = false;
    const double seconds = secondsText.toDouble(&ok);
    if (!ok || seconds <= 0.0 || seconds > 600.0)
        throw aecnn::Error("--bench-seconds must be a number in (0, 600], got '" + secondsText.toStdString() + "'");
    QJsonArray results;
    for (const auto& part : ratesText.split(',', Qt::SkipEmptyParts)) {
        const double rate = part.trimmed().toDouble(&ok);
        if (!ok || rate <= 0.0)
            throw aecnn::Error("--bench-uplink: '" + part.toStdString() + "' is not a rate in Mbps > 0");
        const auto result = aecnn::agent::benchmarkUplink(rate, seconds);
        std::fprintf(stderr, "set %.3f Mbps: measured %.3f Mbps (%+.2f %%) over %.2f s\n", result.setMbps,
                     result.measuredMbps, result.errorPercent, result.seconds);
        results.append(aecnn::agent::toJson(result));
    }
    const QJsonObject out{{"command", QCoreApplication::arguments().join(' ')},
                          {"date", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                          {"machine", QSysInfo::machineHostName() + " " + QSysInfo::currentCpuArchitecture() + " " +
                                          QSysInfo::prettyProductName()},
                          {"results", results}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Compact).constData());
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("aecnn-agent");
    QCoreApplication::setApplicationVersion(AECNN_VERSION);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        "AECNN device agent: streams frames to an edge (aecnn studio / aecnn edge) over an authenticated link.");
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {"listen", "Address to listen on (default 127.0.0.1).", "ADDR", "127.0.0.1"},
        {"port", "TCP port (default 7878).", "PORT", "7878"},
        {"token-file", QString("File holding the pre-shared token (else $%1).").arg(kTokenEnv), "FILE"},
        {"encrypt", "Encrypt the session's records (ChaCha20-Poly1305) besides authenticating them: on, off or auto "
                    "(default: on unless the edge connects from loopback; the edge may ask for it too). Needs a token.",
         "on|off|auto", "auto"},
        {"dataset", "Image source: fashion-mnist[:DIR], folder:DIR, synthetic[:N] (test split) or camera:N.", "SPEC",
         "fashion-mnist"},
        {"max-model-mb", "Largest model the edge may deploy, in MiB (default 512).", "MB", "512"},
        {"threads", "LibTorch intra-op threads for local computing (default 1).", "N", "1"},
        {"bench-uplink", "Benchmark: measure the uplink shaper over loopback at these rates (Mbps), print one JSON "
                         "object and exit.", "R1,R2", ""},
        {"bench-seconds", "Seconds per rate of --bench-uplink (default 3).", "S", "3"},
        {"profile", "Measure this device's profile (t_iot per split point and V, t_enc per coder and bit depth, "
                    "capture and pre-processing time) on --model and --dataset, write it (--out) and exit."},
        {"out", QString("--profile: where to write the profile (default $%1, else %2).")
                    .arg(kProfileEnv, "~/.config/aecnn-agent/device-profile.json"), "FILE"},
        {"json", "--profile: print the profile as JSON."},
        {"model", "--profile: classifier to time (a checkpoint, 'default' or torchvision:FILE).", "M", "default"},
        {"profile-splits", "--profile: split points (default: all of the model).", "L1,L2", ""},
        {"profile-ratios", "--profile: compression ratios V (1 = the unpruned head).", "V1,V2", "1,2,4,8"},
        {"profile-coders", "--profile: entropy coders (store, zstd, zstd-entropy, context).", "C1,C2", "zstd,context"},
        {"profile-bits", "--profile: bit depths (2..8; 0 = float32).", "B1,B2", "8,4"},
        {"profile-jpeg-sizes", "--profile: full offloading capture sizes ('native' or WxH; resize + JPEG encode "
                               "and bytes); 'none' = skip.", "S1,S2", "native,224x224,640x480,1920x1080"},
        {"profile-jpeg-quality", "--profile: JPEG quality of full offloading (default 90, the stream's).", "Q", "90"},
        {"repeats", "--profile: timed runs per measurement, median reported (default 20).", "N", "20"},
        {"profile-name", "--profile: the profile's name (default ARCH-HOSTNAME).", "NAME", ""},
        {"profile-file", QString("Device profile sent to the edge after authentication (default: $%1 or "
                                 "~/.config/aecnn-agent/device-profile.json if it exists).").arg(kProfileEnv),
         "FILE"},
    });
    parser.process(app);

    try {
        if (parser.isSet("bench-uplink"))
            return runUplinkBenchmark(parser.value("bench-uplink"), parser.value("bench-seconds"));
        bool threadsOk = false;
        const int profileThreads = parser.value("threads").toInt(&threadsOk);
        if (parser.isSet("profile")) {
            if (!threadsOk || profileThreads < 1 || profileThreads > 256)
                throw aecnn::Error("--threads must be 1..256");
            return runProfile(parser, profileThreads);
        }
        aecnn::agent::AgentOptions options;
        if (!options.address.setAddress(parser.value("listen")))
            throw aecnn::Error("--listen: '" + parser.value("listen").toStdString() + "' is not an IP address");
        bool ok = false;
        const uint port = parser.value("port").toUInt(&ok);
        if (!ok || port > 65535)
            throw aecnn::Error("--port must be 0..65535");
        options.port = static_cast<quint16>(port);
        const int mb = parser.value("max-model-mb").toInt(&ok);
        if (!ok || mb < 1 || mb > 65536)
            throw aecnn::Error("--max-model-mb must be 1..65536");
        options.maxModelBytes = qint64(mb) << 20;
        const int threads = parser.value("threads").toInt(&ok);
        if (!ok || threads < 1 || threads > 256)
            throw aecnn::Error("--threads must be 1..256");
        torch::set_num_threads(threads);
        options.dataset = parser.value("dataset").toStdString();
        options.token = readToken(parser.value("token-file"));
        options.encryption = aecnn::protocol::parseEncryptionPolicy(parser.value("encrypt"), "--encrypt");
        loadProfileToSend(parser, options);
        if (options.token.isEmpty() && !parser.isSet("encrypt"))
            options.encryption = aecnn::protocol::EncryptionPolicy::Off; // tokenless: nothing to derive keys from

        aecnn::agent::AgentServer server(options);
        if (!server.listen())
            throw aecnn::Error("cannot listen on " + parser.value("listen").toStdString() + ":" +
                               std::to_string(port) + ": " + server.errorString().toStdString());
        std::fprintf(stderr, "aecnn-agent: listening on %s:%u, %s, source %s\n",
                     qPrintable(options.address.toString()), server.port(),
                     options.token.isEmpty()
                         ? "NO TOKEN (loopback only, unauthenticated)"
                         : qPrintable("token authentication, every message sealed, encryption " +
                                      aecnn::protocol::toString(options.encryption)),
                     options.dataset.c_str());
        return app.exec();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "aecnn-agent: error: %s\n", e.what());
        return 1;
    }
}
