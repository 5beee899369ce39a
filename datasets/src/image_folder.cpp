#include "aecnn/datasets/image_folder.h"

#include <algorithm>
#include <numeric>
#include <filesystem>
#include <iostream>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "aecnn/datasets/dataset_error.h"

namespace aecnn::datasets {
namespace fs = std::filesystem;
namespace {

// Resize so the short side fits, then centre-crop to height x width.
cv::Mat resizeAndCrop(const cv::Mat& image, int height, int width)
{
    const double scale = std::max(double(height) / image.rows, double(width) / image.cols);
    cv::Mat resized;
    cv::resize(image, resized, cv::Size(std::max(width, int(std::lround(image.cols * scale))),
                                        std::max(height, int(std::lround(image.rows * scale)))),
               0, 0, cv::INTER_AREA);
    const int x = (resized.cols - width) / 2;
    const int y = (resized.rows - height) / 2;
    return resized(cv::Rect(x, y, width, height)).clone();
}

} // namespace

DataSplit loadImageFolder(const std::string& dir, const FolderOptions& options, FolderLoadReport* report)
{
    if (options.channels != 1 && options.channels != 3)
        throw DatasetError("image folder: channels must be 1 or 3");
    if (options.height < 1 || options.width < 1)
        throw DatasetError("image folder: invalid target size");
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw DatasetError("image folder '" + dir + "' does not exist or is not a directory");

    std::vector<fs::path> classDirs;
    FolderLoadReport counts;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!entry.is_directory())
            continue;
        const auto& excluded = options.excludedClasses;
        if (std::find(excluded.begin(), excluded.end(), entry.path().filename().string()) != excluded.end())
            counts.excludedClasses.push_back(entry.path().filename().string());
        else
            classDirs.push_back(entry.path());
    }
    std::sort(classDirs.begin(), classDirs.end());
    std::sort(counts.excludedClasses.begin(), counts.excludedClasses.end());
    for (const auto& name : counts.excludedClasses)
        std::cerr << "note: image folder " << dir << ": sub-folder '" << name
                  << "' is not a class (Caltech-101's clutter images) and is left out\n";
    if (classDirs.empty())
        throw DatasetError("image folder '" + dir + "' has no class sub-folders (expected DIR/<class>/<image>)");

    std::vector<torch::Tensor> trainImages, testImages;
    std::vector<int64_t> trainLabels, testLabels;
    std::vector<std::string> classNames;
    std::mt19937_64 rng(options.seed);
    for (size_t label = 0; label < classDirs.size(); ++label) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::directory_iterator(classDirs[label], ec))
            if (entry.is_regular_file())
                files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        std::vector<torch::Tensor> images;
        for (const auto& file : files) {
            cv::Mat image = cv::imread(file.string(), options.channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
            if (image.empty()) {
                ++counts.skipped;
                continue;
            }
            if (options.channels == 3)
                cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
            image = resizeAndCrop(image, options.height, options.width);
            auto tensor = torch::from_blob(image.data, {options.height, options.width, options.channels}, torch::kUInt8)
                              .permute({2, 0, 1})
                              .contiguous();
            images.push_back(tensor);
        }
        const std::string name = classDirs[label].filename().string();
        if (images.empty())
            throw DatasetError("image folder class '" + name + "' has no readable images; remove the folder or add images");
        classNames.push_back(name);
        std::vector<size_t> order(images.size());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        size_t testCount = size_t(std::lround(options.testFraction * double(images.size())));
        if (images.size() >= 2)
            testCount = std::clamp<size_t>(testCount, 1, images.size() - 1);
        else
            testCount = 0;
        for (size_t i = 0; i < order.size(); ++i) {
            const bool isTest = i < testCount;
            (isTest ? testImages : trainImages).push_back(images[order[i]]);
            (isTest ? testLabels : trainLabels).push_back(int64_t(label));
        }
        counts.loaded += int64_t(images.size());
    }
    if (counts.skipped > 0)
        std::cerr << "warning: skipped " << counts.skipped << " unreadable file(s) in " << dir << "\n";
    if (report)
        *report = counts;

    const Normalization norm = options.channels == 3 ? Normalization::imageNet() : Normalization{{0.5f}, {0.5f}};
    auto makeSet = [&](std::vector<torch::Tensor>& images, std::vector<int64_t>& labels) {
        ImageSet set;
        set.images = images.empty() ? torch::empty({0, options.channels, options.height, options.width}, torch::kUInt8)
                                    : torch::stack(images);
        set.labels = torch::tensor(labels, torch::kInt64);
        set.classNames = classNames;
        set.normalization = norm;
        return set;
    };
    return {makeSet(trainImages, trainLabels), makeSet(testImages, testLabels)};
}

} // namespace aecnn::datasets
