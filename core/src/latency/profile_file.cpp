#include "profile_file.h"

#include <QJsonDocument>
#include <QSaveFile>

#include "aecnn/error.h"

namespace aecnn::latency {

void writeProfileJson(const QString& path, const QJsonObject& json)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw Error("cannot write device profile '" + path.toStdString() + "': " + file.errorString().toStdString());
    file.write(QJsonDocument(json).toJson());
    if (!file.commit())
        throw Error("cannot write device profile '" + path.toStdString() + "': " + file.errorString().toStdString());
}

} // namespace aecnn::latency
