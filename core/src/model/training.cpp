#include "aecnn/model/training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <thread>

#include <torch/torch.h>

#include "aecnn/error.h"

namespace aecnn {
namespace {

double scheduledRate(double peak, int64_t step, int64_t totalSteps)
{
    const int64_t warmup = std::max<int64_t>(1, totalSteps / 20);
    if (step < warmup)
        return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
    const double progress = static_cast<double>(step - warmup) / static_cast<double>(std::max<int64_t>(1, totalSteps - warmup));
    return peak * 0.5 * (1.0 + std::cos(M_PI * progress));
}

torch::Device deviceOf(const torch::nn::Module& module)
{
    const auto parameters = module.parameters();
    return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

// Moves a module to a device for a scope and back to where it was when the scope ends.
class DeviceScope {
public:
    DeviceScope(torch::nn::Module& module, torch::Device device) : module_(module), home_(deviceOf(module))
    {
        if (device != home_)
            module_.to(device);
    }
    ~DeviceScope()
    {
        if (deviceOf(module_) != home_)
            module_.to(home_);
    }
    DeviceScope(const DeviceScope&) = delete;
    DeviceScope& operator=(const DeviceScope&) = delete;

private:
    torch::nn::Module& module_;
    torch::Device home_;
};

} // namespace

int configureThreads(int threads)
{
    if (threads < 0)
        throw Error("thread count must be >= 0 (0 = all cores)");
    if (threads == 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    return threads;
}

torch::Tensor augmentBatch(const torch::Tensor& batch, std::mt19937_64& rng)
{
    constexpr int pad = 2;
    const auto n = batch.size(0);
    const auto h = batch.size(2);
    const auto w = batch.size(3);
    auto padded = torch::constant_pad_nd(batch, {pad, pad, pad, pad}, 0.0);
    auto out = torch::empty_like(batch);
    std::uniform_int_distribution<int> shift(0, 2 * pad);
    std::bernoulli_distribution flip(0.5);
    for (int64_t i = 0; i < n; ++i) {
        const int dy = shift(rng), dx = shift(rng);
        auto crop = padded[i].slice(1, dy, dy + h).slice(2, dx, dx + w);
        out[i].copy_(flip(rng) ? crop.flip({2}) : crop);
    }
    return out;
}

TrainResult trainClassifier(torch::nn::Module& module, const ForwardFn& forward, std::vector<torch::Tensor> parameters,
                            const ImageSet& data, const TrainOptions& options, const std::string& stage,
                            const ProgressCallback& progress)
{
    if (data.size() == 0)
        throw Error("cannot train on an empty dataset");
    if (options.epochs < 1 || options.batchSize < 1)
        throw Error("epochs and batch size must be positive");
    torch::manual_seed(options.seed);
    std::mt19937_64 rng(options.seed);
    DeviceScope onDevice(module, options.device); // before the optimizer sees the parameters

    std::vector<torch::Tensor> decayed, notDecayed; // no weight decay on BN and biases
    for (auto& p : parameters)
        (p.dim() <= 1 ? notDecayed : decayed).push_back(p);
    torch::optim::SGD optimizer(
        {torch::optim::OptimizerParamGroup(decayed,
                                           std::make_unique<torch::optim::SGDOptions>(
                                               torch::optim::SGDOptions(options.learningRate)
                                                   .momentum(0.9)
                                                   .nesterov(true)
                                                   .weight_decay(options.weightDecay))),
         torch::optim::OptimizerParamGroup(notDecayed, std::make_unique<torch::optim::SGDOptions>(
                                                           torch::optim::SGDOptions(options.learningRate)
                                                               .momentum(0.9)
                                                               .nesterov(true)))},
        torch::optim::SGDOptions(options.learningRate));

    const int64_t n = data.size();
    int64_t stepsPerEpoch = (n + options.batchSize - 1) / options.batchSize;
    if (options.maxStepsPerEpoch > 0)
        stepsPerEpoch = std::min(stepsPerEpoch, options.maxStepsPerEpoch);
    const int64_t totalSteps = stepsPerEpoch * options.epochs;

    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    const auto start = std::chrono::steady_clock::now();
    TrainResult result;
    module.train();
    for (int epoch = 0; epoch < options.epochs; ++epoch) {
        std::shuffle(order.begin(), order.end(), rng);
        double lossSum = 0.0;
        int64_t correct = 0, seen = 0;
        for (int64_t step = 0; step < stepsPerEpoch; ++step) {
            const int64_t begin = step * options.batchSize;
            const int64_t end = std::min(n, begin + options.batchSize);
            auto indices = torch::from_blob(order.data() + begin, {end - begin}, torch::kInt64).clone();
            auto batch = data.normalizedBatch(indices);
            if (options.augment)
                batch = augmentBatch(batch, rng);
            batch = batch.to(options.device);
            const auto labels = data.labels.index_select(0, indices).to(options.device);

            const double rate = scheduledRate(options.learningRate, result.steps, totalSteps);
            for (auto& group : optimizer.param_groups())
                static_cast<torch::optim::SGDOptions&>(group.options()).lr(rate);
            optimizer.zero_grad();
            const auto logits = forward(batch);
            auto loss = torch::nn::functional::cross_entropy(logits, labels);
            loss.backward();
            optimizer.step();
            ++result.steps;

            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue))
                throw Error("training diverged at stage '" + stage + "' (loss is not finite); lower the learning rate");
            lossSum += lossValue * static_cast<double>(end - begin);
            seen += end - begin;
            correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
            if (progress) {
                TrainProgress p;
                p.stage = stage;
                p.epoch = epoch + 1;
                p.epochs = options.epochs;
                p.step = step + 1;
                p.stepsPerEpoch = stepsPerEpoch;
                p.loss = lossSum / static_cast<double>(seen);
                p.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
                p.elapsedSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                p.etaSeconds = p.elapsedSeconds / static_cast<double>(result.steps) *
                               static_cast<double>(totalSteps - result.steps);
                if (!progress(p)) {
                    module.eval();
                    throw TrainingCancelled{};
                }
            }
            result.finalLoss = lossSum / static_cast<double>(seen);
        }
    }
    module.eval();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

EvalResult evaluateClassifier(torch::nn::Module& module, const ForwardFn& forward, const ImageSet& data, int batchSize)
{
    torch::NoGradGuard noGrad;
    module.eval();
    EvalResult result;
    const torch::Device device = deviceOf(module);
    if (data.size() > 0) // at most kEvalPixelsPerBatch input pixels per batch (20 images at 224 x 224)
        batchSize = static_cast<int>(std::clamp<int64_t>(
            kEvalPixelsPerBatch / (int64_t(data.height()) * data.width()), 1, std::max(1, batchSize)));
    for (int64_t begin = 0; begin < data.size(); begin += batchSize) {
        const int64_t end = std::min(data.size(), begin + batchSize);
        const auto indices = torch::arange(begin, end, torch::kInt64);
        const auto logits = forward(data.normalizedBatch(indices).to(device)).to(torch::kCPU);
        result.correct += logits.argmax(1).eq(data.labels.slice(0, begin, end)).sum().item<int64_t>();
        result.count += end - begin;
    }
    return result;
}

} // namespace aecnn
