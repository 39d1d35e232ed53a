#pragma once
// CodeMemory: executable memory that is never writable and executable at once. Code is
// assembled elsewhere (an Xbyak buffer), copied into a fresh read-write mapping, then the
// mapping is made read+execute for the rest of its life.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace wasm::detail {

class CodeMemory {
 public:
  CodeMemory() = default;
  CodeMemory(const CodeMemory&) = delete;
  CodeMemory& operator=(const CodeMemory&) = delete;
  CodeMemory(CodeMemory&& other) noexcept { *this = std::move(other); }
  CodeMemory& operator=(CodeMemory&& other) noexcept {
    std::swap(base_, other.base_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
    return *this;
  }
  ~CodeMemory() {
    if (base_) munmap(base_, mapped_);
  }

  // Maps, copies and seals `code`. Returns an empty CodeMemory if the system refuses.
  static CodeMemory publish(std::span<const uint8_t> code) {
    CodeMemory cm;
    size_t page = size_t(sysconf(_SC_PAGESIZE));
    size_t mapped = (std::max<size_t>(code.size(), 1) + page - 1) / page * page;
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return cm;
    if (!code.empty()) std::memcpy(p, code.data(), code.size());
    if (mprotect(p, mapped, PROT_READ | PROT_EXEC) != 0) {
      munmap(p, mapped);
      return cm;
    }
    cm.base_ = static_cast<uint8_t*>(p);
    cm.size_ = code.size();
    cm.mapped_ = mapped;
    return cm;
  }

  // Takes `mapped` bytes at `base`, already mapped read+execute by the caller (a precompiled
  // module's code pages, mapped from its file in place), of which `size` are code.
  static CodeMemory adopt(uint8_t* base, size_t size, size_t mapped) {
    CodeMemory cm;
    cm.base_ = base;
    cm.size_ = size;
    cm.mapped_ = mapped;
    return cm;
  }

  explicit operator bool() const { return base_ != nullptr; }
  const uint8_t* data() const { return base_; }
  size_t size() const { return size_; }
  bool contains(uintptr_t pc) const {
    return base_ && pc >= uintptr_t(base_) && pc < uintptr_t(base_) + size_;
  }

 private:
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
};

}  // namespace wasm::detail
