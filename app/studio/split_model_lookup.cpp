#include "split_model_lookup.h"

#include "aecnn/model/model_spec.h"
#include "aecnn/split/split_model_files.h"
#include "training_cache.h"

namespace aecnn::studio {

QString splitModelFile(const TrainingRequest& request, const QString& variant)
{
    if (const auto cached = cachedOutcome(request)) {
        const QString path = cached->pathOf(variant);
        if (!path.isEmpty())
            return path;
    }
    if (request.model != QLatin1String("default"))
        return {}; // the demo models were trained from the default model only
    return findSplitModel(request.split, request.ratio, variant.toStdString());
}

} // namespace aecnn::studio
