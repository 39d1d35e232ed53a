#pragma once
// What every function compiler of a module shares, read-only: the module, its VMContext
// layout and the code-generation options taken from Config.
#include <cstdint>
#include <vector>

#include "wasm/config.hpp"
#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/env/module_shape.hpp"
#include "wasm/detail/env/vmoffsets.hpp"
#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit {

struct CompileOptions {
  BoundsChecks bounds_checks = BoundsChecks::GuardPages;
  bool consume_fuel = false;
  bool epoch_interruption = false;
  // PROT_NONE bytes after the 4 GiB of a guard-page memory (LinearMemory's default); an
  // access whose offset the guard cannot cover gets an explicit check.
  uint64_t guard_bytes = (uint64_t(1) << 32) + 65536;
  Features features;
  // Instruction set extensions the generated code may use (the host's, detected once per
  // process, or only the SSE4.1 floor).
  CpuFeatures cpu = host_cpu_features();
  // Relaxed SIMD: the deterministic profile's results instead of the fastest x86 sequences.
  bool relaxed_simd_deterministic = false;
  // Every NaN of floating-point arithmetic becomes the canonical NaN (emit_nan_canonical.hpp).
  bool canonicalize_nans = false;

  static CompileOptions from(const Config& config) {
    CompileOptions o;
    o.bounds_checks = config.bounds_checks();
    o.consume_fuel = config.consume_fuel();
    o.epoch_interruption = config.epoch_interruption();
    o.features = config.wasm_features();
    if (config.force_sse41()) o.cpu = CpuFeatures::baseline();
    o.relaxed_simd_deterministic = config.relaxed_simd_deterministic();
    o.canonicalize_nans = config.deterministic();
    return o;
  }
};

struct CompileEnv {
  const ModuleInfo& module;
  VMOffsets offsets;
  CompileOptions options;

  CompileEnv(const ModuleInfo& m, const CompileOptions& o)
      : module(m), offsets(shape_of(m)), options(o) {}

  bool memory_is_imported(uint32_t index) const { return index < module.num_imported_memories; }
  uint32_t defined_memory(uint32_t index) const { return index - module.num_imported_memories; }
  bool table_is_imported(uint32_t index) const { return index < module.num_imported_tables; }
  uint32_t defined_table(uint32_t index) const { return index - module.num_imported_tables; }
  bool global_is_imported(uint32_t index) const { return index < module.num_imported_globals; }
  uint32_t defined_global(uint32_t index) const { return index - module.num_imported_globals; }
  bool func_is_imported(uint32_t index) const { return index < module.num_imported_funcs; }
  bool explicit_bounds() const { return options.bounds_checks == BoundsChecks::Explicit; }
  bool memory_is64(uint32_t index) const { return module.memories[index].is64; }
  bool table_is64(uint32_t index) const { return module.tables[index].is64; }
  // Whether memory 0's base (pinned in r15) may move when a call grows it: explicitly
  // checked and 64-bit memories are not always reserved up front (vm/linear_memory.hpp).
  bool memory_base_may_move() const {
    return explicit_bounds() || (has_memory() && memory_is64(0));
  }
  bool has_memory() const { return !module.memories.empty(); }
  // Whether a function of another type than type `index` may still be called as one: its type
  // may have declared subtypes, which a call_indirect checks for at run time.
  bool type_has_subtypes(uint32_t index) const {
    return index < module.type_defs.size() && !module.type_defs[index].final;
  }
};

}  // namespace wasm::detail::jit
