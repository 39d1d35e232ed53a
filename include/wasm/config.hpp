#pragma once
// Config: the settings an Engine is created with.
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "wasm/features.hpp"
#include "wasm/pooling_config.hpp"

namespace wasm {

// How linear-memory accesses are kept in bounds.
enum class BoundsChecks : unsigned char {
  GuardPages,  // reserve 4 GiB + guard per 32-bit memory; accesses need no check (default)
  Explicit,    // compare every access with the current length; for small address spaces
};

// Which profiler Engine-compiled code is announced to (see detail/jit/profiling/).
enum class ProfilingStrategy : unsigned char {
  None,
  PerfMap,  // append every function to /tmp/perf-<pid>.map (perf report names them)
  JitDump,  // write jit-<pid>.dump with code bytes, for `perf record -k mono` + `perf inject --jit`
};

// Which compiler tiers compile a module's functions.
enum class Strategy : unsigned char {
  Baseline,   // the single-pass compiler only (the default)
  Optimized,  // the optimizing tier first; what it declines goes to the baseline
};

// The default strategy of every Config: WASMPP_STRATEGY=optimized or baseline (so that tests,
// the spec runner and the CLI run in either mode unchanged); unset or anything else: baseline.
inline Strategy default_strategy() {
  const char* s = std::getenv("WASMPP_STRATEGY");
  return s && std::strcmp(s, "optimized") == 0 ? Strategy::Optimized : Strategy::Baseline;
}

// The default of Config::lazy_compilation: on with WASMPP_LAZY=1 (so that tests and the spec
// runner run in that mode unchanged), off otherwise.
inline bool default_lazy_compilation() {
  const char* s = std::getenv("WASMPP_LAZY");
  return s && std::strcmp(s, "1") == 0;
}

// Where instances, memories and tables come from: mapped on demand (the default) or taken
// from per-engine pools of reserved slots (PoolingAllocationConfig).
enum class AllocationStrategy : unsigned char { OnDemand, Pooling };

class Config {
 public:
  Config& allocation_strategy(AllocationStrategy strategy) { strategy_ = strategy; return *this; }
  Config& allocation_strategy(const PoolingAllocationConfig& pool) {
    strategy_ = AllocationStrategy::Pooling;
    pooling_ = pool;
    return *this;
  }
  // Lay a module's data segments out once in a memory image and map it copy-on-write into each
  // instance's memory (where the segments are static; otherwise they are copied). On by default.
  Config& memory_init_cow(bool on) { memory_init_cow_ = on; return *this; }
  Config& consume_fuel(bool on) { consume_fuel_ = on; return *this; }
  Config& epoch_interruption(bool on) { epoch_interruption_ = on; return *this; }
  Config& bounds_checks(BoundsChecks mode) { bounds_checks_ = mode; return *this; }
  Config& max_wasm_stack(size_t bytes) { max_wasm_stack_ = bytes; return *this; }
  Config& parallel_compilation(bool on) { parallel_compilation_ = on; return *this; }
  Config& wasm_features(const Features& features) { features_ = features; return *this; }
  // Generate code for the x86-64 floor the JIT requires (SSE4.1) even when the CPU has more
  // (SSE4.2, POPCNT, LZCNT, BMI1, AVX, AVX2): tests use it to run the fallback sequences.
  Config& force_sse41(bool on) { force_sse41_ = on; return *this; }
  Config& profiling_strategy(ProfilingStrategy s) { profiling_strategy_ = s; return *this; }
  // Relaxed SIMD instructions give the deterministic profile's result (the first of the spec's
  // allowed results: unfused multiply-add, the non-relaxed instruction's semantics otherwise),
  // the same on every machine, instead of the fastest x86 sequence. Off by default.
  Config& relaxed_simd_deterministic(bool on) { relaxed_simd_deterministic_ = on; return *this; }
  // The deterministic profile: every NaN that floating-point arithmetic produces is the
  // canonical NaN, and relaxed SIMD is deterministic (above), so that a program computes the
  // same bits on every machine. Costs a check after each floating-point operation. Off by default.
  Config& deterministic(bool on) { deterministic_ = on; return *this; }
  // Register compiled code with the GDB JIT interface, so that debuggers name wasm frames.
  Config& debug_info(bool on) { debug_info_ = on; return *this; }
  Config& strategy(Strategy s) { compile_strategy_ = s; return *this; }
  // Compile each function on its first call rather than all of them when the module is
  // compiled, so that a large module is ready after decoding and validation. Off by default
  // (see default_lazy_compilation).
  Config& lazy_compilation(bool on) { lazy_compilation_ = on; return *this; }

  bool consume_fuel() const { return consume_fuel_; }
  bool epoch_interruption() const { return epoch_interruption_; }
  BoundsChecks bounds_checks() const { return bounds_checks_; }
  size_t max_wasm_stack() const { return max_wasm_stack_; }
  bool parallel_compilation() const { return parallel_compilation_; }
  const Features& wasm_features() const { return features_; }
  bool force_sse41() const { return force_sse41_; }
  bool relaxed_simd_deterministic() const { return relaxed_simd_deterministic_ || deterministic_; }
  bool deterministic() const { return deterministic_; }
  ProfilingStrategy profiling_strategy() const { return profiling_strategy_; }
  bool debug_info() const { return debug_info_; }
  Strategy strategy() const { return compile_strategy_; }
  bool lazy_compilation() const { return lazy_compilation_; }
  AllocationStrategy allocation_strategy() const { return strategy_; }
  const PoolingAllocationConfig& pooling() const { return pooling_; }
  bool memory_init_cow() const { return memory_init_cow_; }
  Features& wasm_features() { return features_; }

 private:
  bool consume_fuel_ = false;
  bool epoch_interruption_ = false;
  BoundsChecks bounds_checks_ = BoundsChecks::GuardPages;
  size_t max_wasm_stack_ = 512 * 1024;
  bool parallel_compilation_ = true;
  bool force_sse41_ = false;
  bool relaxed_simd_deterministic_ = false;
  bool deterministic_ = false;
  ProfilingStrategy profiling_strategy_ = ProfilingStrategy::None;
  bool debug_info_ = false;
  Strategy compile_strategy_ = default_strategy();
  bool lazy_compilation_ = default_lazy_compilation();
  Features features_;
  AllocationStrategy strategy_ = AllocationStrategy::OnDemand;
  PoolingAllocationConfig pooling_;
  bool memory_init_cow_ = true;
};

}  // namespace wasm
