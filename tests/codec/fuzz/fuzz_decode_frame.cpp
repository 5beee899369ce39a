// libFuzzer target for the feature-frame decoder (see tests/codec/standalone).
// Each input is decoded twice: as is (exercises the header checks and the
// CRC), and with its CRC recomputed so that the fuzzer also reaches the field
// validation and every payload decoder behind the CRC.
#include <cstdint>
#include <cstring>
#include <vector>

#include <zlib.h>

#include "aecnn/codec/bitstream.h"
#include "aecnn/error.h"

namespace {

void decodeOrReject(const uint8_t* data, size_t size)
{
    aecnn::codec::DecodeLimits limits;
    limits.maxElements = 1 << 20; // keeps each execution fast; the checks are the same
    try {
        const auto frame = aecnn::codec::decodeFrame(data, size, limits);
        if (frame.tensor.values.size() != frame.tensor.elementCount())
            __builtin_trap();
    } catch (const aecnn::Error&) {
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    decodeOrReject(data, size);
    if (size >= 4) {
        std::vector<uint8_t> sealed(data, data + size);
        const uint32_t crc = uint32_t(crc32(0L, sealed.data(), uInt(size - 4)));
        for (int i = 0; i < 4; ++i)
            sealed[size - 4 + size_t(i)] = uint8_t(crc >> (8 * i));
        decodeOrReject(sealed.data(), sealed.size());
    }
    return 0;
}
