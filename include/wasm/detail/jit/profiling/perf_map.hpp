#pragma once
// The perf map: /tmp/perf-<pid>.map, one "START SIZE NAME" line (hex, no 0x) per piece of JIT
// code, which `perf report` and `perf top` read to name samples in anonymous executable memory.
// perf reads the file after the process ran, so lines are only ever appended; a range reused
// by later code keeps both lines (perf's limitation as much as ours).
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <span>
#include <string>

#include "wasm/detail/jit/profiling/code_symbols.hpp"

namespace wasm::detail::jit::profiling {

class PerfMap {
 public:
  static std::string default_path() { return "/tmp/perf-" + std::to_string(getpid()) + ".map"; }

  PerfMap() = default;
  PerfMap(const PerfMap&) = delete;
  PerfMap& operator=(const PerfMap&) = delete;
  ~PerfMap() {
    if (file_) std::fclose(file_);
  }

  // Opens (appending) the map at `path`. False if it cannot be opened.
  bool open(const std::string& path) {
    file_ = std::fopen(path.c_str(), "a");
    return file_ != nullptr;
  }
  explicit operator bool() const { return file_ != nullptr; }

  // Not thread-safe by itself: the Profilers hub serialises writers.
  void write(std::span<const CodeSymbol> symbols) {
    if (!file_) return;
    for (const CodeSymbol& s : symbols) {
      // A newline in a name would start a bogus line: perf map names end at the line's end.
      std::string name = s.name;
      for (char& c : name) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      std::fprintf(file_, "%" PRIxPTR " %zx %s\n", s.address, s.size, name.c_str());
    }
    // perf may read the map while we run (perf top), and we may be killed before exit.
    std::fflush(file_);
  }

 private:
  std::FILE* file_ = nullptr;
};

}  // namespace wasm::detail::jit::profiling
