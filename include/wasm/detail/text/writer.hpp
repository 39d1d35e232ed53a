#pragma once
// A growing byte buffer with the binary format's encodings (LEB128, names, vectors).
#include <cstdint>
#include <string_view>
#include <vector>

namespace wasm::detail::text {

struct Bytes {
  std::vector<uint8_t> v;

  void u8(uint8_t b) { v.push_back(b); }
  void u32(uint64_t x) {
    do {
      uint8_t b = x & 0x7F;
      x >>= 7;
      if (x) b |= 0x80;
      v.push_back(b);
    } while (x);
  }
  void s64(int64_t x) {
    while (true) {
      uint8_t b = x & 0x7F;
      x >>= 7;  // arithmetic shift
      bool done = (x == 0 && !(b & 0x40)) || (x == -1 && (b & 0x40));
      if (!done) b |= 0x80;
      v.push_back(b);
      if (done) return;
    }
  }
  void fixed(uint64_t bits, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) v.push_back(uint8_t(bits >> (8 * i)));
  }
  void bytes(const void* p, size_t n) {
    auto* b = static_cast<const uint8_t*>(p);
    v.insert(v.end(), b, b + n);
  }
  void append(const Bytes& o) { v.insert(v.end(), o.v.begin(), o.v.end()); }
  void name(std::string_view s) {
    u32(s.size());
    bytes(s.data(), s.size());
  }
  // A length-prefixed copy of `o` (section or function body).
  void sized(const Bytes& o) {
    u32(o.v.size());
    append(o);
  }
  size_t size() const { return v.size(); }
  void clear() { v.clear(); }
};

}  // namespace wasm::detail::text
