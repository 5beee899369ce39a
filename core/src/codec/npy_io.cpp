#include "aecnn/codec/npy_io.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "aecnn/error.h"

namespace aecnn::codec {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr uint64_t kMaxElements = uint64_t(1) << 31;

std::string headerValue(const std::string& header, const std::string& key, const std::string& pattern)
{
    std::smatch m;
    if (!std::regex_search(header, m, std::regex("'" + key + "'\\s*:\\s*(" + pattern + ")")))
        return {};
    return m[1].str();
}

} // namespace

NpyArray readNpy(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open " + path);
    char magic[6];
    uint8_t version[2];
    in.read(magic, 6);
    in.read(reinterpret_cast<char*>(version), 2);
    if (!in || std::memcmp(magic, kMagic, 6) != 0)
        throw Error(path + " is not a .npy file");
    uint32_t headerLength = 0;
    if (version[0] == 1) {
        uint8_t b[2];
        in.read(reinterpret_cast<char*>(b), 2);
        headerLength = uint32_t(b[0] | (b[1] << 8));
    } else if (version[0] == 2 || version[0] == 3) {
        uint8_t b[4];
        in.read(reinterpret_cast<char*>(b), 4);
        headerLength = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
    } else {
        throw Error(path + " uses unsupported .npy version " + std::to_string(version[0]));
    }
    if (!in || headerLength > (1u << 20))
        throw Error(path + " has an unreadable .npy header");
    std::string header(headerLength, '\0');
    in.read(header.data(), headerLength);
    if (!in)
        throw Error(path + " is truncated in its header");
    const std::string descr = headerValue(header, "descr", "'[^']*'");
    if (headerValue(header, "fortran_order", "True|False") != "False")
        throw Error(path + ": only C-ordered arrays are supported (use numpy.ascontiguousarray)");
    const bool isF8 = descr == "'<f8'";
    if (descr != "'<f4'" && !isF8)
        throw Error(path + ": dtype " + descr + " is not supported; save float32 ('<f4') or float64 ('<f8')");
    const std::string shapeText = headerValue(header, "shape", "\\([^)]*\\)");
    if (shapeText.empty())
        throw Error(path + ": .npy header has no shape");
    NpyArray array;
    uint64_t count = 1;
    std::regex number("[0-9]+");
    for (auto it = std::sregex_iterator(shapeText.begin(), shapeText.end(), number); it != std::sregex_iterator();
         ++it) {
        const uint64_t dim = std::stoull(it->str());
        array.shape.push_back(dim);
        count *= dim;
        if (count > kMaxElements)
            throw Error(path + ": array is too large");
    }
    array.values.resize(count);
    if (isF8) {
        std::vector<double> raw(count);
        in.read(reinterpret_cast<char*>(raw.data()), std::streamsize(count * 8));
        for (size_t i = 0; i < count; ++i)
            array.values[i] = float(raw[i]);
    } else {
        in.read(reinterpret_cast<char*>(array.values.data()), std::streamsize(count * 4));
    }
    if (!in)
        throw Error(path + " is truncated: expected " + std::to_string(count) + " values");
    return array;
}

void writeNpy(const std::string& path, const NpyArray& array)
{
    uint64_t count = 1;
    std::ostringstream shape;
    shape << "(";
    for (size_t i = 0; i < array.shape.size(); ++i) {
        shape << array.shape[i] << (array.shape.size() == 1 ? "," : i + 1 < array.shape.size() ? ", " : "");
        count *= array.shape[i];
    }
    shape << ")";
    if (count != array.values.size())
        throw Error("cannot write " + path + ": shape does not match the value count");
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape.str() + ", }";
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error("cannot write " + temporary);
        out.write(kMagic, 6);
        const char version[2] = {1, 0};
        out.write(version, 2);
        const uint16_t length = uint16_t(header.size());
        const char lengthBytes[2] = {char(length & 0xFF), char(length >> 8)};
        out.write(lengthBytes, 2);
        out.write(header.data(), std::streamsize(header.size()));
        out.write(reinterpret_cast<const char*>(array.values.data()), std::streamsize(count * 4));
        if (!out.flush())
            throw Error("writing " + temporary + " failed (disk full?)");
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
        throw Error("cannot rename " + temporary + " to " + path);
}

} // namespace aecnn::codec
