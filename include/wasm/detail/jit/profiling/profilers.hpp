#pragma once
// Where JIT code is announced to profilers and debuggers, once per module and once per
// trampoline (Config::profiling_strategy, Config::debug_info).
//
// The perf map and the jitdump file are per process, so one hub owns them: opened when the
// first code of an engine asking for them is published, appended to under one lock by every
// thread, and never closed (code can be published until the process ends, and perf copes with
// a file without its closing record). Trampolines made before a profiler was opened are only
// seen by it if they live as long as the process (the entry trampolines): the hub remembers
// those and writes them to each profiler it opens.
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/config.hpp"
#include "wasm/detail/base/pthread_lock.hpp"
#include "wasm/detail/jit/code_memory.hpp"
#include "wasm/detail/jit/profiling/code_symbols.hpp"
#include "wasm/detail/jit/profiling/gdb_jit.hpp"
#include "wasm/detail/jit/profiling/jitdump.hpp"
#include "wasm/detail/jit/profiling/perf_map.hpp"

namespace wasm::detail::jit::profiling {

class Profilers {
 public:
  static Profilers& get() {
    // Never destroyed: modules may be dropped (and trampolines made) during static destruction.
    static Profilers* hub = new Profilers;
    return *hub;
  }

  void announce(ProfilingStrategy strategy, std::span<const CodeSymbol> symbols) {
    if (strategy == ProfilingStrategy::None) return;
    PthreadLock lock(&mutex_);
    if (strategy == ProfilingStrategy::PerfMap && open_perf_map()) perf_map_.write(symbols);
    if (strategy == ProfilingStrategy::JitDump && open_jitdump()) jitdump_.write(symbols);
  }

  // A trampoline: written to every profiler already open; remembered for later ones if it
  // lives as long as the process.
  void announce_trampoline(std::string_view name, uintptr_t address, size_t size, bool lives_forever) {
    // Trampolines are made per signature and per dynamic host function: without a profiler
    // open, that must cost no lock.
    if (!lives_forever && !any_open_.load(std::memory_order_acquire)) return;
    PthreadLock lock(&mutex_);
    CodeSymbol symbol{std::string(name), address, size};
    if (lives_forever) forever_.push_back(symbol);
    std::span<const CodeSymbol> one(&symbol, 1);
    if (perf_map_) perf_map_.write(one);
    if (jitdump_) jitdump_.write(one);
  }

  // Where the profilers write (for tests and messages).
  std::string perf_map_path() const { return PerfMap::default_path(); }
  std::string jitdump_path() const { return JitDump::default_path(); }

 private:
  Profilers() = default;

  // Profiling must never make compilation fail: a file that cannot be opened is said once
  // on stderr and the profiler stays off.
  bool open_perf_map() {
    if (perf_map_ || perf_map_failed_) return bool(perf_map_);
    std::string path = PerfMap::default_path();
    if (!perf_map_.open(path)) {
      warn(path);
      perf_map_failed_ = true;
      return false;
    }
    perf_map_.write(forever_);
    any_open_.store(true, std::memory_order_release);
    return true;
  }
  bool open_jitdump() {
    if (jitdump_ || jitdump_failed_) return bool(jitdump_);
    std::string path = JitDump::default_path();
    if (!jitdump_.open(path)) {
      warn(path);
      jitdump_failed_ = true;
      return false;
    }
    jitdump_.write(forever_);
    any_open_.store(true, std::memory_order_release);
    return true;
  }
  static void warn(const std::string& path) {
    std::fprintf(stderr, "wasmpp: profiling disabled, cannot write %s: %s\n", path.c_str(), std::strerror(errno));
  }

  pthread_mutex_t mutex_ = PTHREAD_MUTEX_INITIALIZER;
  PerfMap perf_map_;
  JitDump jitdump_;
  bool perf_map_failed_ = false;
  bool jitdump_failed_ = false;
  std::vector<CodeSymbol> forever_;
  std::atomic<bool> any_open_{false};
};

// What a module's code is registered as; dropping it unregisters what can be (the debugger's
// entry; profiler files are append-only).
struct CodeRegistration {
  GdbJitRegistration gdb;
};

// Announces a module's freshly published code as the engine's configuration asks.
inline CodeRegistration register_module_code(const Config& config, const ModuleInfo& info,
                                             const CompiledModule& compiled) {
  CodeRegistration registration;
  const CodeMemory& mem = compiled.code_memory();
  if (!mem || (config.profiling_strategy() == ProfilingStrategy::None && !config.debug_info())) {
    return registration;
  }
  std::vector<CodeSymbol> symbols = module_symbols(info, compiled);
  Profilers::get().announce(config.profiling_strategy(), symbols);
  if (config.debug_info()) {
    registration.gdb = GdbJitRegistration(write_symbol_elf(uintptr_t(mem.data()), mem.size(), symbols));
  }
  return registration;
}

// Announces a unit of code that replaced functions of a module (lazy compilation, tier-up).
inline CodeRegistration register_unit_code(const Config& config, const ModuleInfo& info, uint32_t num_imported_funcs,
                                           const CodeUnit& unit) {
  CodeRegistration registration;
  if (config.profiling_strategy() == ProfilingStrategy::None && !config.debug_info()) return registration;
  std::vector<CodeSymbol> symbols = unit_symbols(info, num_imported_funcs, unit);
  Profilers::get().announce(config.profiling_strategy(), symbols);
  if (config.debug_info()) {
    registration.gdb = GdbJitRegistration(write_symbol_elf(uintptr_t(unit.code.data()), unit.code.size(), symbols));
  }
  return registration;
}

// Announces a trampoline to the profilers that are (or, if it lives forever, will be) open.
inline void register_trampoline(std::string_view name, const CodeMemory& code, bool lives_forever = false) {
  if (!code) return;
  Profilers::get().announce_trampoline(name, uintptr_t(code.data()), code.size(), lives_forever);
}

}  // namespace wasm::detail::jit::profiling
