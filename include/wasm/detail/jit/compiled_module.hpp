#pragma once
// CompiledModule: the machine code of every defined function of a module, laid out in one
// read+execute CodeMemory, with where each function starts. The runtime uses it to find a
// function's entry, to tell whether a pc is in JIT code, and to map a pc to its function for
// backtraces.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wasm/detail/jit/code_memory.hpp"
#include "wasm/detail/jit/compiled_function.hpp"

namespace wasm::detail::jit {

// Where a defined function's code sits, as offsets into the module's code.
struct FunctionLocation {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// How long compilation took, for throughput figures.
struct CompileStats {
  uint64_t code_section_bytes = 0;  // wasm bytes of all function bodies
  uint64_t machine_code_bytes = 0;
  double seconds = 0;
  unsigned threads = 1;
  // With more than one tier: functions the first tier compiled, and those it declined.
  uint32_t first_tier_functions = 0;
  uint32_t declined_functions = 0;

  double megabytes_per_second() const {
    return seconds > 0 ? double(code_section_bytes) / 1e6 / seconds : 0;
  }
};

class CompiledModule {
 public:
  CompiledModule() = default;
  CompiledModule(CodeMemory code, std::vector<FunctionLocation> functions,
                 std::vector<TrapSite> traps, uint32_t num_imported_funcs, CompileStats stats)
      : code_(std::move(code)),
        functions_(std::move(functions)),
        traps_(std::move(traps)),
        num_imported_funcs_(num_imported_funcs),
        stats_(stats) {}

  const CodeMemory& code_memory() const { return code_; }
  uint32_t num_imported_funcs() const { return num_imported_funcs_; }
  uint32_t num_defined_funcs() const { return uint32_t(functions_.size()); }
  std::span<const FunctionLocation> functions() const { return functions_; }
  const CompileStats& stats() const { return stats_; }
  std::span<const TrapSite> trap_sites() const { return traps_; }
  // Every function's exception table, offsets module-wide, functions in layout order.
  std::span<const HandlerSite> handlers() const { return handlers_; }
  void set_handlers(std::vector<HandlerSite> handlers) { handlers_ = std::move(handlers); }

  // Visits the handlers that cover return address `pc` in priority order (see HandlerSite),
  // with target offsets made into addresses; stops at the first for which `visit` is true.
  template <typename Visit>
  bool find_handler(uintptr_t pc, Visit&& visit) const {
    if (!contains(pc) || handlers_.empty()) return false;
    uint32_t at = uint32_t(pc - 1 - uintptr_t(code_.data()));
    uint32_t threshold = ~0u;
    for (const HandlerSite& h : handlers_) {
      if (at < h.begin || at >= h.end || h.depth > threshold) continue;
      if (h.tag == HandlerSite::kDelegate) {
        threshold = std::min(threshold, h.target);
        continue;
      }
      if (visit(h.tag, static_cast<const void*>(code_.data() + h.target))) return true;
    }
    return false;
  }

  // Entry point of a defined function, by its index in the function index space.
  const void* function_code(uint32_t func_index) const {
    return code_.data() + functions_.at(func_index - num_imported_funcs_).offset;
  }

  // The trap code of the trap site at pc (module-wide offsets, sorted as functions are).
  std::optional<TrapCode> trap_at(uintptr_t pc) const {
    if (!contains(pc)) return std::nullopt;
    uint32_t offset = uint32_t(pc - uintptr_t(code_.data()));
    auto it = std::lower_bound(traps_.begin(), traps_.end(), offset,
                               [](const TrapSite& t, uint32_t o) { return t.offset < o; });
    if (it == traps_.end() || it->offset != offset) return std::nullopt;
    return it->code;
  }

  bool contains(uintptr_t pc) const { return code_.contains(pc); }

  // The function (index space) whose code contains pc, if any.
  std::optional<uint32_t> function_index_at(uintptr_t pc) const {
    if (!contains(pc)) return std::nullopt;
    uint32_t offset = uint32_t(pc - uintptr_t(code_.data()));
    auto it = std::upper_bound(functions_.begin(), functions_.end(), offset,
                               [](uint32_t o, const FunctionLocation& f) { return o < f.offset; });
    if (it == functions_.begin()) return std::nullopt;
    --it;
    if (offset >= it->offset + it->size) return std::nullopt;
    return num_imported_funcs_ + uint32_t(it - functions_.begin());
  }

 private:
  CodeMemory code_;
  std::vector<FunctionLocation> functions_;
  std::vector<TrapSite> traps_;
  std::vector<HandlerSite> handlers_;
  uint32_t num_imported_funcs_ = 0;
  CompileStats stats_;
};

}  // namespace wasm::detail::jit
