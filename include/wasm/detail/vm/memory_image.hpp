#pragma once
// Copy-on-write memory images: a module's data segments laid out once, in a sealed memfd, and
// mapped MAP_PRIVATE into each instance's memory, so that instantiation copies nothing and an
// instance's first write to a page makes its private copy (wasmtime's MemoryImage).
//
// An image stands for "the data segments applied in order", which is only the same thing when
// instantiation cannot fail between segments: the spec applies element segments, then data
// segments, one after the other, and a segment out of bounds traps with the earlier writes
// left visible (through an imported table, say, a function of the failed instance can still
// read its memory). So a module gets images only when every active element and data segment
// has a constant offset (no global.get) inside the declared minimum of its table or memory;
// imports are at least that large, so no segment can trap. Otherwise nothing is imaged and
// instantiation copies every segment as before. With images, segments for imported memories
// are still copied (their memory already has contents); overlapping segments for one memory
// are written into the image in order, so the later wins as it would at instantiation.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/vm/const_eval.hpp"

namespace wasm::detail {

inline uint64_t host_page_size() {
  static const uint64_t size = uint64_t(::sysconf(_SC_PAGESIZE));
  return size;
}

inline uint64_t round_down_to(uint64_t value, uint64_t align) { return value & ~(align - 1); }
inline uint64_t round_up_to(uint64_t value, uint64_t align) { return (value + align - 1) & ~(align - 1); }

class MemoryImage {
 public:
  // A segment's bytes at `offset` into the linear memory.
  struct Piece {
    uint64_t offset;
    std::span<const uint8_t> bytes;
  };

  // Lays `pieces` out in order (a later one overwrites an earlier one where they overlap).
  // Null when the system has no memfd or refuses: the caller copies the segments instead.
  static std::shared_ptr<const MemoryImage> create(std::span<const Piece> pieces) {
    uint64_t lo = UINT64_MAX, hi = 0;
    for (const Piece& p : pieces) {
      if (p.bytes.empty()) continue;
      lo = std::min(lo, p.offset);
      hi = std::max(hi, p.offset + p.bytes.size());
    }
    if (lo >= hi) return nullptr;
    const uint64_t page = host_page_size();
    std::shared_ptr<MemoryImage> image(new MemoryImage());
    image->offset_ = round_down_to(lo, page);
    image->size_ = round_up_to(hi, page) - image->offset_;
    image->fd_ = ::memfd_create("wasmpp-memory-image", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (image->fd_ < 0) return nullptr;
    if (::ftruncate(image->fd_, off_t(image->size_)) != 0) return nullptr;
    for (const Piece& p : pieces) {
      if (!write_all(image->fd_, p.bytes, p.offset - image->offset_)) return nullptr;
    }
    // Nobody may change the image once instances map it.
    if (::fcntl(image->fd_, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
      return nullptr;
    void* view = ::mmap(nullptr, image->size_, PROT_READ, MAP_SHARED, image->fd_, 0);
    if (view == MAP_FAILED) return nullptr;
    image->view_ = static_cast<const uint8_t*>(view);
    return image;
  }

  ~MemoryImage() {
    if (view_) ::munmap(const_cast<uint8_t*>(view_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MemoryImage(const MemoryImage&) = delete;
  MemoryImage& operator=(const MemoryImage&) = delete;

  // Where the image starts in the linear memory and how long it is (both host-page multiples).
  uint64_t offset() const { return offset_; }
  uint64_t size() const { return size_; }
  // The image's bytes, read-only (for resetting a resident prefix by copying).
  std::span<const uint8_t> bytes() const { return {view_, static_cast<size_t>(size_)}; }

  // Maps the image read+write, copy-on-write, at memory_base + offset(), replacing whatever
  // was mapped there. The range must lie inside the memory's accessible part.
  bool map_into(uint8_t* memory_base) const {
    void* at = memory_base + offset_;
    return ::mmap(at, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd_, 0) == at;
  }

 private:
  MemoryImage() = default;

  static bool write_all(int fd, std::span<const uint8_t> bytes, uint64_t at) {
    while (!bytes.empty()) {
      ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), off_t(at));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes = bytes.subspan(size_t(n));
      at += uint64_t(n);
    }
    return true;
  }

  int fd_ = -1;
  const uint8_t* view_ = nullptr;
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
};

// The images of one module's defined memories, and which data segments they stand for.
struct ModuleMemoryImages {
  std::vector<std::shared_ptr<const MemoryImage>> memories;  // per defined memory; null: zeros
  std::vector<bool> covered;  // per data segment: the image holds it, instantiation skips it

  // Null when some segment could trap (see the top of this file) or has a dynamic offset.
  static std::unique_ptr<ModuleMemoryImages> build(const ModuleInfo& info) {
    auto images = std::make_unique<ModuleMemoryImages>();
    const uint32_t defined = uint32_t(info.memories.size()) - info.num_imported_memories;
    std::vector<std::vector<MemoryImage::Piece>> pieces(defined);
    images->covered.assign(info.data.size(), false);
    for (const ElemSegment& seg : info.elements) {
      if (seg.mode != SegmentMode::Active) continue;
      std::optional<uint64_t> offset = static_offset(seg.offset, info.tables[seg.table].is64);
      if (!offset || !fits(*offset, seg.size(), info.tables[seg.table].limits.min)) return nullptr;
    }
    for (uint32_t s = 0; s < info.data.size(); ++s) {
      const DataSegment& seg = info.data[s];
      if (seg.mode != SegmentMode::Active) continue;
      const MemoryType& memory = info.memories[seg.memory];
      std::optional<uint64_t> offset = static_offset(seg.offset, memory.is64);
      if (!offset || !fits(*offset, seg.data_size, min_bytes(memory))) return nullptr;
      if (seg.memory < info.num_imported_memories) continue;
      pieces[seg.memory - info.num_imported_memories].push_back({*offset, info.segment_bytes(seg)});
      images->covered[s] = true;
    }
    images->memories.resize(defined);
    for (uint32_t m = 0; m < defined; ++m) {
      if (pieces[m].empty()) continue;
      images->memories[m] = MemoryImage::create(pieces[m]);
      // No image (no memfd): copy this memory's segments after all.
      if (!images->memories[m]) {
        for (uint32_t s = 0; s < info.data.size(); ++s) {
          if (info.data[s].mode == SegmentMode::Active && info.data[s].memory == m + info.num_imported_memories)
            images->covered[s] = false;
        }
      }
    }
    return images;
  }

 private:
  static std::optional<uint64_t> static_offset(const ConstExpr& expr, bool is64) {
    std::optional<ValRaw> v = eval_const_static(expr);
    if (!v) return std::nullopt;
    return is64 ? uint64_t(v->i64) : uint64_t(uint32_t(v->i32));
  }
  static uint64_t min_bytes(const MemoryType& memory) {
    return memory.limits.min > (UINT64_MAX / kPageSize) ? UINT64_MAX : memory.limits.min * kPageSize;
  }
  static bool fits(uint64_t offset, uint64_t size, uint64_t limit) {
    return offset <= limit && size <= limit - offset;
  }
};

// A module's images, built on its first instantiation and shared by every later one.
class MemoryImageCache {
 public:
  // Null: copy every segment.
  const ModuleMemoryImages* get(const ModuleInfo& info) const {
    std::call_once(once_, [&] { images_ = ModuleMemoryImages::build(info); });
    return images_.get();
  }

 private:
  mutable std::once_flag once_;
  mutable std::unique_ptr<ModuleMemoryImages> images_;
};

}  // namespace wasm::detail
