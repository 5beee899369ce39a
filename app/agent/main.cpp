#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSysInfo>

#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/protocol/auth.h"
#include "aecnn/protocol/session_security.h"
#include "agent_server.h"
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
    });
    parser.process(app);

    try {
        if (parser.isSet("bench-uplink"))
            return runUplinkBenchmark(parser.value("bench-uplink"), parser.value("bench-seconds"));
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
