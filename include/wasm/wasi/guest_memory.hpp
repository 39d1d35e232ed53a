#pragma once
// GuestMemory: the calling instance's linear memory as WASI sees it. Every guest pointer and
// length goes through here and is checked against the memory's current size; one that does
// not fit fails the call with EFAULT (it never reaches the host as a raw pointer).
#include <climits>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <sys/uio.h>
#include <type_traits>
#include <vector>

#include "wasm/wasi/errors.hpp"

namespace wasm::wasi {

class GuestMemory {
 public:
  explicit GuestMemory(std::span<uint8_t> bytes) : bytes_(bytes) {}

  // The guest bytes [ptr, ptr + len), or EFAULT.
  uint8_t* at(uint32_t ptr, uint64_t len) const {
    if (uint64_t(ptr) + len > bytes_.size()) fail(ERRNO_FAULT);
    return bytes_.data() + ptr;
  }

  // Little-endian scalars (x86-64 hosts only, like the JIT, so a memcpy is the conversion).
  template <typename V>
  V load(uint32_t ptr) const {
    static_assert(std::is_trivially_copyable_v<V>);
    V v;
    std::memcpy(&v, at(ptr, sizeof v), sizeof v);
    return v;
  }
  template <typename V>
  void store(uint32_t ptr, V v) const {
    static_assert(std::is_trivially_copyable_v<V>);
    std::memcpy(at(ptr, sizeof v), &v, sizeof v);
  }

  void write(uint32_t ptr, std::string_view bytes) const {
    if (!bytes.empty()) std::memcpy(at(ptr, bytes.size()), bytes.data(), bytes.size());
  }

  // A guest string (no terminator in WASI); an embedded NUL could truncate it on its way to
  // the host, so it is refused.
  std::string path(uint32_t ptr, uint32_t len) const {
    std::string s(reinterpret_cast<const char*>(at(ptr, len)), len);
    if (s.find('\0') != std::string::npos) fail(ERRNO_ILSEQ);
    return s;
  }

  // A guest iovec array as host iovecs pointing into the memory, each one checked. At most
  // IOV_MAX of them are used: a shorter read or write is allowed by the ABI.
  std::vector<iovec> iovecs(uint32_t iovs, uint32_t count) const {
    at(iovs, uint64_t(count) * layout::IOVEC_SIZE);
    if (count > IOV_MAX) count = IOV_MAX;
    std::vector<iovec> out(count);
    for (uint32_t i = 0; i < count; ++i) {
      uint32_t buf = load<uint32_t>(iovs + i * layout::IOVEC_SIZE);
      uint32_t len = load<uint32_t>(iovs + i * layout::IOVEC_SIZE + 4);
      out[i] = {at(buf, len), len};
    }
    return out;
  }

  size_t size() const { return bytes_.size(); }

 private:
  std::span<uint8_t> bytes_;
};

}  // namespace wasm::wasi
