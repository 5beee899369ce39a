#pragma once

// Shared by the edge tests: tiny models on synthetic data, an edge run in a local
// event loop, and the offline reference predictions of the same path.

#include <functional>
#include <optional>
#include <vector>

#include <QEventLoop>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "../method/tiny_model.h"
#include "aecnn/split/split_model.h"
#include "aecnn/model/classifier.h"
#include "aecnn/datasets/dataset_spec.h"
#include "aecnn/edge/edge_session.h"
#include "aecnn/latency/device_profile.h"
#include "aecnn/split/model_input.h"
#include "aecnn/split/split_transport.h"
#include "test_budget.h"

namespace aecnn::testing {

inline const char* kEdgeDataset = "synthetic:80"; // 16 test images, 28x28x1, 4 classes
inline const QByteArray kEdgeToken = "edge-test-token-0123456789abcdef";

inline Normalization tinyNormalization()
{
    return {{0.15f}, {0.25f}};
}

// The profile adaptive V predicts with in the edge tests: the tiny split models' tensor at
// split 1 (8 x 14 x 14, float32: S = 6272 bytes), 1 ms on each side, V=2 more accurate than
// V=4. V=2 fits a 200 ms deadline from about 0.13 Mbps on (0.14 with the selection's 10 %
// headroom), V=4 from about 0.06 Mbps; 800 ms: V=2 from 0.032 (0.035), V=4 from 0.016.
inline latency::DeviceProfile tinyAdaptiveProfile(const std::string& source)
{
    latency::DeviceProfile profile;
    profile.name = "tiny-test";
    profile.source = source;
    latency::SplitTiming split;
    split.split = 1;
    split.channels = 8;
    split.height = 14;
    split.width = 14;
    split.iotMs = 1.0;
    split.edgeMs = 1.0;
    split.ratios = {{2, 90.0, 32.0, 0.0, 0.0, -1.0}, {4, 80.0, 32.0, 0.0, 0.0, -1.0}};
    profile.splits = {split};
    return profile;
}

inline ImageSet edgeTestImages()
{
    auto set = datasets::loadDataset(kEdgeDataset, datasets::DatasetRequest{}).test;
    set.normalization = tinyNormalization();
    return set;
}

// A split model of the tiny network at split 1 (8 x 14 x 14), every module random.
inline AecnnClassifier tinySplitModel(SplitVariant variant, int ratio, uint64_t seed)
{
    auto net = tinyNet(seed);
    std::vector<int64_t> kept;
    for (int c = 0; c < 8; c += ratio)
        kept.push_back(c);
    AecnnClassifier model;
    model.net = AecnnModel(variant, *net, 1, kept, ratio, variant == SplitVariant::Aecnn ? 4 : 0);
    torch::NoGradGuard noGrad;
    torch::manual_seed(seed + 1);
    auto randomize = [](torch::nn::Module& module) {
        for (auto& p : module.named_parameters()) {
            const bool bn = p.key().find("bn") != std::string::npos;
            p.value().uniform_(bn ? 0.5 : -0.5, bn ? 1.5 : 0.5);
        }
    };
    if (model.net->recovery)
        randomize(*model.net->recovery);
    if (model.net->bottleneck)
        randomize(*model.net->bottleneck);
    model.net->eval();
    model.usage = {{"circle", "square", "triangle", "cross"}, tinyNormalization(), 28, 28, {}};
    return model;
}

inline Classifier tinyWholeModel(uint64_t seed)
{
    Classifier c;
    c.net = tinyNet(seed);
    c.usage = {{"circle", "square", "triangle", "cross"}, tinyNormalization(), 28, 28, {}};
    return c;
}

// The live path offline, one image at a time: head -> frame -> decode -> tail.
inline std::vector<int> offlineSplitPredictions(AecnnClassifier& model, const TransportSettings& settings,
                                                const ImageSet& images)
{
    torch::NoGradGuard noGrad;
    const SplitTransport transport(transmittedLayout(*model.net, 28, 28), settings);
    std::vector<int> predicted;
    for (int64_t i = 0; i < images.size(); ++i) {
        const auto frame = transport.encode(model.net->encode(images.normalizedBatch(torch::tensor({i}))));
        const auto received = transport.decode(frame.data(), frame.size());
        predicted.push_back(static_cast<int>(model.net->decode(received).argmax(1).item<int64_t>()));
    }
    return predicted;
}

// Whole model on each image, optionally through a JPEG round trip (full offloading).
inline std::vector<int> offlineWholePredictions(Classifier& model, const ImageSet& images, int jpegQuality)
{
    torch::NoGradGuard noGrad;
    std::vector<int> predicted;
    const auto hwc = images.images.permute({0, 2, 3, 1}).contiguous();
    for (int64_t i = 0; i < images.size(); ++i) {
        cv::Mat image(images.height(), images.width(), CV_8UC1, hwc[i].data_ptr<uint8_t>());
        if (jpegQuality > 0) {
            std::vector<uchar> jpeg;
            cv::imencode(".jpg", image, jpeg, {cv::IMWRITE_JPEG_QUALITY, jpegQuality});
            image = cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);
        }
        const auto x = edge::modelInput(image.clone(), model.usage.normalization, 28, 28);
        predicted.push_back(static_cast<int>(model.net->forward(x).argmax(1).item<int64_t>()));
    }
    return predicted;
}

// Drives an EdgeSession through connect, configure, deploy and one stream of `frames`.
struct EdgeRun {
    std::vector<edge::EdgeFrameResult> frames;
    QString error;
    QString endReason;
    bool ended = false;
    QStringList states; // "state: message" of every state change, in order
};

inline EdgeRun runEdgeSessionAt(edge::EdgeSession& session, const QString& host, quint16 port,
                                const QJsonObject& settings, const QString& modelPath, uint32_t frames,
                                int timeoutMs = 20000, std::function<void(const edge::EdgeFrameResult&)> onFrame = {})
{
    EdgeRun run;
    QEventLoop loop;
    bool configured = false, deployed = false, started = false;
    auto maybeStart = [&] {
        if (configured && deployed && !started) {
            started = true;
            session.start(frames);
        }
    };
    edge::EdgeCallbacks cb;
    cb.stateChanged = [&](edge::EdgeState state, const QString& message) {
        run.states << QString("%1: %2").arg(edge::toString(state), message);
        if (state == edge::EdgeState::Ready && !configured && !deployed) {
            session.configure(settings);
            QString error;
            if (modelPath.isEmpty())
                deployed = true;
            else if (!session.deployModel(modelPath, &error)) {
                run.error = error;
                loop.quit();
            }
        }
    };
    cb.configured = [&](bool ok, const QString& message, const QJsonObject&) {
        if (!ok) {
            run.error = "configure: " + message;
            loop.quit();
            return;
        }
        configured = true;
        maybeStart();
    };
    cb.deployed = [&](bool ok, const QString& message) {
        if (!ok) {
            run.error = "deploy: " + message;
            loop.quit();
            return;
        }
        deployed = true;
        maybeStart();
    };
    cb.frame = [&](const edge::EdgeFrameResult& f) {
        run.frames.push_back(f);
        if (onFrame)
            onFrame(f);
    };
    cb.streamEnded = [&](uint64_t, const QString& reason) {
        run.ended = true;
        run.endReason = reason;
        loop.quit();
    };
    cb.error = [&](const QString& message) {
        if (run.error.isEmpty())
            run.error = message;
        loop.quit();
    };
    session.setCallbacks(cb);
    QTimer::singleShot(aecnn::test::budgetMs(timeoutMs), &loop, [&] {
        run.error = "timeout";
        loop.quit();
    });
    session.connectToAgent(host, port, kEdgeToken);
    loop.exec();
    return run;
}

inline EdgeRun runEdgeSession(edge::EdgeSession& session, quint16 port, const QJsonObject& settings,
                              const QString& modelPath, uint32_t frames, int timeoutMs = 20000,
                              std::function<void(const edge::EdgeFrameResult&)> onFrame = {})
{
    return runEdgeSessionAt(session, "127.0.0.1", port, settings, modelPath, frames, timeoutMs, std::move(onFrame));
}

inline std::vector<int> predictionsOf(const EdgeRun& run)
{
    std::vector<int> p;
    for (const auto& f : run.frames)
        p.push_back(f.predicted);
    return p;
}

} // namespace aecnn::testing
