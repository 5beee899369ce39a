#include "uplink_benchmark.h"

#include <cmath>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include "aecnn/error.h"
#include "aecnn/protocol/token_bucket.h"
#include "shaped_writer.h"

namespace aecnn::agent {

UplinkBenchmarkResult benchmarkUplink(double rateMbps, double seconds)
{
    if (!(rateMbps > 0.0) || !(seconds > 0.0))
        throw Error("the uplink benchmark needs a rate > 0 Mbps and a duration > 0 s");
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        throw Error("uplink benchmark: cannot listen on loopback: " + server.errorString().toStdString());
    QTcpSocket receiver;
    receiver.connectToHost(QHostAddress::LocalHost, server.serverPort());
    if (!receiver.waitForConnected(5000) || !server.waitForNewConnection(5000))
        throw Error("uplink benchmark: loopback connection failed: " + receiver.errorString().toStdString());
    QTcpSocket* sender = server.nextPendingConnection();

    protocol::SteadyClock clock;
    ShapedWriter writer(sender, clock);
    writer.setRateMbps(rateMbps);
    // Queue a second more than the run needs, so the writer never goes idle.
    const qsizetype chunk = 64 * 1024;
    const auto chunks = static_cast<qsizetype>(std::ceil(rateMbps * 1e6 / 8.0 * (seconds + 1.0) / double(chunk)));
    const QByteArray message(chunk, 'x');
    for (qsizetype i = 0; i < chunks; ++i)
        writer.send(message);

    // Sender and receiver share this thread's event loop: nothing here may block it.
    QElapsedTimer sinceFirst;
    qint64 bytes = 0;
    qint64 lastNs = 0;
    const auto measureNs = static_cast<qint64>(seconds * 1e9);
    QEventLoop loop;
    QObject::connect(&receiver, &QTcpSocket::readyRead, &loop, [&] {
        const QByteArray got = receiver.readAll();
        if (!sinceFirst.isValid()) {
            sinceFirst.start(); // the first read only starts the clock
            return;
        }
        bytes += got.size();
        lastNs = sinceFirst.nsecsElapsed();
        if (lastNs >= measureNs)
            loop.quit();
    });
    QTimer::singleShot(static_cast<int>((seconds + 10.0) * 1000.0), &loop, &QEventLoop::quit); // never hang
    loop.exec();
    UplinkBenchmarkResult result;
    result.setMbps = rateMbps;
    result.bytes = bytes;
    result.seconds = double(lastNs) / 1e9;
    result.measuredMbps = result.seconds > 0 ? double(bytes) * 8.0 / result.seconds / 1e6 : 0.0;
    result.errorPercent = 100.0 * (result.measuredMbps - rateMbps) / rateMbps;
    return result;
}

QJsonObject toJson(const UplinkBenchmarkResult& result)
{
    return {{"set_mbps", result.setMbps},
            {"measured_mbps", result.measuredMbps},
            {"error_percent", result.errorPercent},
            {"bytes", result.bytes},
            {"seconds", result.seconds}};
}

} // namespace aecnn::agent
