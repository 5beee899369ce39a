#include "race_models.h"

#include <QDir>

#include "../edge/edge_fixture.h"
#include "studio_config.h"

RaceModelFiles writeRaceModels(const QString& dir, const QString& codec)
{
    using namespace aecnn;
    using namespace aecnn::testing;
    RaceModelFiles files;
    const ImageSet images = edgeTestImages();
    for (int64_t i = 0; i < images.size(); ++i)
        files.labels.push_back(static_cast<int>(images.labels[i].item<int64_t>()));
    const TransportSettings transport = studio::transportSettingsOfCodec(codec);
    auto aecnnModel = tinySplitModel(SplitVariant::Aecnn, 2, 61);
    files.aecnn = QDir(dir).filePath("race-split1-v2-aecnn.aecnn");
    saveAecnnClassifier(files.aecnn, aecnnModel);
    files.offline["aecnn"] = offlineSplitPredictions(aecnnModel, transport, images);
    files.aecnnByRatio[2] = files.aecnn;
    files.aecnnOfflineByRatio[2] = files.offline["aecnn"];
    auto aecnnV4 = tinySplitModel(SplitVariant::Aecnn, 4, 63);
    files.aecnnByRatio[4] = QDir(dir).filePath("race-split1-v4-aecnn.aecnn");
    saveAecnnClassifier(files.aecnnByRatio[4], aecnnV4);
    files.aecnnOfflineByRatio[4] = offlineSplitPredictions(aecnnV4, transport, images);
    auto bottleModel = tinySplitModel(SplitVariant::BottleNetPP, 2, 71);
    files.bottlenetpp = QDir(dir).filePath("race-split1-v2-bottlenetpp.aecnn");
    saveAecnnClassifier(files.bottlenetpp, bottleModel);
    files.offline["bottlenetpp"] = offlineSplitPredictions(bottleModel, transport, images);
    auto whole = tinyWholeModel(81);
    files.whole = QDir(dir).filePath("race-whole.ckpt");
    saveClassifier(files.whole, whole);
    files.offline["local"] = offlineWholePredictions(whole, images, 0);
    files.offline["full"] = offlineWholePredictions(whole, images, 90);
    return files;
}

aecnn::latency::DeviceProfile raceAdaptiveProfile()
{
    return aecnn::testing::tinyAdaptiveProfile("test_studio_race");
}
