#include "aecnn/model/model_spec.h"

#include <cstdlib>

#include <QCoreApplication>
#include <QFileInfo>

#include "aecnn/error.h"
#include "aecnn_build_paths.h"

namespace aecnn {

QString defaultModelPath()
{
    if (const char* env = std::getenv(kDefaultModelEnv); env && *env)
        return QString::fromLocal8Bit(env);
    const QString relative = QStringLiteral("models/default.aecnn");
    if (QCoreApplication::instance()) {
        const QString installed =
            QCoreApplication::applicationDirPath() + QStringLiteral("/../share/aecnn-studio/") + relative;
        if (QFileInfo::exists(installed))
            return QFileInfo(installed).canonicalFilePath();
    }
    return QStringLiteral(AECNN_SOURCE_RESOURCES_DIR "/") + relative;
}

std::string modelSpecHelp()
{
    return "a checkpoint path, 'default', or 'torchvision:FILE'";
}

Classifier loadClassifierSpec(const std::string& spec)
{
    if (spec.empty())
        throw Error("empty model spec; use " + modelSpecHelp());
    if (spec == "default") {
        const QString path = defaultModelPath();
        if (!QFileInfo::exists(path))
            throw Error("the default model is missing at " + path.toStdString() +
                        "; set " + kDefaultModelEnv + " or rebuild it with packaging/train-default-model.sh");
        return loadClassifierFile(path);
    }
    const std::string prefix = "torchvision:";
    if (spec.rfind(prefix, 0) == 0)
        return importTorchvision(QString::fromStdString(spec.substr(prefix.size())));
    return loadClassifierFile(QString::fromStdString(spec));
}

} // namespace aecnn
