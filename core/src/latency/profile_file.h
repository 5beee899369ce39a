#pragma once

// Private to the latency room: the one atomic writer of device-profile JSON files, for the
// paper-style DeviceProfile and the measured profile alike.

#include <QJsonObject>
#include <QString>

namespace aecnn::latency {

// Writes `json` to `path` through QSaveFile (no half-written file on failure). Throws
// aecnn::Error "cannot write device profile 'PATH': REASON".
void writeProfileJson(const QString& path, const QJsonObject& json);

} // namespace aecnn::latency
