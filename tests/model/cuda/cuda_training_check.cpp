// Device check of the CUDA path of training (TrainOptions::device, evaluateClassifier),
// built without Qt against any LibTorch by run-cuda-check.sh: the model room's Qt-free
// sources only. Not part of the CTest suite (it needs a CUDA LibTorch and a GPU).
//
// At 224 x 224 with the ImageNet stem (width-reduced ResNet-50):
//   1. the same weights give the same logits on CPU and CUDA (max |diff| < 1e-3);
//   2. trainClassifier with device = cuda trains (loss falls on a learnable task), uses
//      the GPU (CUDA memory was allocated) and leaves the module on the CPU again;
//   3. evaluateClassifier of a module on CUDA agrees with the CPU evaluation.
#include <cstdio>
#include <cstdlib>

#include <torch/torch.h>

#include "aecnn/model/resnet.h"
#include "aecnn/model/training.h"

using namespace aecnn;

namespace {

int failures = 0;

void check(bool ok, const char* what)
{
    std::printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
    if (!ok)
        ++failures;
}

bool onCpu(torch::nn::Module& m)
{
    for (const auto& p : m.parameters())
        if (!p.device().is_cpu())
            return false;
    for (const auto& b : m.buffers())
        if (!b.device().is_cpu())
            return false;
    return true;
}

} // namespace

int main()
{
    std::printf("LibTorch %s, CUDA compiled in: %d, available: %d, devices: %d\n", TORCH_VERSION,
                int(torch::hasCUDA()), int(torch::cuda::is_available()), int(torch::cuda::device_count()));
    if (!torch::cuda::is_available()) {
        std::printf("FAIL: no CUDA device\n");
        return 2;
    }
    torch::manual_seed(3);
    ResNet net(ResNetConfig::resnet50(4, 3, 0.25, StemKind::ImageNet));
    {
        torch::NoGradGuard noGrad;
        net->eval();
        check(net->forwardRange(torch::zeros({1, 3, 224, 224}), 0, 1).sizes() == torch::IntArrayRef({1, 64, 56, 56}),
              "split 1 is 64x56x56 at 224x224");
    }

    // 1. Same logits on both devices.
    {
        torch::NoGradGuard noGrad;
        net->eval();
        auto x = torch::randn({4, 3, 224, 224});
        const auto cpu = net->forward(x);
        net->to(torch::kCUDA);
        const auto gpu = net->forward(x.to(torch::kCUDA)).to(torch::kCPU);
        net->to(torch::kCPU);
        const double diff = (cpu - gpu).abs().max().item<double>();
        std::printf("max |logit diff| CPU vs CUDA: %.3g\n", diff);
        check(diff < 1e-3, "CPU and CUDA logits agree");
    }

    // A learnable task: the class is which quadrant is bright.
    const int64_t n = 256;
    auto images = torch::full({n, 3, 224, 224}, 20, torch::kUInt8);
    auto labels = torch::arange(n, torch::kInt64) % 4;
    for (int64_t i = 0; i < n; ++i) {
        const int64_t q = labels[i].item<int64_t>();
        images[i].slice(1, (q / 2) * 112, (q / 2) * 112 + 112).slice(2, (q % 2) * 112, (q % 2) * 112 + 112).fill_(230);
    }
    ImageSet data{images, labels, {"a", "b", "c", "d"}, Normalization::identity(3)};

    // 2. Training on CUDA.
    TrainOptions options;
    options.epochs = 3;
    options.batchSize = 32;
    options.learningRate = 0.05;
    options.augment = false; // a flip would swap the left and right quadrant classes
    options.device = torch::kCUDA;
    double firstLoss = -1.0;
    const auto result = trainClassifier(
        *net, [&](const torch::Tensor& x) { return net->forward(x); }, net->parameters(), data, options, "cuda-check",
        [&](const TrainProgress& p) {
            if (firstLoss < 0)
                firstLoss = p.loss;
            return true;
        });
    std::printf("CUDA training: %lld steps in %.2f s, first-step loss %.3f, final epoch loss %.3f\n",
                static_cast<long long>(result.steps), result.seconds, firstLoss, result.finalLoss);
    check(result.finalLoss < firstLoss * 0.7, "loss falls while training on CUDA");
    check(onCpu(*net), "the module is back on the CPU after training");

    // 3. Evaluation on CUDA equals evaluation on CPU.
    const auto cpuEval = evaluateClassifier(*net, [&](const torch::Tensor& x) { return net->forward(x); }, data, 64);
    net->to(torch::kCUDA);
    const auto gpuEval = evaluateClassifier(*net, [&](const torch::Tensor& x) { return net->forward(x); }, data, 64);
    net->to(torch::kCPU);
    std::printf("accuracy CPU %.4f, CUDA %.4f (%lld images)\n", cpuEval.accuracy(), gpuEval.accuracy(),
                static_cast<long long>(gpuEval.count));
    check(cpuEval.correct == gpuEval.correct, "CUDA evaluation equals CPU evaluation");
    check(cpuEval.accuracy() > 0.5, "the CUDA-trained model learned the task (> 50 % on 4 classes)");

    std::printf("%s\n", failures ? "CUDA CHECK FAILED" : "CUDA CHECK PASSED");
    return failures ? 1 : 0;
}
