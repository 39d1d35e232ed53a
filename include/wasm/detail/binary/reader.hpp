#pragma once
// A bounds-checked cursor over module bytes with the exact LEB128 rules of the binary format.
// It never throws and is usable in constant expressions: the first failure is recorded
// (a static message and the byte offset) and every later read returns zero.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace wasm::detail {

class Reader {
 public:
  constexpr Reader() = default;
  constexpr explicit Reader(std::span<const uint8_t> bytes, size_t base_offset = 0)
      : bytes_(bytes), base_(base_offset) {}

  constexpr bool ok() const { return error_ == nullptr; }
  constexpr bool at_end() const { return pos_ >= bytes_.size(); }
  constexpr size_t remaining() const { return ok() ? bytes_.size() - pos_ : 0; }
  // Offset of the cursor from the start of the module.
  constexpr size_t offset() const { return base_ + pos_; }
  constexpr size_t position() const { return pos_; }
  constexpr const char* error() const { return error_; }
  constexpr size_t error_offset() const { return error_offset_; }

  // Records the first error at the current position; later errors are ignored.
  constexpr void fail(const char* message) { fail_at(offset(), message); }
  constexpr void fail_at(size_t offset, const char* message) {
    if (error_) return;
    error_ = message;
    error_offset_ = offset;
    pos_ = bytes_.size();
  }

  constexpr uint8_t peek_u8() {
    if (!ok() || pos_ >= bytes_.size()) return 0;
    return bytes_[pos_];
  }
  constexpr uint8_t u8() {
    if (!ok()) return 0;
    if (pos_ >= bytes_.size()) {
      fail("unexpected end");
      return 0;
    }
    return bytes_[pos_++];
  }
  constexpr uint32_t fixed_u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t(u8()) << (8 * i);
    return v;
  }
  constexpr uint64_t fixed_u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(u8()) << (8 * i);
    return v;
  }

  constexpr uint32_t u32() { return uint32_t(leb_unsigned(32)); }
  constexpr uint64_t u64() { return leb_unsigned(64); }
  constexpr int32_t s32() { return int32_t(leb_signed(32)); }
  constexpr int64_t s64() { return leb_signed(64); }
  // A 33-bit signed LEB128 (block types).
  constexpr int64_t s33() { return leb_signed(33); }

  constexpr std::span<const uint8_t> bytes(size_t n) {
    if (!ok()) return {};
    if (n > bytes_.size() - pos_) {
      fail("unexpected end");
      return {};
    }
    auto s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  constexpr void skip(size_t n) { (void)bytes(n); }

  // A sub-reader over the next n bytes (sections, function bodies); the cursor moves past them.
  constexpr Reader sub(size_t n, const char* overrun_message = "unexpected end") {
    size_t start = offset();
    if (ok() && n > bytes_.size() - pos_) {
      fail(overrun_message);
      return Reader();
    }
    return Reader(bytes(n), start);
  }

  // The whole underlying span and the cursor, for callers that decode in place (function bodies).
  constexpr std::span<const uint8_t> data() const { return bytes_; }
  constexpr void seek(size_t pos) { pos_ = pos; }

 private:
  // The binary format allows ceil(N/7) bytes; in the last byte the bits beyond N must be zero
  // (unsigned) or a sign extension of bit N-1 (signed).
  constexpr uint64_t leb_unsigned(unsigned bits) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0; i < max_bytes; ++i) {
      if (!ok()) return 0;
      if (pos_ >= bytes_.size()) {
        fail("unexpected end");
        return 0;
      }
      uint8_t byte = bytes_[pos_++];
      if (i == max_bytes - 1) {
        unsigned used = bits - shift;  // bits still allowed in this byte
        if (byte & 0x80) {
          fail_at(offset() - 1, "integer representation too long");
          return 0;
        }
        if (used < 7 && (byte >> used) != 0) {
          fail_at(offset() - 1, "integer too large");
          return 0;
        }
      }
      result |= uint64_t(byte & 0x7F) << shift;
      shift += 7;
      if (!(byte & 0x80)) return result;
    }
    return result;
  }

  constexpr int64_t leb_signed(unsigned bits) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0; i < max_bytes; ++i) {
      if (!ok()) return 0;
      if (pos_ >= bytes_.size()) {
        fail("unexpected end");
        return 0;
      }
      uint8_t byte = bytes_[pos_++];
      if (i == max_bytes - 1) {
        if (byte & 0x80) {
          fail_at(offset() - 1, "integer representation too long");
          return 0;
        }
        unsigned used = bits - shift;  // value bits in this byte, including the sign bit
        if (used < 7) {
          // Bits [used-1, 6] must all equal the sign bit.
          uint8_t high = uint8_t(byte >> (used - 1)) & uint8_t(0x7F >> (used - 1));
          uint8_t all = uint8_t(0x7F >> (used - 1));
          if (high != 0 && high != all) {
            fail_at(offset() - 1, "integer too large");
            return 0;
          }
        }
      }
      result |= uint64_t(byte & 0x7F) << shift;
      shift += 7;
      if (!(byte & 0x80)) {
        if (shift < 64 && (byte & 0x40)) result |= ~uint64_t(0) << shift;
        return int64_t(result);
      }
    }
    return int64_t(result);
  }

  std::span<const uint8_t> bytes_;
  size_t base_ = 0;
  size_t pos_ = 0;
  const char* error_ = nullptr;
  size_t error_offset_ = 0;
};

}  // namespace wasm::detail
