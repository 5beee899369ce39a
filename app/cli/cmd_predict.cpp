#include <QJsonArray>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/error.h"
#include "aecnn/split/inference_model.h"
#include "command.h"

namespace aecnn::cli {
namespace {

// Reads an image the way the model's training data looked: its channel count,
// resized on the short side and centre-cropped, normalized.
torch::Tensor loadImageForModel(const std::string& path, const InferenceModel& model)
{
    const int channels = model.inChannels;
    const auto& usage = model.usage;
    if (channels != 1 && channels != 3)
        throw Error("predict supports models with 1 or 3 input channels");
    cv::Mat image = cv::imread(path, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (image.empty())
        throw Error("cannot read image '" + path + "': missing file or a format OpenCV cannot decode");
    if (channels == 3)
        cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    const double scale = std::max(double(usage.inputHeight) / image.rows, double(usage.inputWidth) / image.cols);
    cv::Mat resized;
    cv::resize(image, resized,
               cv::Size(std::max(usage.inputWidth, int(std::lround(image.cols * scale))),
                        std::max(usage.inputHeight, int(std::lround(image.rows * scale)))),
               0, 0, cv::INTER_AREA);
    const cv::Rect crop((resized.cols - usage.inputWidth) / 2, (resized.rows - usage.inputHeight) / 2, usage.inputWidth,
                        usage.inputHeight);
    cv::Mat cropped = resized(crop).clone();
    auto pixels = torch::from_blob(cropped.data, {usage.inputHeight, usage.inputWidth, channels}, torch::kUInt8)
                      .permute({2, 0, 1})
                      .unsqueeze(0)
                      .clone();
    ImageSet single{pixels, torch::zeros({1}, torch::kInt64), usage.classNames, usage.normalization};
    return single.normalizedBatch(torch::zeros({1}, torch::kInt64));
}

QJsonObject runPredict(const ParsedArgs& args, CommandContext& context)
{
    const std::string path = args.text("image");
    auto model = loadInferenceModel(args.text("model"));
    const auto input = loadImageForModel(path, model);
    torch::NoGradGuard noGrad;
    model.module->eval();
    const auto logits = model.forward(input)[0];
    const auto probabilities = torch::softmax(logits, 0);
    const int k = std::min<int>(5, static_cast<int>(logits.size(0)));
    const auto top = probabilities.topk(k);
    const auto values = std::get<0>(top);
    const auto indices = std::get<1>(top);
    QJsonArray logitArray, topArray;
    for (int64_t i = 0; i < logits.size(0); ++i)
        logitArray.append(logits[i].item<double>());
    *context.text << path << ":\n";
    for (int i = 0; i < k; ++i) {
        const auto index = indices[i].item<int64_t>();
        const auto& name = model.usage.classNames[static_cast<size_t>(index)];
        const double p = values[i].item<double>();
        topArray.append(QJsonObject{{"class", static_cast<qint64>(index)},
                                    {"name", QString::fromStdString(name)},
                                    {"probability", p}});
        *context.text << "  " << i + 1 << ". " << name << " (" << index << ")  p=" << p << "\n";
    }
    return {{"image", QString::fromStdString(path)}, {"logits", logitArray}, {"top5", topArray}};
}

} // namespace

Command predictCommand()
{
    return {"predict", "classify one image file; prints logits and the top 5",
            {modelOption(), {"image", "PATH", "image file (any format OpenCV reads)", ""}}, 0, runPredict};
}

} // namespace aecnn::cli
