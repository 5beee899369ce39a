#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace aecnn::codec {

// A C-ordered float32 array as stored in NumPy's .npy format (version 1.0/2.0).
struct NpyArray {
    std::vector<uint64_t> shape;
    std::vector<float> values;
};

// Reads '<f4' (float32) or '<f8' (converted to float32) C-ordered arrays;
// throws aecnn::Error naming the file and the problem otherwise.
NpyArray readNpy(const std::string& path);
// Writes a '<f4' array atomically (temporary file + rename).
void writeNpy(const std::string& path, const NpyArray& array);

} // namespace aecnn::codec
