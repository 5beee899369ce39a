#pragma once

#include <QString>
#include <map>
#include <vector>

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
    std::vector<int> labels;                     // per test image
};

inline constexpr const char* kRaceDataset = "synthetic:80";

// `codec`: the studio's codec name the split modes stream with ("uint8+zstd").
RaceModelFiles writeRaceModels(const QString& dir, const QString& codec);
