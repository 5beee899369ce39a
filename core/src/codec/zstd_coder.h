#pragma once

#include <cstdint>
#include <vector>

#include "aecnn/codec/entropy_coder.h"

namespace aecnn::codec::detail {

// The one place that talks to zstd: every zstd error becomes an aecnn::Error
// carrying ZSTD_getErrorName.
std::vector<uint8_t> zstdCompress(const std::vector<uint8_t>& input, bool entropyOnly, int level,
                                  const ZstdDictionary* dictionary, CoderWorkspace* workspace);
// Decompresses a single frame that must expand to exactly expectedSize bytes.
std::vector<uint8_t> zstdDecompress(const uint8_t* data, size_t size, size_t expectedSize,
                                    const ZstdDictionary* dictionary, CoderWorkspace* workspace);

} // namespace aecnn::codec::detail
