#pragma once
// CodeMemory: executable memory that is never writable and executable at once. Code is
// written into a fresh read-write mapping (reserve), then the mapping's code pages are made
// read+execute for the rest of their life (seal).
//
// A mapping may carry a read-write tail after its code pages: a module's table of function
// entry points (compiled_module.hpp), which JIT code reads rip-relative, so it must lie at a
// fixed distance from the code that calls through it. After the tail it may reserve spare
// address space (inaccessible) where code compiled later is carved out (carve), within rel32
// reach of the table whatever else the process maps meanwhile.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

namespace wasm::detail {

// x86-64 Linux pages. Layouts that code depends on (the tail's offset, a precompiled module's
// code offset in its file) are computed with this constant, never with the running system's.
inline constexpr size_t kCodePageSize = 4096;

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
    std::swap(tail_bytes_, other.tail_bytes_);
    std::swap(spare_bytes_, other.spare_bytes_);
    std::swap(sealed_, other.sealed_);
    std::swap(owned_, other.owned_);
    return *this;
  }
  ~CodeMemory() {
    if (base_ && owned_) munmap(base_, mapped_);
  }

  // Where a tail starts, from the mapping's start, after `code_size` bytes of code.
  static constexpr size_t tail_offset(size_t code_size) { return round_up(std::max<size_t>(code_size, 1)); }

  // A read-write mapping for `code_size` bytes of code and a `tail_bytes` tail, then
  // `spare_bytes` of spare address space, placed at `near` if that range is free (a hint: check
  // distances with data()). Empty if the system refuses.
  static CodeMemory reserve(size_t code_size, size_t tail_bytes = 0, const void* near = nullptr,
                            size_t spare_bytes = 0) {
    CodeMemory cm;
    const size_t used = tail_offset(code_size) + round_up(tail_bytes);
    const size_t mapped = used + round_up(spare_bytes);
    void* p = mmap(const_cast<void*>(near), mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return cm;
    cm.base_ = static_cast<uint8_t*>(p);
    cm.size_ = code_size;
    cm.mapped_ = mapped;
    cm.tail_bytes_ = tail_bytes;
    cm.spare_bytes_ = round_up(spare_bytes);
    if (cm.spare_bytes_ && mprotect(cm.base_ + used, cm.spare_bytes_, PROT_NONE) != 0) return CodeMemory();
    return cm;
  }

  // A read-write mapping for `code_size` bytes of code at `at`, inside spare address space
  // that another CodeMemory owns (and unmaps): this one never unmaps it. Empty if refused.
  static CodeMemory carve(uint8_t* at, size_t code_size) {
    CodeMemory cm;
    void* p = mmap(at, tail_offset(code_size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (p == MAP_FAILED) return cm;
    cm.base_ = at;
    cm.size_ = code_size;
    cm.mapped_ = tail_offset(code_size);
    cm.owned_ = false;
    return cm;
  }

  // Makes the code pages read+execute (the tail stays read-write). False if the system refuses;
  // the memory is then released.
  bool seal() {
    if (mprotect(base_, tail_offset(size_), PROT_READ | PROT_EXEC) != 0) {
      CodeMemory released = std::move(*this);  // unmapped here if owned
      return false;
    }
    sealed_ = true;
    return true;
  }

  // Maps, copies and seals `code`. Returns an empty CodeMemory if the system refuses.
  static CodeMemory publish(std::span<const uint8_t> code, size_t tail_bytes = 0) {
    CodeMemory cm = reserve(code.size(), tail_bytes);
    if (!cm) return cm;
    if (!code.empty()) std::memcpy(cm.base_, code.data(), code.size());
    cm.seal();
    return cm;
  }

  // Takes `mapped` bytes at `base`, already mapped by the caller with the code pages
  // read+execute (a precompiled module's code pages, mapped from its file in place), of which
  // `size` are code and `tail_bytes` at tail_offset(size) a read-write tail.
  static CodeMemory adopt(uint8_t* base, size_t size, size_t mapped, size_t tail_bytes = 0) {
    CodeMemory cm;
    cm.base_ = base;
    cm.size_ = size;
    cm.mapped_ = mapped;
    cm.tail_bytes_ = tail_bytes;
    cm.sealed_ = true;
    return cm;
  }

  explicit operator bool() const { return base_ != nullptr; }
  const uint8_t* data() const { return base_; }
  size_t size() const { return size_; }
  // The code bytes, until seal().
  uint8_t* writable() const { return sealed_ ? nullptr : base_; }
  // The read-write tail (null without one).
  uint8_t* tail() const { return tail_bytes_ ? base_ + tail_offset(size_) : nullptr; }
  size_t tail_size() const { return tail_bytes_; }
  // The spare address space after the tail (null without any).
  uint8_t* spare() const { return spare_bytes_ ? base_ + mapped_ - spare_bytes_ : nullptr; }
  size_t spare_size() const { return spare_bytes_; }
  bool contains(uintptr_t pc) const {
    return base_ && pc >= uintptr_t(base_) && pc < uintptr_t(base_) + size_;
  }

 private:
  static constexpr size_t round_up(size_t n) { return (n + kCodePageSize - 1) / kCodePageSize * kCodePageSize; }

  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
  size_t tail_bytes_ = 0;
  size_t spare_bytes_ = 0;
  bool sealed_ = false;
  bool owned_ = true;
};

}  // namespace wasm::detail
