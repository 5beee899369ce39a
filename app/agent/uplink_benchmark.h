#pragma once

#include <QJsonObject>

namespace aecnn::agent {

struct UplinkBenchmarkResult {
    double setMbps = 0.0;
    double measuredMbps = 0.0;
    double errorPercent = 0.0; // (measured - set) / set
    qint64 bytes = 0;          // received in the measured interval
    double seconds = 0.0;      // length of the measured interval
};

// How closely the uplink shaper holds `rateMbps` over a real loopback TCP connection:
// a ShapedWriter with a queue that never runs dry sends for about `seconds`, and the
// receiver's rate is taken from the first to the last byte it reads in that time.
// Throws aecnn::Error when loopback cannot be used.
UplinkBenchmarkResult benchmarkUplink(double rateMbps, double seconds);

QJsonObject toJson(const UplinkBenchmarkResult& result);

} // namespace aecnn::agent
