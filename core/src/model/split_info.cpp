#include "aecnn/model/split_info.h"

namespace aecnn {

int64_t convMacs(const torch::nn::Conv2dImpl& conv, int& h, int& w)
{
    const auto& o = conv.options;
    const auto k = o.kernel_size();
    const auto s = o.stride();
    const auto d = o.dilation();
    const auto* pad = c10::get_if<torch::ExpandingArray<2>>(&o.padding());
    const int ph = pad ? static_cast<int>((*pad)->at(0)) : 0;
    const int pw = pad ? static_cast<int>((*pad)->at(1)) : 0;
    h = static_cast<int>((h + 2 * ph - d->at(0) * (k->at(0) - 1) - 1) / s->at(0) + 1);
    w = static_cast<int>((w + 2 * pw - d->at(1) * (k->at(1) - 1) - 1) / s->at(1) + 1);
    return conv.weight.numel() * static_cast<int64_t>(h) * w;
}

int64_t bottleneckMacs(const BottleneckImpl& block, int& h, int& w)
{
    int h0 = h, w0 = w;
    int64_t macs = convMacs(*block.conv1, h, w);
    macs += convMacs(*block.conv2, h, w);
    macs += convMacs(*block.conv3, h, w);
    if (block.downsample)
        macs += convMacs(*block.downsample->ptr<torch::nn::Conv2dImpl>(0), h0, w0);
    return macs;
}

int64_t parameterCount(const torch::nn::Module& module)
{
    int64_t n = 0;
    for (const auto& p : module.parameters())
        n += p.numel();
    return n;
}

std::vector<SplitPointInfo> describeSplitPoints(ResNetImpl& model, int inputHeight, int inputWidth)
{
    const auto& config = model.config();
    int h = inputHeight, w = inputWidth;
    std::vector<int64_t> macsUpTo; // cumulative MACs at each split point
    std::vector<int64_t> paramsUpTo;
    std::vector<SplitPointInfo> points;

    int64_t macs = convMacs(*model.conv1, h, w);
    h = (h + 2 - 3) / 2 + 1; // maxpool 3x3 stride 2 padding 1
    w = (w + 2 - 3) / 2 + 1;
    int64_t params = parameterCount(*model.conv1) + parameterCount(*model.bn1);
    SplitPointInfo stem;
    stem.point = 1;
    stem.after = "stem";
    stem.channels = config.stemChannels;
    stem.height = h;
    stem.width = w;
    stem.headMacs = macs;
    stem.headParams = params;
    points.push_back(stem);

    int point = 2;
    for (int stage = 0; stage < 4; ++stage) {
        for (int b = 0; b < config.stageDepths[stage]; ++b, ++point) {
            const auto& block = model.blockAt(point);
            macs += bottleneckMacs(*block, h, w);
            params += parameterCount(*block);
            SplitPointInfo info;
            info.point = point;
            info.after = "layer" + std::to_string(stage + 1) + "." + std::to_string(b);
            info.channels = block->outChannels();
            info.height = h;
            info.width = w;
            info.headMacs = macs;
            info.headParams = params;
            points.push_back(info);
        }
    }
    const int64_t totalMacs = macs + model.fc->weight.numel();
    const int64_t totalParams = parameterCount(model);
    for (auto& info : points) {
        info.bytes = 4LL * info.channels * info.height * info.width;
        info.tailMacs = totalMacs - info.headMacs;
        info.tailParams = totalParams - info.headParams;
    }
    return points;
}

} // namespace aecnn
