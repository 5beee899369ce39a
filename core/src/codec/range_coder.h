#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace aecnn::codec::detail {

// Adaptive probability that the next bit is 0, in 1/32768 units. It adapts fast
// while it has seen few bits (rate ~1/(n+2)) and settles at 1/2^kSlowestShift,
// which suits both 200-element and million-element tensors.
struct AdaptiveBit {
    static constexpr int kSlowestShift = 6;
    uint16_t p = 1 << 14;
    uint8_t seen = 0;

    void update(int bit)
    {
        static constexpr uint8_t kShift[32] = {1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 5,
                                               5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, kSlowestShift};
        const int shift = kShift[seen]; // kShift[31] is the slowest rate
        seen = uint8_t(seen + (seen < 31));
        // Both updates, then a select: the bits are hard to predict, a branch would miss often.
        const uint16_t down = uint16_t(p - (p >> shift));
        const uint16_t up = uint16_t(p + ((32768 - p) >> shift));
        p = bit ? down : up;
    }
};

// Binary range coder (carry-less decoder, carry-propagating encoder with a
// cached byte, 32-bit range renormalized a byte at a time). p stays in
// [1, 32767] so both sub-ranges are never empty.
class RangeEncoder {
public:
    explicit RangeEncoder(std::vector<uint8_t>& out) : out_(out) {}

    void encode(AdaptiveBit& bit, int value)
    {
        const uint32_t bound = (range_ >> 15) * bit.p;
        low_ += value ? bound : 0;
        range_ = value ? range_ - bound : bound;
        bit.update(value);
        while (range_ < (1u << 24)) {
            range_ <<= 8;
            shiftLow();
        }
    }

    // `count` (1..8) equiprobable bits of `value` at once: for bits a model
    // cannot predict (the low mantissa bits of large magnitudes).
    void encodeBypass(uint32_t value, int count)
    {
        range_ >>= count;
        low_ += uint64_t(value) * range_;
        while (range_ < (1u << 24)) {
            range_ <<= 8;
            shiftLow();
        }
    }

    // Emits the shortest tail that decodes correctly when the decoder pads the
    // stream with zero bytes, then drops the always-zero first byte.
    void finish()
    {
        for (int k = 32; k > 0; --k) {
            const uint64_t mask = (uint64_t(1) << k) - 1;
            const uint64_t v = (low_ + mask) & ~mask;
            if (v >= low_ && v < low_ + range_) {
                low_ = v;
                break;
            }
        }
        for (int i = 0; i < 5; ++i)
            shiftLow();
        while (!out_.empty() && out_.size() > start_ + 1 && out_.back() == 0)
            out_.pop_back();
        out_.erase(out_.begin() + std::ptrdiff_t(start_)); // the cache's initial zero byte
    }

private:
    void shiftLow()
    {
        if (uint32_t(low_) < 0xFF000000u || (low_ >> 32) != 0) {
            const uint8_t carry = uint8_t(low_ >> 32);
            uint8_t pending = cache_;
            do {
                out_.push_back(uint8_t(pending + carry));
                pending = 0xFF;
            } while (--cacheSize_ != 0);
            cache_ = uint8_t(low_ >> 24);
        }
        ++cacheSize_;
        low_ = (low_ & 0x00FFFFFFu) << 8;
    }

    std::vector<uint8_t>& out_;
    size_t start_ = out_.size();
    uint64_t low_ = 0;
    uint32_t range_ = 0xFFFFFFFFu;
    uint8_t cache_ = 0;
    uint64_t cacheSize_ = 1;
};

// Reads past the end as zero bytes (the encoder strips trailing zeros), so it
// never touches memory outside [data, data + size).
class RangeDecoder {
public:
    RangeDecoder(const uint8_t* data, size_t size) : data_(data), size_(size)
    {
        for (int i = 0; i < 4; ++i)
            code_ = (code_ << 8) | next();
    }

    int decode(AdaptiveBit& bit)
    {
        const uint32_t bound = (range_ >> 15) * bit.p;
        const int value = code_ >= bound;
        code_ -= value ? bound : 0;
        range_ = value ? range_ - bound : bound;
        bit.update(value);
        while (range_ < (1u << 24)) {
            range_ <<= 8;
            code_ = (code_ << 8) | next();
        }
        return value;
    }

    uint32_t decodeBypass(int count)
    {
        range_ >>= count;
        // A corrupt stream can leave code_ >= the old range; clamp so the state stays bounded.
        const uint32_t value = std::min(code_ / range_, (1u << count) - 1);
        code_ -= value * range_;
        while (range_ < (1u << 24)) {
            range_ <<= 8;
            code_ = (code_ << 8) | next();
        }
        return value;
    }

    // A valid stream is read to its end (the encoder never emits bytes the
    // decoder does not need), so unread bytes mean the shape is wrong.
    bool consumedAll() const { return pos_ >= size_; }

private:
    uint32_t next()
    {
        const uint32_t byte = pos_ < size_ ? data_[pos_] : 0u;
        ++pos_;
        return byte;
    }

    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
    uint32_t code_ = 0;
    uint32_t range_ = 0xFFFFFFFFu;
};

} // namespace aecnn::codec::detail
