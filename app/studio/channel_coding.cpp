#include "channel_coding.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace aecnn::studio {

std::vector<double> attributedCodedBits(codec::CoderId coder, const codec::SymbolTensor& symbols, uint32_t channels,
                                        uint32_t height, uint32_t width, uint64_t payloadBytes)
{
    if (symbols.representation == codec::Representation::Float32Shuffled || channels == 0 || payloadBytes == 0)
        return {};
    const size_t plane = static_cast<size_t>(height) * width;
    const size_t bytesPerElement = static_cast<size_t>(codec::bytesPerElement(symbols.representation));
    if (plane == 0 || symbols.bytes.size() != plane * channels * bytesPerElement)
        return {};
    const bool uniform = symbols.representation == codec::Representation::Uniform;
    if (uniform && symbols.quant.ranges.empty())
        return {};
    std::vector<double> sizes;
    try {
        for (uint32_t c = 0; c < channels; ++c) {
            codec::SymbolLayout layout;
            layout.channels = 1;
            layout.height = height;
            layout.width = width;
            layout.representation = symbols.representation;
            layout.bits = symbols.quant.bits;
            if (uniform) {
                const auto& ranges = symbols.quant.ranges;
                layout.zeroPoints = {ranges[ranges.size() == channels ? c : 0].zeroPoint};
            }
            const auto first = symbols.bytes.begin() + static_cast<std::ptrdiff_t>(c * plane * bytesPerElement);
            const std::vector<uint8_t> one(first, first + static_cast<std::ptrdiff_t>(plane * bytesPerElement));
            sizes.push_back(static_cast<double>(codec::encodePayload(coder, one, layout, {}).size()));
        }
    } catch (const std::exception&) {
        return {};
    }
    const double sum = std::accumulate(sizes.begin(), sizes.end(), 0.0);
    if (sum <= 0)
        return {};
    for (double& size : sizes)
        size = 8.0 * static_cast<double>(payloadBytes) * (size / sum) / static_cast<double>(plane);
    return sizes;
}

uint8_t inferZeroPoint(const uint8_t* symbols, const float* values, size_t count, int bits)
{
    const int top = (1 << std::clamp(bits, 1, 8)) - 1;
    for (size_t i = 0; i < count; ++i)
        if (values[i] == 0.0f)
            return static_cast<uint8_t>(std::min<int>(symbols[i], top));
    for (size_t i = 1; i < count; ++i) {
        if (symbols[i] == symbols[0] || values[i] == values[0])
            continue;
        const double scale = (values[i] - values[0]) / (static_cast<double>(symbols[i]) - symbols[0]);
        const double zeroPoint = static_cast<double>(symbols[0]) - values[0] / scale;
        return static_cast<uint8_t>(std::clamp(static_cast<int>(std::lround(zeroPoint)), 0, top));
    }
    return 0;
}

} // namespace aecnn::studio
