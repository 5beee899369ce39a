#include "aecnn/datasets/fashion_mnist.h"

#include <cstdlib>
#include <cstring>

#include <torch/torch.h>
#include <zlib.h>

#include "aecnn/datasets/dataset_error.h"

namespace aecnn::datasets {
namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr size_t kMaxFileBytes = size_t(1) << 31;

uint32_t readBigEndian(const std::string& bytes, size_t offset)
{
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + offset);
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

const char* kClassNames[] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                             "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

} // namespace

std::string readMaybeGzipped(const std::string& path)
{
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        throw DatasetError("cannot open " + path + ": " + std::strerror(errno) +
                           " (install dataset-fashion-mnist or pass fashion-mnist:DIR)");
    std::string out;
    char buffer[1 << 16];
    while (true) {
        const int n = gzread(file, buffer, sizeof(buffer));
        if (n < 0) {
            int code = 0;
            const std::string message = gzerror(file, &code);
            gzclose(file);
            throw DatasetError(path + " is corrupt or truncated (" + message + "); reinstall the dataset");
        }
        if (n == 0)
            break;
        out.append(buffer, static_cast<size_t>(n));
        if (out.size() > kMaxFileBytes) {
            gzclose(file);
            throw DatasetError(path + " is larger than 2 GiB; not an IDX file of a supported size");
        }
    }
    const int rc = gzclose(file);
    if (rc != Z_OK)
        throw DatasetError(path + " is corrupt or truncated (gzip stream did not end cleanly)");
    return out;
}

torch::Tensor parseIdxImages(const std::string& bytes, const std::string& source)
{
    if (bytes.size() < 16)
        throw DatasetError(source + ": too short for an IDX3 image header (truncated?)");
    if (readBigEndian(bytes, 0) != kImagesMagic)
        throw DatasetError(source + ": bad magic number; expected an IDX3 uint8 image file (0x00000803)");
    const uint32_t count = readBigEndian(bytes, 4);
    const uint32_t rows = readBigEndian(bytes, 8);
    const uint32_t cols = readBigEndian(bytes, 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
        throw DatasetError(source + ": implausible image size " + std::to_string(rows) + "x" + std::to_string(cols));
    const uint64_t expected = 16 + uint64_t(count) * rows * cols;
    if (bytes.size() != expected)
        throw DatasetError(source + ": header promises " + std::to_string(count) + " images of " +
                           std::to_string(rows) + "x" + std::to_string(cols) + " (" + std::to_string(expected) +
                           " bytes) but the file has " + std::to_string(bytes.size()) + " bytes (truncated or corrupt)");
    auto images = torch::empty({int64_t(count), 1, int64_t(rows), int64_t(cols)}, torch::kUInt8);
    std::memcpy(images.data_ptr(), bytes.data() + 16, expected - 16);
    return images;
}

torch::Tensor parseIdxLabels(const std::string& bytes, const std::string& source)
{
    if (bytes.size() < 8)
        throw DatasetError(source + ": too short for an IDX1 label header (truncated?)");
    if (readBigEndian(bytes, 0) != kLabelsMagic)
        throw DatasetError(source + ": bad magic number; expected an IDX1 uint8 label file (0x00000801)");
    const uint32_t count = readBigEndian(bytes, 4);
    if (bytes.size() != 8 + uint64_t(count))
        throw DatasetError(source + ": header promises " + std::to_string(count) + " labels but the file has " +
                           std::to_string(bytes.size() - 8) + " (truncated or corrupt)");
    auto raw = torch::empty({int64_t(count)}, torch::kUInt8);
    std::memcpy(raw.data_ptr(), bytes.data() + 8, count);
    return raw.to(torch::kInt64);
}

std::string resolveFashionMnistDir(const std::string& dir)
{
    if (!dir.empty())
        return dir;
    if (const char* env = std::getenv(kFashionMnistDirEnv); env && *env)
        return env;
    return kDefaultFashionMnistDir;
}

DataSplit loadFashionMnist(const std::string& dirArgument)
{
    const std::string dir = resolveFashionMnistDir(dirArgument);
    auto loadPair = [&](const std::string& prefix) {
        const std::string imagesPath = dir + "/" + prefix + "-images-idx3-ubyte.gz";
        const std::string labelsPath = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
        ImageSet set;
        set.images = parseIdxImages(readMaybeGzipped(imagesPath), imagesPath);
        set.labels = parseIdxLabels(readMaybeGzipped(labelsPath), labelsPath);
        if (set.images.size(0) != set.labels.size(0))
            throw DatasetError(imagesPath + " and " + labelsPath + " hold different numbers of items");
        if (set.labels.numel() > 0 && set.labels.max().item<int64_t>() >= 10)
            throw DatasetError(labelsPath + ": label out of range 0..9");
        set.classNames.assign(std::begin(kClassNames), std::end(kClassNames));
        // Mean and std of the Fashion-MNIST training images.
        set.normalization = {{0.2860f}, {0.3530f}};
        return set;
    };
    return {loadPair("train"), loadPair("t10k")};
}

} // namespace aecnn::datasets
