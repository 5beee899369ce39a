#include "input_images.h"

namespace aecnn::studio {

QImage InputImages::image(long long index) const
{
    if (empty() || index < 0 || index >= count || (channels != 1 && channels != 3))
        return {};
    const size_t plane = static_cast<size_t>(height) * width;
    const uint8_t* first = pixels->data() + static_cast<size_t>(index) * channels * plane;
    if (channels == 1) {
        QImage out(width, height, QImage::Format_Grayscale8);
        for (int y = 0; y < height; ++y)
            std::copy(first + static_cast<size_t>(y) * width, first + static_cast<size_t>(y + 1) * width, out.scanLine(y));
        return out;
    }
    QImage out(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = 0; x < width; ++x) {
            const size_t at = static_cast<size_t>(y) * width + x;
            line[x] = qRgb(first[at], first[plane + at], first[2 * plane + at]); // planes in RGB order
        }
    }
    return out;
}

int InputImages::label(long long index) const
{
    return index >= 0 && index < static_cast<long long>(labels.size()) ? labels[static_cast<size_t>(index)] : -1;
}

} // namespace aecnn::studio
