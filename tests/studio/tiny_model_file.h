#pragma once

#include <QString>

// Writes a tiny untrained ResNet-50-topology classifier (1x28x28 input, 4 classes,
// split 1 = 8 channels at 14x14) for the synthetic data set to `path`. Keeps
// LibTorch out of the test sources that include it.
void writeTinyModel(const QString& path);
