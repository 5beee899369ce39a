#include "tiny_model_file.h"

#include "../method/tiny_model.h"
#include "aecnn/classifier.h"

void writeTinyModel(const QString& path)
{
    aecnn::Classifier model;
    model.net = aecnn::testing::tinyNet(3);
    model.classNames = {"circle", "square", "triangle", "cross"};
    model.normalization = {{0.15f}, {0.25f}};
    model.inputHeight = 28;
    model.inputWidth = 28;
    aecnn::saveClassifier(path, model);
}
