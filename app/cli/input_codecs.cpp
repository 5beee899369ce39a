#include "input_codecs.h"

#include <cstring>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "aecnn/error.h"

namespace aecnn::cli {
namespace {

std::string imwriteParamName(int id)
{
    switch (id) {
    case cv::IMWRITE_PNG_COMPRESSION:
        return "IMWRITE_PNG_COMPRESSION";
    case cv::IMWRITE_WEBP_QUALITY:
        return "IMWRITE_WEBP_QUALITY";
    case cv::IMWRITE_JPEG_QUALITY:
        return "IMWRITE_JPEG_QUALITY";
    }
    return std::to_string(id);
}

void checkImageShape(int channels, int height, int width)
{
    if (channels != 1 && channels != 3)
        throw Error("input codecs need images of 1 or 3 channels, got " + std::to_string(channels));
    if (height <= 0 || width <= 0)
        throw Error("input codecs need a non-empty image");
}

} // namespace

std::string InputCodec::label() const
{
    return quality >= 0 ? name + "-q" + std::to_string(quality) : name;
}

std::string InputCodec::paramsText() const
{
    std::string text;
    for (size_t i = 0; i + 1 < params.size(); i += 2)
        text += (text.empty() ? "" : " ") + imwriteParamName(params[i]) + "=" + std::to_string(params[i + 1]);
    return text;
}

std::vector<InputCodec> baselineInputCodecs(const std::vector<int>& jpegQualities)
{
    std::vector<InputCodec> codecs{{"png", -1, true, ".png", {cv::IMWRITE_PNG_COMPRESSION, 9}},
                                   {"webp-lossless", -1, true, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}}};
    for (int q : jpegQualities) {
        if (q < 1 || q > 100)
            throw Error("JPEG quality must be 1..100, got " + std::to_string(q));
        codecs.push_back({"jpeg", q, false, ".jpg", {cv::IMWRITE_JPEG_QUALITY, q}});
    }
    return codecs;
}

std::vector<uint8_t> encodeImage(const uint8_t* chw, int channels, int height, int width, const InputCodec& codec)
{
    checkImageShape(channels, height, width);
    if (!cv::haveImageWriter(codec.extension))
        throw Error("this OpenCV build cannot write " + codec.extension + " images (" + codec.label() +
                    "); install an OpenCV with that codec");
    const size_t plane = size_t(height) * size_t(width);
    cv::Mat image;
    if (channels == 1) {
        image = cv::Mat(height, width, CV_8UC1);
        std::memcpy(image.data, chw, plane);
    } else { // planes R, G, B -> interleaved BGR, OpenCV's order
        std::vector<cv::Mat> planes;
        for (int c = 2; c >= 0; --c)
            planes.emplace_back(height, width, CV_8UC1, const_cast<uint8_t*>(chw + size_t(c) * plane));
        cv::merge(planes, image);
    }
    std::vector<uint8_t> bytes;
    if (!cv::imencode(codec.extension, image, bytes, codec.params))
        throw Error("OpenCV could not encode a " + std::to_string(width) + "x" + std::to_string(height) + " image as " +
                    codec.label());
    return bytes;
}

void decodeImage(const std::vector<uint8_t>& bytes, int channels, int height, int width, uint8_t* chw)
{
    checkImageShape(channels, height, width);
    const cv::Mat decoded = cv::imdecode(bytes, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    if (decoded.empty() || decoded.rows != height || decoded.cols != width || decoded.channels() != channels ||
        decoded.depth() != CV_8U)
        throw Error("an encoded image did not decode to " + std::to_string(channels) + "x" + std::to_string(height) +
                    "x" + std::to_string(width) + " uint8 pixels");
    const size_t plane = size_t(height) * size_t(width);
    if (channels == 1) {
        const cv::Mat continuous = decoded.isContinuous() ? decoded : decoded.clone();
        std::memcpy(chw, continuous.data, plane);
        return;
    }
    std::vector<cv::Mat> planes;
    cv::split(decoded, planes); // B, G, R
    for (int c = 0; c < 3; ++c) {
        const cv::Mat p = planes[size_t(2 - c)].isContinuous() ? planes[size_t(2 - c)] : planes[size_t(2 - c)].clone();
        std::memcpy(chw + size_t(c) * plane, p.data, plane);
    }
}

} // namespace aecnn::cli
