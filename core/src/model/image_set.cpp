#include "aecnn/model/image_set.h"

#include <torch/torch.h>

namespace aecnn {

Normalization Normalization::identity(int channels)
{
    return {std::vector<float>(static_cast<size_t>(channels), 0.0f), std::vector<float>(static_cast<size_t>(channels), 1.0f)};
}

Normalization Normalization::imageNet()
{
    return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
}

torch::Tensor ImageSet::normalizedBatch(const torch::Tensor& indices) const
{
    auto batch = images.index_select(0, indices).to(torch::kFloat32).div_(255.0f);
    const auto c = batch.size(1);
    auto mean = torch::tensor(normalization.mean).view({1, c, 1, 1});
    auto stdev = torch::tensor(normalization.std).view({1, c, 1, 1});
    return batch.sub_(mean).div_(stdev);
}

ImageSet ImageSet::subset(const torch::Tensor& indices) const
{
    return {images.index_select(0, indices), labels.index_select(0, indices), classNames, normalization};
}

ImageSet ImageSet::head(int64_t count) const
{
    count = std::min(count, size());
    return {images.slice(0, 0, count), labels.slice(0, 0, count), classNames, normalization};
}

} // namespace aecnn
