#pragma once
// Byte-level helpers shared by the codec's containers (bitstream.cpp: self-describing
// frames; session_layout.cpp: session layouts and layout-framed frames). Internal to
// the codec room.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <zlib.h>

#include "aecnn/codec/codec_errors.h"

namespace aecnn::codec::detail {

inline uint32_t crcOf(const uint8_t* data, size_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) { // zlib takes uInt lengths
        const uInt chunk = uInt(std::min<size_t>(size, 1u << 30));
        crc = crc32(crc, data, chunk);
        data += chunk;
        size -= chunk;
    }
    return uint32_t(crc);
}

inline void putU32(std::vector<uint8_t>& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(uint8_t(v >> (8 * i)));
}

inline void putVarint(std::vector<uint8_t>& out, uint32_t v)
{
    while (v >= 0x80) {
        out.push_back(uint8_t(v | 0x80));
        v >>= 7;
    }
    out.push_back(uint8_t(v));
}

// Bounds-checked reader over one frame; every read names the field it reads.
class Reader {
public:
    Reader(const uint8_t* data, size_t size, const char* container = "frame")
        : data_(data), size_(size), container_(container)
    {
    }
    uint8_t u8(const char* what)
    {
        need(1, what);
        return data_[pos_++];
    }
    uint32_t u32(const char* what)
    {
        need(4, what);
        uint32_t v = 0;
        for (int i = 3; i >= 0; --i)
            v = (v << 8) | data_[pos_ + size_t(i)];
        pos_ += 4;
        return v;
    }
    float f32(const char* what)
    {
        const uint32_t bits = u32(what);
        float v;
        std::memcpy(&v, &bits, 4);
        return v;
    }
    uint32_t varint(const char* what)
    {
        uint64_t v = 0;
        for (int i = 0; i < 5; ++i) {
            const uint8_t byte = u8(what);
            v |= uint64_t(byte & 0x7F) << (7 * i);
            if (!(byte & 0x80)) {
                if (i > 0 && byte == 0)
                    throw CodecError(CodecErrorCode::BadHeaderField,
                                     std::string(container_) + " field " + what + " is not minimally encoded");
                if (v > 0xFFFFFFFFu)
                    throw CodecError(CodecErrorCode::BadHeaderField, std::string(container_) + " field " + what + " exceeds 32 bits");
                return uint32_t(v);
            }
        }
        throw CodecError(CodecErrorCode::BadHeaderField, std::string(container_) + " field " + what + " is longer than 5 bytes");
    }
    size_t position() const { return pos_; }

private:
    void need(size_t bytes, const char* what) const
    {
        if (bytes > size_ - pos_)
            throw CodecError(CodecErrorCode::Truncated, std::string(container_) + " is truncated: " + what + " is incomplete");
    }

    const uint8_t* data_;
    size_t size_;
    const char* container_;
    size_t pos_ = 0;
};

} // namespace aecnn::codec::detail
