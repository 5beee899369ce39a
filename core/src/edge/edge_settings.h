#pragma once

// Internal to the edge runtime: what the edge reads from the agent settings it sends.

#include <QJsonObject>

#include "aecnn/split/split_transport.h"

namespace aecnn::edge {

// codec / repr / bits / per_channel (the agent's keys) as transport settings;
// missing keys keep the defaults. Throws aecnn::Error on invalid values.
TransportSettings transportSettingsOf(const QJsonObject& settings);

} // namespace aecnn::edge
