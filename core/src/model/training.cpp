#include "aecnn/model/training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <QFileInfo>

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/string_utils.h>
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

std::string rngText(const std::mt19937_64& rng)
{
    std::ostringstream out;
    out << rng;
    return out.str();
}

std::vector<std::pair<std::string, torch::Tensor>> moduleTensors(torch::nn::Module& module)
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& item : module.named_parameters(true))
        tensors.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers(true))
        tensors.emplace_back(item.key(), item.value());
    return tensors;
}

void restoreModuleTensors(torch::nn::Module& module, const std::vector<std::pair<std::string, torch::Tensor>>& saved,
                          const QString& path)
{
    std::unordered_map<std::string, torch::Tensor> byName(saved.begin(), saved.end());
    const auto current = moduleTensors(module);
    if (current.size() != saved.size())
        throw Error(path.toStdString() + " holds " + std::to_string(saved.size()) + " model tensors, the network being "
                    "trained has " + std::to_string(current.size()) + ": it is the checkpoint of another network; "
                    "delete it (or pass --fresh) to start over");
    torch::NoGradGuard noGrad;
    for (const auto& [name, tensor] : current) {
        const auto found = byName.find(name);
        if (found == byName.end() || !found->second.sizes().equals(tensor.sizes()))
            throw Error(path.toStdString() + ": tensor '" + name + "' is missing or has another shape than the network " +
                        "being trained; delete it (or pass --fresh) to start over");
        tensor.copy_(found->second);
    }
}

std::string momentumKey(const torch::Tensor& parameter)
{
    return c10::guts::to_string(parameter.unsafeGetTensorImpl());
}

std::vector<std::vector<torch::Tensor>> momentumBuffers(torch::optim::SGD& optimizer)
{
    std::vector<std::vector<torch::Tensor>> buffers;
    for (auto& group : optimizer.param_groups()) {
        auto& out = buffers.emplace_back();
        for (const auto& p : group.params()) {
            const auto found = optimizer.state().find(momentumKey(p));
            out.push_back(found == optimizer.state().end()
                              ? torch::Tensor()
                              : static_cast<torch::optim::SGDParamState&>(*found->second).momentum_buffer());
        }
    }
    return buffers;
}

void restoreMomentumBuffers(torch::optim::SGD& optimizer, const std::vector<std::vector<torch::Tensor>>& saved,
                            const QString& path)
{
    auto& groups = optimizer.param_groups();
    for (size_t g = 0; g < saved.size(); ++g) {
        for (size_t i = 0; i < saved[g].size(); ++i) {
            if (!saved[g][i].defined())
                continue;
            if (g >= groups.size() || i >= groups[g].params().size() ||
                !groups[g].params()[i].sizes().equals(saved[g][i].sizes()))
                throw Error(path.toStdString() + ": optimizer state " + std::to_string(g) + "/" + std::to_string(i) +
                            " does not fit the parameters being trained; delete it (or pass --fresh) to start over");
            const auto& p = groups[g].params()[i];
            auto state = std::make_unique<torch::optim::SGDParamState>();
            state->momentum_buffer(saved[g][i].to(p.device()).clone());
            optimizer.state()[momentumKey(p)] = std::move(state);
        }
    }
}

torch::Tensor generatorState()
{
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void restoreGenerator(const torch::Tensor& state)
{
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

torch::Tensor teacherLogits(const Distillation& distillation, const torch::Tensor& batch, const torch::Device& device)
{
    torch::NoGradGuard noGrad;
    return distillation.teacher(batch).to(device);
}

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

torch::Tensor distillationLoss(const torch::Tensor& logits, const torch::Tensor& teacherLogits,
                               const torch::Tensor& labels, double weight, double temperature)
{
    if (!(weight >= 0.0 && weight <= 1.0))
        throw Error("the distillation weight must be between 0 and 1, got " + std::to_string(weight));
    if (!(temperature > 0.0))
        throw Error("the distillation temperature must be above 0, got " + std::to_string(temperature));
    if (teacherLogits.sizes() != logits.sizes())
        throw Error("the teacher's logits do not match the student's (another number of classes?)");
    namespace F = torch::nn::functional;
    const auto hard = F::cross_entropy(logits, labels);
    const auto soft = F::kl_div(torch::log_softmax(logits / temperature, 1),
                                torch::softmax(teacherLogits.detach() / temperature, 1),
                                F::KLDivFuncOptions().reduction(torch::kBatchMean));
    return (1.0 - weight) * hard + weight * temperature * temperature * soft;
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
    TrainResult result;
    const auto& checkpointing = options.checkpointing;
    TrainingPosition at; // where the run starts: 0, or the checkpoint's position
    if (checkpointing.enabled() && checkpointing.resume && QFileInfo::exists(checkpointing.path)) {
        const auto state = loadTrainingState(checkpointing.path);
        requireSameFingerprint(state.fingerprint, checkpointing.fingerprint, checkpointing.path);
        at = state.position;
        if (at.batchSize != options.batchSize || at.stepsPerEpoch != stepsPerEpoch || at.totalSteps != totalSteps ||
            state.order.numel() != n)
            throw Error(checkpointing.path.toStdString() + " is the checkpoint of a run with batch " +
                        std::to_string(at.batchSize) + ", " + std::to_string(state.order.numel()) + " images and " +
                        std::to_string(at.totalSteps) + " steps; this run has batch " +
                        std::to_string(options.batchSize) + ", " + std::to_string(n) + " images and " +
                        std::to_string(totalSteps) + " steps: rerun with the same options, or delete the file (or "
                        "pass --fresh) to start over");
        restoreModuleTensors(module, state.model, checkpointing.path);
        restoreMomentumBuffers(optimizer, state.momentum, checkpointing.path);
        std::istringstream rngIn(at.rngState);
        rngIn >> rng;
        if (!rngIn)
            throw Error(checkpointing.path.toStdString() + ": unreadable RNG state; delete it to start over");
        const auto savedOrder = state.order.to(torch::kInt64).contiguous();
        std::copy(savedOrder.data_ptr<int64_t>(), savedOrder.data_ptr<int64_t>() + n, order.begin());
        restoreGenerator(state.generator);
        result.steps = at.steps;
        if (at.seen > 0)
            result.finalLoss = at.lossSum / static_cast<double>(at.seen);
    }
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return at.elapsedSeconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    module.train();
    for (int epoch = at.epoch; epoch < options.epochs; ++epoch) {
        const bool continuing = epoch == at.epoch && at.stepInEpoch > 0; // resumed inside this epoch
        double lossSum = continuing ? at.lossSum : 0.0;
        int64_t correct = continuing ? at.correct : 0, seen = continuing ? at.seen : 0;
        if (!continuing)
            std::shuffle(order.begin(), order.end(), rng);
        for (int64_t step = continuing ? at.stepInEpoch : 0; step < stepsPerEpoch; ++step) {
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
            auto loss = options.distillation.enabled()
                            ? distillationLoss(logits, teacherLogits(options.distillation, batch, logits.device()),
                                               labels, options.distillation.weight, options.distillation.temperature)
                            : torch::nn::functional::cross_entropy(logits, labels);
            if (options.extraLoss)
                loss = loss + options.extraLoss();
            loss.backward();
            optimizer.step();
            ++result.steps;

            const double lossValue = loss.item<double>();
            if (!std::isfinite(lossValue))
                throw Error("training diverged at stage '" + stage + "' (loss is not finite); lower the learning rate");
            lossSum += lossValue * static_cast<double>(end - begin);
            seen += end - begin;
            correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
            result.finalLoss = lossSum / static_cast<double>(seen);
            if (progress) {
                TrainProgress p;
                p.stage = stage;
                p.epoch = epoch + 1;
                p.epochs = options.epochs;
                p.step = step + 1;
                p.stepsPerEpoch = stepsPerEpoch;
                p.loss = lossSum / static_cast<double>(seen);
                p.accuracy = static_cast<double>(correct) / static_cast<double>(seen);
                p.elapsedSeconds = elapsed();
                p.etaSeconds = p.elapsedSeconds / static_cast<double>(result.steps) *
                               static_cast<double>(totalSteps - result.steps);
                if (!progress(p)) {
                    module.eval();
                    throw TrainingCancelled{};
                }
            }
            if (!checkpointing.enabled())
                continue;
            const bool epochEnd = step + 1 == stepsPerEpoch;
            const bool stop = (checkpointing.stopAfterSteps > 0 && result.steps >= checkpointing.stopAfterSteps &&
                               result.steps < totalSteps) ||
                              (checkpointing.stopRequested && checkpointing.stopRequested());
            if (!stop && !epochEnd && (checkpointing.everySteps <= 0 || result.steps % checkpointing.everySteps != 0))
                continue;
            TrainingState state;
            state.position = {result.steps, epochEnd ? epoch + 1 : epoch, epochEnd ? 0 : step + 1, stepsPerEpoch,
                              totalSteps, options.batchSize, lossSum, correct, seen, elapsed(), rngText(rng)};
            state.fingerprint = checkpointing.fingerprint;
            state.model = moduleTensors(module);
            state.momentum = momentumBuffers(optimizer);
            state.order = torch::from_blob(order.data(), {n}, torch::kInt64).clone();
            state.generator = generatorState();
            saveTrainingState(checkpointing.path, state);
            if (stop) {
                module.eval();
                throw TrainingInterrupted{result.steps, checkpointing.path};
            }
        }
    }
    module.eval();
    result.seconds = elapsed();
    return result;
}

EvalResult evaluateClassifier(torch::nn::Module& module, const ForwardFn& forward, const ImageSet& data, int batchSize)
{
    torch::NoGradGuard noGrad;
    module.eval();
    EvalResult result;
    const torch::Device device = deviceOf(module);
    batchSize = std::max(1, batchSize);
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
