#include <QFileInfo>
#include <QJsonArray>

#include "aecnn/algorithm1/algorithm1.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/method/importance.h"
#include "aecnn/model/model_spec.h"
#include "cli_common.h"
#include "command.h"
#include "run_resources.h"

namespace aecnn::cli {
namespace {

// A classifier spec, or a CA-trained network written by aecnn-train (ca-split<L>.ckpt).
Classifier loadImportanceModel(const std::string& spec)
{
    const QString path = QString::fromStdString(spec);
    if (QFileInfo(path).isFile() && readCheckpointKind(path) == CheckpointKind::CaNetwork)
        return loadCaNetwork(path).network;
    return loadClassifierSpec(spec);
}

QJsonObject runImportance(const ParsedArgs& args, CommandContext& context)
{
    const std::string out = args.text("out");
    if (out.empty())
        throw UsageError("--out FILE.csv is required");
    auto model = loadImportanceModel(args.text("model"));
    const int split = args.integer("split", 1, model.net->splitPointCount());
    const auto data = loadDatasetForModel(args.text("dataset"), model);
    const std::string which = args.text("subset");
    if (which != "test" && which != "train")
        throw UsageError("--subset must be 'train' or 'test', got '" + which + "'");
    const auto set = limited(which == "train" ? data.train : data.test, args.integer("limit", 0, 1 << 30));
    const auto ratios = args.integerList("ratios", 1, 4096);
    const auto report = computeImportance(*model.net, split, set, args.integer("batches", 0, 1000),
                                          args.integer("batch-size", 1, 4096),
                                          static_cast<uint64_t>(args.integer("seed", 0, 1 << 30)), ratios);
    writeFileAtomically(QString::fromStdString(out), importanceCsv(report));
    noteInferenceBatch(report.forwardBatch, "importance", context.text);

    const auto& s = report.stability;
    *context.text << "importance of the " << report.channels << " channels at split " << split << " over "
                  << report.samples << " images; wrote " << out << "\n";
    *context.text << "ranking stability over " << report.batchMeans.size() << " batches: Spearman mean "
                  << s.spearmanMean << " (min " << s.spearmanMin << "), against the dataset mean "
                  << s.spearmanToDatasetMean << "\n";
    for (size_t i = 0; i < s.topK.size(); ++i)
        *context.text << "  top-" << s.topK[i] << " overlap between batches: " << s.topKOverlap[i] << "\n";
    auto json = toJson(report);
    json.insert("out", QString::fromStdString(out));
    json.insert("subset", QString::fromStdString(which));
    json.insert("forward_batch", inferenceBatchJson(report.forwardBatch));
    json.insert("memory", peakRssJson());
    return json;
}

} // namespace

Command importanceCommand()
{
    return {"importance",
            "channel importance at a split point (Eq. 8) with per-batch attention and ranking stability",
            {modelOption(),
             {"split", "L", "split point", "1"},
             datasetOption(),
             {"subset", "NAME", "train (Eq. 8 uses the training set) or test", "train"},
             {"limit", "N", "use only the first N images for the mean, 0 = all", "0"},
             {"batches", "N", "randomly sampled batches whose mean attention is reported", "3"},
             {"batch-size", "B", "images per sampled batch (forward passes take fewer when they would not fit in half "
                                  "the available memory: forward_batch in --json)",
              "64"},
             {"ratios", "V1,V2", "ratios whose top-k (k = C/V) overlap is reported", "2,4,8,16,32,64"},
             {"seed", "S", "seed of the batch sampling", "1"},
             {"out", "FILE", "CSV to write: channel,importance,rank,batch1..N", ""}},
            0,
            runImportance};
}

} // namespace aecnn::cli
