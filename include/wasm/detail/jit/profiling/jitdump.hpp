#pragma once
// The jitdump file perf reads to name and disassemble JIT code
// (linux tools/perf/Documentation/jitdump-specification.txt): a header, then one JIT_CODE_LOAD
// record per piece of code carrying its address, name and bytes. `perf record -k mono` sees
// the file because we map it executable (the mmap event is the marker perf inject looks for),
// and `perf inject --jit` turns each record into a small ELF file that perf report uses.
// Timestamps are CLOCK_MONOTONIC, the clock `-k mono` makes perf use.
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "wasm/detail/jit/profiling/code_symbols.hpp"

namespace wasm::detail::jit::profiling {

namespace jitdump_format {

inline constexpr uint32_t kMagic = 0x4A695444;  // "JiTD" written little-endian
inline constexpr uint32_t kVersion = 1;
inline constexpr uint32_t kCodeLoad = 0;
inline constexpr uint32_t kCodeClose = 3;

struct FileHeader {
  uint32_t magic = kMagic;
  uint32_t version = kVersion;
  uint32_t total_size = sizeof(FileHeader);
  uint32_t elf_mach = EM_X86_64;
  uint32_t pad1 = 0;
  uint32_t pid = 0;
  uint64_t timestamp = 0;
  uint64_t flags = 0;
};
static_assert(sizeof(FileHeader) == 40);

struct RecordHeader {
  uint32_t id = 0;
  uint32_t total_size = 0;
  uint64_t timestamp = 0;
};

// Followed by the NUL-terminated name and then code_size bytes of code.
struct CodeLoad {
  RecordHeader header;
  uint32_t pid = 0;
  uint32_t tid = 0;
  uint64_t vma = 0;
  uint64_t code_addr = 0;
  uint64_t code_size = 0;
  uint64_t code_index = 0;
};
static_assert(sizeof(CodeLoad) == 56);

inline uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

}  // namespace jitdump_format

class JitDump {
 public:
  // $JITDUMPDIR if set (perf's convention for agents), else the working directory, as wasmtime.
  static std::string default_path() {
    const char* dir = getenv("JITDUMPDIR");
    std::string d = dir && *dir ? dir : ".";
    return d + "/jit-" + std::to_string(getpid()) + ".dump";
  }

  JitDump() = default;
  JitDump(const JitDump&) = delete;
  JitDump& operator=(const JitDump&) = delete;
  ~JitDump() { close(); }

  // Creates the file at `path` (perf inject only accepts the name jit-<pid>.dump), writes the
  // header and maps the file as the marker. False if the file cannot be created.
  bool open(const std::string& path) {
    using namespace jitdump_format;
    fd_ = ::open(path.c_str(), O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0644);
    if (fd_ < 0) return false;
    FileHeader header;
    header.pid = uint32_t(getpid());
    header.timestamp = monotonic_ns();
    if (!write_all(&header, sizeof header)) {
      close();
      return false;
    }
    // The marker: perf records this mapping's file name; it is never read through.
    long page = sysconf(_SC_PAGESIZE);
    void* m = mmap(nullptr, size_t(page), PROT_READ | PROT_EXEC, MAP_PRIVATE, fd_, 0);
    if (m != MAP_FAILED) {
      marker_ = m;
      marker_size_ = size_t(page);
    }
    return true;
  }
  explicit operator bool() const { return fd_ >= 0; }

  // One JIT_CODE_LOAD record per symbol, with the code bytes read from the symbol's address.
  // Not thread-safe by itself: the Profilers hub serialises writers.
  void write(std::span<const CodeSymbol> symbols) {
    using namespace jitdump_format;
    if (fd_ < 0) return;
    const uint32_t pid = uint32_t(getpid());
    const uint32_t tid = uint32_t(syscall(SYS_gettid));
    for (const CodeSymbol& s : symbols) {
      CodeLoad record;
      record.header.id = kCodeLoad;
      record.header.total_size = uint32_t(sizeof record + s.name.size() + 1 + s.size);
      record.header.timestamp = monotonic_ns();
      record.pid = pid;
      record.tid = tid;
      record.vma = s.address;
      record.code_addr = s.address;
      record.code_size = s.size;
      record.code_index = next_index_++;
      buffer_.resize(record.header.total_size);
      uint8_t* out = buffer_.data();
      std::memcpy(out, &record, sizeof record);
      std::memcpy(out + sizeof record, s.name.c_str(), s.name.size() + 1);
      if (s.size) std::memcpy(out + sizeof record + s.name.size() + 1, reinterpret_cast<const void*>(s.address), s.size);
      if (!write_all(buffer_.data(), buffer_.size())) return;
    }
  }

  void close() {
    using namespace jitdump_format;
    if (fd_ < 0) return;
    RecordHeader end{kCodeClose, sizeof(RecordHeader), monotonic_ns()};
    write_all(&end, sizeof end);
    if (marker_) munmap(marker_, marker_size_);
    ::close(fd_);
    fd_ = -1;
    marker_ = nullptr;
  }

 private:
  bool write_all(const void* data, size_t size) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    while (size > 0) {
      ssize_t n = ::write(fd_, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      p += n;
      size -= size_t(n);
    }
    return true;
  }

  int fd_ = -1;
  void* marker_ = nullptr;
  size_t marker_size_ = 0;
  uint64_t next_index_ = 0;
  std::vector<uint8_t> buffer_;
};

}  // namespace wasm::detail::jit::profiling
