#include "aecnn/split/split_model_files.h"

#include <QDir>
#include <QFileInfo>

#include "aecnn/model/model_spec.h"

namespace aecnn {

QString splitModelFileName(int split, int ratio, SplitVariant variant)
{
    return QString("split%1-v%2-%3.aecnn").arg(split).arg(ratio).arg(QString::fromStdString(toString(variant)));
}

QString demoSplitModelDir()
{
    return QFileInfo(defaultModelPath()).dir().filePath(QStringLiteral("demo"));
}

QString findSplitModel(int split, int ratio, const std::string& variant, const QStringList& preferredDirs)
{
    const QString name = splitModelFileName(split, ratio, splitVariantFromString(variant));
    QStringList dirs = preferredDirs;
    dirs.append(demoSplitModelDir());
    for (const auto& dir : dirs) {
        const QString path = QDir(dir).filePath(name);
        if (QFileInfo(path).isFile())
            return path;
    }
    return {};
}

} // namespace aecnn
