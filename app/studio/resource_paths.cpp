#include "resource_paths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace aecnn::studio {

QString resourceFile(const QString& relativePath)
{
    const QDir bin(QCoreApplication::applicationDirPath());
    for (const QString& root : {bin.filePath(QStringLiteral("../share/aecnn-studio")),
                                QStringLiteral(AECNN_SOURCE_RESOURCES_DIR)}) {
        const QString path = QDir(root).filePath(relativePath);
        if (QFileInfo::exists(path))
            return QFileInfo(path).absoluteFilePath();
    }
    return {};
}

} // namespace aecnn::studio
