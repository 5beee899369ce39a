#include "cmd_codec_dict.h"

#include <torch/torch.h>

#include "aecnn/split/split_model.h"
#include "aecnn/model/checkpoint.h"
#include "aecnn/error.h"
#include "aecnn/split/split_transport.h"
#include "cli_common.h"
#include "transport_options.h"

namespace aecnn::cli {

QJsonObject trainModelDictionary(const ParsedArgs& args, CommandContext& context)
{
    const auto& p = args.positional();
    const bool store = args.flag("store");
    const std::string out = args.has("out") ? args.text("out") : "";
    const std::string dictFile = p.size() > 1 ? p[1] : "";
    if (p.size() > 2 || int(store) + int(!out.empty()) + int(!dictFile.empty()) != 1)
        throw UsageError("usage: aecnn codec train-dict --model SPLIT_MODEL [--dataset SPEC] [--count N] [--bits n] "
                         "(--store | --out MODEL_COPY | OUT.zdict)");
    // The dictionary is for the zstd coders: --codec (default: context) does not apply.
    TransportSettings settings = readTransportOptions(args, TransportCommand::Codec).base;
    settings.coder = "zstd-entropy";
    checkTransportSettings(settings);
    const int count = args.integer("count", 8, 1 << 20);
    const size_t capacity = size_t(args.integer("dict-size", 256, 1 << 20));
    const std::string modelPath = args.text("model");
    const std::string dataSpec = args.text("dataset");

    auto model = loadAecnnClassifierFile(QString::fromStdString(modelPath));
    const auto calibration = limited(loadDatasetForModel(dataSpec, model).train, count);
    const SplitTransport transport(transmittedLayout(*model.net, model.usage.inputHeight, model.usage.inputWidth),
                                   settings);
    const auto dictionary = trainTransportDictionary(*model.net, transport, calibration, capacity);
    QJsonObject info{{"dataset", QString::fromStdString(dataSpec)},
                     {"subset", "train"},
                     {"images", static_cast<qint64>(calibration.size())},
                     {"capacity", static_cast<qint64>(capacity)}};
    // What shapes the symbols the dictionary is trained on (the coder and range do not).
    const QJsonObject symbols = describeTransport(settings);
    for (const char* key : {"repr", "bits", "per_channel"})
        info.insert(key, symbols.value(key));
    std::string target = dictFile;
    if (!dictFile.empty()) {
        writeFileAtomically(QString::fromStdString(dictFile),
                            QByteArray(reinterpret_cast<const char*>(dictionary.bytes.data()),
                                       qsizetype(dictionary.bytes.size())));
    } else {
        target = store ? modelPath : out;
        model.codecDictionary = dictionary;
        model.codecDictionaryInfo = info;
        saveAecnnClassifier(QString::fromStdString(target), model);
    }
    *context.text << "trained zstd dictionary " << dictionary.id() << " (" << dictionary.bytes.size() << " bytes) on "
                  << calibration.size() << " transmitted tensors of " << modelPath << " into " << target << "\n";
    return {{"dictionary_id", static_cast<qint64>(dictionary.id())},
            {"bytes", static_cast<qint64>(dictionary.bytes.size())},
            {"model", QString::fromStdString(modelPath)},
            {"written_to", QString::fromStdString(target)},
            {"stored_with_model", dictFile.empty()},
            {"trained_on", info}};
}

} // namespace aecnn::cli
