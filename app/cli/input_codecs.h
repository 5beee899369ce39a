#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aecnn::cli {

// A standard image codec applied to the network's input, through OpenCV's
// cv::imencode / cv::imdecode: the baseline that feature compression is
// compared with (send the image instead of a feature map).
struct InputCodec {
    std::string name;        // "png", "webp-lossless", "jpeg"
    int quality = -1;        // JPEG quality 1..100; -1 when the codec has none
    bool lossless = false;   // decoding gives back the exact pixels
    std::string extension;   // what cv::imencode is given (".png", ".webp", ".jpg")
    std::vector<int> params; // cv::imencode parameters (cv::IMWRITE_* id, value, ...)

    std::string label() const;      // "png", "webp-lossless", "jpeg-q75"
    std::string paramsText() const; // e.g. "IMWRITE_JPEG_QUALITY=75"
};

// PNG at compression level 9, lossless WebP (IMWRITE_WEBP_QUALITY 101 > 100),
// JPEG at each of `jpegQualities` (each 1..100), in that order.
std::vector<InputCodec> baselineInputCodecs(const std::vector<int>& jpegQualities);

// One image, uint8 channel-major (C x H x W, C = 1 or 3, RGB order for 3) as
// the datasets hold it. Throws aecnn::Error when OpenCV cannot write the format.
std::vector<uint8_t> encodeImage(const uint8_t* chw, int channels, int height, int width, const InputCodec& codec);
// Decodes into `chw` (C x H x W); throws aecnn::Error when the bytes do not
// decode to an image of exactly that shape.
void decodeImage(const std::vector<uint8_t>& bytes, int channels, int height, int width, uint8_t* chw);

} // namespace aecnn::cli
