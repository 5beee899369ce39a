#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <QByteArray>
#include <QJsonObject>

#include <torch/types.h>

#include "aecnn/model/image_set.h"
#include "aecnn/model/memory_budget.h"
#include "aecnn/model/resnet.h"

namespace aecnn {

// Streaming mean of attention vectors (Eq. 8): sums in double precision, never
// stores the vectors themselves.
class ImportanceAccumulator {
public:
    explicit ImportanceAccumulator(int channels);

    // q: [N, C] attention weights of N samples.
    void add(const torch::Tensor& q);
    std::vector<double> mean() const; // throws aecnn::Error when nothing was added
    int64_t count() const { return count_; }
    int channels() const { return static_cast<int>(sum_.size()); }

private:
    std::vector<double> sum_;
    int64_t count_ = 0;
};

// How consistently N batches rank the channels (Fig. 4 / Section V-B).
struct RankingStability {
    double spearmanMean = 0.0; // Spearman rank correlation averaged over all batch pairs
    double spearmanMin = 0.0;
    double spearmanToDatasetMean = 0.0; // each batch against the dataset importance, averaged
    std::vector<int> topK;              // k values (C / V)
    std::vector<double> topKOverlap;    // |top-k(a) ∩ top-k(b)| / k averaged over batch pairs, per k
};

struct ImportanceReport {
    int split = 0;
    int channels = 0;
    int64_t samples = 0;                         // images in the dataset mean
    std::vector<double> importance;              // Eq. 8: mean of Q over the data set, per channel
    std::vector<std::vector<double>> batchMeans; // per sampled batch: mean of Q over the batch, per channel
    std::vector<std::vector<int64_t>> batchIndices; // the images of each sampled batch
    RankingStability stability;
    // Images per forward pass, chosen by memory_budget (inferenceBatchSize); not part of
    // the record (toJson): the result does not depend on it.
    InferenceBatch forwardBatch;
};

using ImportanceProgress = std::function<void(int64_t done, int64_t total)>;

// Runs the head of `net` up to `split` over every image of `data` (in forward passes of
// at most `batchSize` images, fewer when they would not fit in memory: forwardBatch) and accumulates the channel attention of X_l; additionally draws
// `batches` random batches of `batchSize` images (seeded) and reports each one's
// mean attention. `ratios` selects the top-k overlaps (k = C / V) reported.
ImportanceReport computeImportance(ResNetImpl& net, int split, const ImageSet& data, int batches, int batchSize,
                                   uint64_t seed = 1, const std::vector<int>& ratios = {2, 4, 8, 16, 32, 64},
                                   const ImportanceProgress& progress = {});

// Indices of the `keep` most important channels; ties go to the lower index.
// The result is sorted ascending by channel index.
std::vector<int64_t> keepMostImportant(const std::vector<double>& importance, int keep);

// C / V, at least 1; throws aecnn::Error when V < 1 or V > C.
int keptChannelCount(int channels, int ratio);

// Spearman rank correlation (average ranks for ties).
double spearmanCorrelation(const std::vector<double>& a, const std::vector<double>& b);
// |top-k(a) ∩ top-k(b)| / k with the tie rule of keepMostImportant.
double topKOverlap(const std::vector<double>& a, const std::vector<double>& b, int k);
RankingStability rankingStability(const std::vector<std::vector<double>>& batchMeans,
                                  const std::vector<double>& datasetMean, const std::vector<int>& ks);

// CSV: channel,importance,rank,batch1,...,batchN (rank 1 = most important).
QByteArray importanceCsv(const ImportanceReport& report);

QJsonObject toJson(const ImportanceReport& report);
ImportanceReport importanceReportFromJson(const QJsonObject& json); // throws aecnn::Error

} // namespace aecnn
