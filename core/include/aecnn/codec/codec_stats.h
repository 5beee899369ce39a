#pragma once

#include <cstdint>
#include <vector>

#include "aecnn/codec/feature_tensor.h"
#include "aecnn/codec/quantizer.h"

namespace aecnn::codec {

// Entropy statistics of one transmitted tensor (plain values, for CLI and widgets).
struct SymbolStats {
    uint64_t elements = 0;
    // Empirical order-0 entropy of the transmitted symbols in bits/element: the
    // n-bit integers for Uniform, the 16-/32-bit patterns for float modes.
    double entropyBitsPerElement = 0.0;
    std::vector<double> channelEntropyBitsPerElement; // same, per kept channel
    double zeroFraction = 0.0; // elements whose value is exactly 0 (symbol == zero point)
    // Uniform: count of each symbol 0..2^bits-1. Float modes: 64 equal-width bins
    // between histogramMin and histogramMax of the finite values.
    std::vector<uint64_t> histogram;
    double histogramMin = 0.0;
    double histogramMax = 0.0;
};

SymbolStats computeSymbolStats(const FeatureTensor& tensor, const SymbolTensor& symbols);

// How well a coder did on that tensor.
struct CodingStats {
    double codedBitsPerElement = 0.0;  // payload bits / elements
    double frameBitsPerElement = 0.0;  // whole frame (header + CRC included) / elements
    uint64_t payloadBytes = 0;
    uint64_t frameBytes = 0;
    // Unpruned float32 tensor (C x H x W x 32 bits) over the coded bits: V x 32 / bits.
    double compressionRatio = 0.0;      // against the whole frame
    double payloadCompressionRatio = 0.0; // against the payload only
};

CodingStats computeCodingStats(const FeatureTensor& tensor, uint64_t payloadBytes, uint64_t frameBytes);

// Order-0 entropy (bits/symbol) of a histogram; 0 for an empty one.
double entropyOfCounts(const std::vector<uint64_t>& counts);

} // namespace aecnn::codec
