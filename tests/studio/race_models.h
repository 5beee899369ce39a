#pragma once

#include <QString>
#include <map>
#include <vector>

#include "aecnn/latency/device_profile.h"

// Tiny models for a race on the synthetic data set the agents stream (synthetic:80, 16
// test images), and what each mode must predict for those images offline, computed by
// an independent path (tests/edge/edge_fixture.h): the split models' head -> frame ->
// decode -> tail, the whole model on each image, and for full offloading on its JPEG
// round trip (the agent's quality 90, native size). Keeps LibTorch out of the test.
struct RaceModelFiles {
    QString whole;
    QString aecnn;
    QString bottlenetpp;
    std::map<QString, std::vector<int>> offline; // agent mode -> prediction per test image
    // Adaptive V: the AECNN split models at split 1 per V (V = 2 is `aecnn`) and their
    // offline predictions per test image.
    std::map<int, QString> aecnnByRatio;
    std::map<int, std::vector<int>> aecnnOfflineByRatio;
    std::vector<int> labels;                     // per test image
};

inline constexpr const char* kRaceDataset = "synthetic:80";

// `codec`: the studio's codec name the split modes stream with ("uint8+zstd").
RaceModelFiles writeRaceModels(const QString& dir, const QString& codec);

// The device profile adaptive V predicts with for these models (split 1, V = 2 and 4; see
// tinyAdaptiveProfile in tests/edge/edge_fixture.h for the rates where each V fits).
aecnn::latency::DeviceProfile raceAdaptiveProfile();
