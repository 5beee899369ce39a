#include "aecnn/method/importance.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <sstream>

#include <QJsonArray>

#include <torch/torch.h>

#include "aecnn/method/attention.h"
#include "aecnn/error.h"

namespace aecnn {
namespace {

// Channel order from most to least important; ties -> lower index first.
std::vector<int64_t> importanceOrder(const std::vector<double>& values)
{
    std::vector<int64_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return values[static_cast<size_t>(a)] > values[static_cast<size_t>(b)]; });
    return order;
}

std::vector<double> averageRanks(const std::vector<double>& values)
{
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (size_t i = 0; i < order.size();) {
        size_t j = i;
        while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]])
            ++j;
        const double rank = 0.5 * static_cast<double>(i + j) + 1.0;
        for (size_t t = i; t <= j; ++t)
            ranks[order[t]] = rank;
        i = j + 1;
    }
    return ranks;
}

QJsonArray doublesToJson(const std::vector<double>& values)
{
    QJsonArray a;
    for (double v : values)
        a.append(v);
    return a;
}

std::vector<double> doublesFromJson(const QJsonValue& value)
{
    std::vector<double> out;
    for (const auto& v : value.toArray())
        out.push_back(v.toDouble());
    return out;
}

} // namespace

ImportanceAccumulator::ImportanceAccumulator(int channels)
{
    if (channels < 1)
        throw Error("importance needs at least one channel");
    sum_.assign(static_cast<size_t>(channels), 0.0);
}

void ImportanceAccumulator::add(const torch::Tensor& q)
{
    if (q.dim() != 2 || q.size(1) != channels())
        throw Error("importance accumulator expects [N, " + std::to_string(channels()) + "] attention weights");
    const auto sums = q.detach().to(torch::kCPU, torch::kDouble).sum(0).contiguous();
    const double* data = sums.data_ptr<double>();
    for (size_t c = 0; c < sum_.size(); ++c)
        sum_[c] += data[c];
    count_ += q.size(0);
}

std::vector<double> ImportanceAccumulator::mean() const
{
    if (count_ == 0)
        throw Error("importance of an empty data set is undefined; give at least one image");
    std::vector<double> out(sum_.size());
    for (size_t c = 0; c < sum_.size(); ++c)
        out[c] = sum_[c] / static_cast<double>(count_);
    return out;
}

int keptChannelCount(int channels, int ratio)
{
    if (ratio < 1 || ratio > channels)
        throw Error("compression ratio " + std::to_string(ratio) + " is invalid for " + std::to_string(channels) +
                    " channels (valid: 1.." + std::to_string(channels) + ")");
    return std::max(1, channels / ratio);
}

std::vector<int64_t> keepMostImportant(const std::vector<double>& importance, int keep)
{
    if (keep < 1 || keep > static_cast<int>(importance.size()))
        throw Error("cannot keep " + std::to_string(keep) + " of " + std::to_string(importance.size()) + " channels");
    auto order = importanceOrder(importance);
    order.resize(static_cast<size_t>(keep));
    std::sort(order.begin(), order.end());
    return order;
}

double spearmanCorrelation(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size() || a.size() < 2)
        throw Error("Spearman correlation needs two equally long vectors of at least two values");
    const auto ra = averageRanks(a), rb = averageRanks(b);
    const double mean = (static_cast<double>(a.size()) + 1.0) / 2.0;
    double sab = 0.0, saa = 0.0, sbb = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        sab += (ra[i] - mean) * (rb[i] - mean);
        saa += (ra[i] - mean) * (ra[i] - mean);
        sbb += (rb[i] - mean) * (rb[i] - mean);
    }
    if (saa == 0.0 || sbb == 0.0)
        return 0.0; // a constant vector has no ranking to agree with
    return sab / std::sqrt(saa * sbb);
}

double topKOverlap(const std::vector<double>& a, const std::vector<double>& b, int k)
{
    const auto ka = keepMostImportant(a, k), kb = keepMostImportant(b, k);
    std::vector<int64_t> common;
    std::set_intersection(ka.begin(), ka.end(), kb.begin(), kb.end(), std::back_inserter(common));
    return static_cast<double>(common.size()) / static_cast<double>(k);
}

RankingStability rankingStability(const std::vector<std::vector<double>>& batchMeans,
                                  const std::vector<double>& datasetMean, const std::vector<int>& ks)
{
    RankingStability s;
    s.topK = ks;
    s.topKOverlap.assign(ks.size(), 0.0);
    if (batchMeans.empty() || datasetMean.size() < 2)
        return s;
    double toMean = 0.0;
    for (const auto& b : batchMeans)
        toMean += spearmanCorrelation(b, datasetMean);
    s.spearmanToDatasetMean = toMean / static_cast<double>(batchMeans.size());
    int pairs = 0;
    double sum = 0.0, minimum = 1.0;
    for (size_t i = 0; i < batchMeans.size(); ++i)
        for (size_t j = i + 1; j < batchMeans.size(); ++j) {
            const double rho = spearmanCorrelation(batchMeans[i], batchMeans[j]);
            sum += rho;
            minimum = std::min(minimum, rho);
            for (size_t k = 0; k < ks.size(); ++k)
                s.topKOverlap[k] += topKOverlap(batchMeans[i], batchMeans[j], ks[k]);
            ++pairs;
        }
    if (pairs == 0) { // a single batch: compare it with the dataset mean instead
        s.spearmanMean = s.spearmanMin = s.spearmanToDatasetMean;
        for (size_t k = 0; k < ks.size(); ++k)
            s.topKOverlap[k] = topKOverlap(batchMeans[0], datasetMean, ks[k]);
        return s;
    }
    s.spearmanMean = sum / pairs;
    s.spearmanMin = minimum;
    for (auto& v : s.topKOverlap)
        v /= pairs;
    return s;
}

ImportanceReport computeImportance(ResNetImpl& net, int split, const ImageSet& data, int batches, int batchSize,
                                   uint64_t seed, const std::vector<int>& ratios, const ImportanceProgress& progress)
{
    requireSplitPoint(net.config(), split);
    if (data.size() == 0)
        throw Error("importance needs a non-empty data set");
    if (batchSize < 1 || batches < 0)
        throw Error("importance needs a positive batch size and a non-negative number of batches");
    torch::NoGradGuard noGrad;
    net.eval();
    const int64_t n = data.size();
    const int64_t sampledImages = static_cast<int64_t>(batches) * std::min<int64_t>(batchSize, n);
    const int64_t total = n + sampledImages;
    ImportanceReport report;
    report.split = split;

    // Forward passes of at most `chunk` images: what fits in memory (memory_budget.h).
    report.forwardBatch = inferenceBatchSize(net.config(), data.height(), data.width(), batchSize);
    const int64_t chunk = report.forwardBatch.batchSize;
    auto attentionOf = [&](const torch::Tensor& indices) {
        return channelAttention(net.head(data.normalizedBatch(indices), split));
    };
    std::unique_ptr<ImportanceAccumulator> all;
    for (int64_t begin = 0; begin < n; begin += chunk) {
        const auto q = attentionOf(torch::arange(begin, std::min(n, begin + chunk), torch::kInt64));
        if (!all)
            all = std::make_unique<ImportanceAccumulator>(static_cast<int>(q.size(1)));
        all->add(q);
        if (progress)
            progress(std::min(n, begin + chunk), total);
    }
    report.importance = all->mean();
    report.samples = all->count();
    report.channels = all->channels();

    std::mt19937_64 rng(seed);
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int b = 0; b < batches; ++b) {
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<int64_t> picked(order.begin(), order.begin() + std::min<int64_t>(batchSize, n));
        ImportanceAccumulator batch(report.channels);
        const auto pickedTensor = torch::tensor(picked, torch::kInt64);
        for (int64_t begin = 0; begin < pickedTensor.size(0); begin += chunk)
            batch.add(attentionOf(pickedTensor.slice(0, begin, std::min(pickedTensor.size(0), begin + chunk))));
        report.batchMeans.push_back(batch.mean());
        report.batchIndices.push_back(std::move(picked));
        if (progress)
            progress(n + static_cast<int64_t>(b + 1) * std::min<int64_t>(batchSize, n), total);
    }
    std::vector<int> ks;
    for (int ratio : ratios)
        if (ratio >= 1 && ratio <= report.channels)
            ks.push_back(keptChannelCount(report.channels, ratio));
    report.stability = rankingStability(report.batchMeans, report.importance, ks);
    return report;
}

QByteArray importanceCsv(const ImportanceReport& report)
{
    std::ostringstream out;
    out.precision(9);
    out << "channel,importance,rank";
    for (size_t b = 0; b < report.batchMeans.size(); ++b)
        out << ",batch" << (b + 1);
    out << "\n";
    const auto order = importanceOrder(report.importance);
    std::vector<int> rank(report.importance.size());
    for (size_t r = 0; r < order.size(); ++r)
        rank[static_cast<size_t>(order[r])] = static_cast<int>(r + 1);
    for (size_t c = 0; c < report.importance.size(); ++c) {
        out << c << "," << report.importance[c] << "," << rank[c];
        for (const auto& batch : report.batchMeans)
            out << "," << batch[c];
        out << "\n";
    }
    return QByteArray::fromStdString(out.str());
}

QJsonObject toJson(const ImportanceReport& report)
{
    QJsonArray batches, batchIndices, ks;
    for (const auto& b : report.batchMeans)
        batches.append(doublesToJson(b));
    for (const auto& b : report.batchIndices) {
        QJsonArray indices;
        for (auto i : b)
            indices.append(static_cast<qint64>(i));
        batchIndices.append(indices);
    }
    for (int k : report.stability.topK)
        ks.append(k);
    const auto& s = report.stability;
    return {{"split", report.split},
            {"channels", report.channels},
            {"samples", static_cast<qint64>(report.samples)},
            {"importance", doublesToJson(report.importance)},
            {"batch_means", batches},
            {"batch_indices", batchIndices},
            {"stability", QJsonObject{{"spearman_mean", s.spearmanMean},
                                      {"spearman_min", s.spearmanMin},
                                      {"spearman_to_dataset_mean", s.spearmanToDatasetMean},
                                      {"top_k", ks},
                                      {"top_k_overlap", doublesToJson(s.topKOverlap)}}}};
}

ImportanceReport importanceReportFromJson(const QJsonObject& json)
{
    ImportanceReport report;
    report.split = json.value("split").toInt(0);
    report.channels = json.value("channels").toInt(0);
    report.samples = json.value("samples").toInteger(0);
    report.importance = doublesFromJson(json.value("importance"));
    if (report.channels < 1 || static_cast<int>(report.importance.size()) != report.channels)
        throw Error("importance record is incomplete: expected one value per channel");
    for (const auto& b : json.value("batch_means").toArray()) {
        report.batchMeans.push_back(doublesFromJson(b));
        if (static_cast<int>(report.batchMeans.back().size()) != report.channels)
            throw Error("importance record has a batch with the wrong number of channels");
    }
    for (const auto& b : json.value("batch_indices").toArray()) {
        std::vector<int64_t> indices;
        for (const auto& i : b.toArray())
            indices.push_back(i.toInteger());
        report.batchIndices.push_back(std::move(indices));
    }
    const auto s = json.value("stability").toObject();
    report.stability.spearmanMean = s.value("spearman_mean").toDouble();
    report.stability.spearmanMin = s.value("spearman_min").toDouble();
    report.stability.spearmanToDatasetMean = s.value("spearman_to_dataset_mean").toDouble();
    for (const auto& k : s.value("top_k").toArray())
        report.stability.topK.push_back(k.toInt());
    report.stability.topKOverlap = doublesFromJson(s.value("top_k_overlap"));
    return report;
}

} // namespace aecnn
