#include "tiny_model_file.h"

#include "../method/tiny_model.h"
#include "aecnn/model/classifier.h"

void writeTinyModel(const QString& path)
{
    aecnn::Classifier model;
    model.net = aecnn::testing::tinyNet(3);
    model.usage = {{"circle", "square", "triangle", "cross"}, {{0.15f}, {0.25f}}, 28, 28, {}};
    aecnn::saveClassifier(path, model);
}
