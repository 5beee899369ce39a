#include "edge_settings.h"

namespace aecnn::edge {

TransportSettings transportSettingsOf(const QJsonObject& settings)
{
    TransportSettings t;
    t.coder = settings.value("codec").toString(QString::fromStdString(t.coder)).toStdString();
    t.representation = settings.value("repr").toString(QString::fromStdString(t.representation)).toStdString();
    t.bits = settings.value("bits").toInt(t.bits);
    t.perChannel = settings.value("per_channel").toBool(t.perChannel);
    t.range = settings.value("range").toString(QString::fromStdString(t.range)).toStdString();
    validate(t);
    return t;
}

} // namespace aecnn::edge
