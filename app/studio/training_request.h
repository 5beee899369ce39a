#pragma once

#include <QMetaType>
#include <QString>
#include <vector>

namespace aecnn::studio {

// How much Algorithm 1 trains for one (split, V) from the GUI. Epochs may be
// fractions (0.1 = a tenth of the training set per stage); small defaults keep a
// run at a few minutes on a 2-core machine.
struct TrainingBudget {
    double epochsCa = 0.1;       // CA training of the whole network
    double epochsFinetune = 0.1; // CA_Pruned fine-tuning (and BottleNet++'s frozen-backbone phase)
    double epochsFr = 0.1;       // AECNN (FR) fine-tuning (and BottleNet++'s joint phase)
    int batchSize = 128;
    int trainLimit = 0;          // first N training images, 0 = all
    int evalLimit = 1000;        // test images for the accuracies, 0 = all
    int importanceImages = 2000; // training images in the Eq. 8 mean
    bool bottleNet = true;       // train the BottleNet++ baseline too
    int threads = 0;             // LibTorch threads of the training worker, 0 = all cores

    bool operator==(const TrainingBudget& other) const;
    QString key() const; // stable text of every field, part of the cache key
};

// One run: the base model, its data set and the split point and ratio to train.
struct TrainingRequest {
    QString model = QStringLiteral("default");
    QString dataset = QStringLiteral("fashion-mnist");
    int split = 1;
    int ratio = 4;
    TrainingBudget budget;
    QString cacheRoot; // empty = the per-user cache (defaultTrainingCacheRoot())
};

// Progress of a run, for the progress bar.
struct TrainingStatus {
    QString stage;            // "split1/v4/aecnn", "loading data set", ...
    double fraction = -1.0;   // of the planned training steps, < 0 = unknown
    double etaSeconds = -1.0; // < 0 = unknown
    double loss = 0.0;
};

struct TrainedModel {
    QString variant; // aecnn | ca_pruned | bottlenetpp
    QString path;
    double accuracy = 0.0;
    long long evaluated = 0;
    bool resumed = false;
};

// What a finished run produced (also what the cache remembers).
struct TrainingOutcome {
    int split = 0;
    int ratio = 0;
    double baseAccuracy = 0.0;
    std::vector<TrainedModel> models;
    QString directory;

    QString pathOf(const QString& variant) const; // empty when not trained
    QString summary() const;                      // "AECNN 88.1 %, CA_Pruned 85.0 %, ..."
};

} // namespace aecnn::studio

Q_DECLARE_METATYPE(aecnn::studio::TrainingRequest)
Q_DECLARE_METATYPE(aecnn::studio::TrainingStatus)
Q_DECLARE_METATYPE(aecnn::studio::TrainingOutcome)
