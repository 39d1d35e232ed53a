#pragma once
// CompiledModule: the machine code of every defined function of a module. The module's image
// is one CodeMemory: the functions, then one thunk per function (code_layout.hpp), then, in a
// read-write tail, the module's table of entry points: slot i holds the code address that
// calls of defined function i reach. Direct calls read their slot (direct_calls.hpp), funcrefs
// point at thunks that read it too, so replace() redirects every call to a function with one
// store: code compiled later (tier-up, lazy compilation) takes over while other threads call.
//
// Replacement code lives in units of its own, kept until the module is freed: a thread may
// still run the old code, and code is never freed under it. The runtime maps a pc to its unit
// to find the function, trap sites and exception handlers (backtraces, the trap handler).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "wasm/detail/jit/code_layout.hpp"
#include "wasm/detail/jit/code_memory.hpp"
#include "wasm/detail/jit/compiled_function.hpp"
#include "wasm/result.hpp"

namespace wasm::detail::jit {

// How long compilation took, for throughput figures.
struct CompileStats {
  uint64_t code_section_bytes = 0;  // wasm bytes of all function bodies
  uint64_t machine_code_bytes = 0;
  double seconds = 0;
  unsigned threads = 1;
  // With more than one tier: functions the first tier compiled, and those it declined.
  uint32_t first_tier_functions = 0;
  uint32_t declined_functions = 0;
  bool lazy = false;  // functions compile on their first call (jit/lazy_module.hpp)

  double megabytes_per_second() const {
    return seconds > 0 ? double(code_section_bytes) / 1e6 / seconds : 0;
  }
};

// One piece of published code and what the runtime looks up in it by pc.
struct CodeUnit {
  CodeMemory code;
  std::vector<FunctionLocation> functions;  // by offset
  std::vector<uint32_t> defined_indices;    // of each function; empty: its position
  std::vector<TrapSite> traps;              // by offset
  std::vector<HandlerSite> handlers;        // functions in layout order
  const CodeUnit* older = nullptr;          // the replacement batch published before this one

  bool contains(uintptr_t pc) const { return code.contains(pc); }
  uint32_t offset_of(uintptr_t pc) const { return uint32_t(pc - uintptr_t(code.data())); }

  std::optional<uint32_t> defined_index_at(uintptr_t pc) const {
    const uint32_t offset = offset_of(pc);
    auto it = std::upper_bound(functions.begin(), functions.end(), offset,
                               [](uint32_t o, const FunctionLocation& f) { return o < f.offset; });
    if (it == functions.begin()) return std::nullopt;
    --it;
    if (offset >= it->offset + it->size) return std::nullopt;
    const auto position = uint32_t(it - functions.begin());
    return defined_indices.empty() ? position : defined_indices[position];
  }

  std::optional<TrapCode> trap_at(uintptr_t pc) const {
    const uint32_t offset = offset_of(pc);
    auto it = std::lower_bound(traps.begin(), traps.end(), offset,
                               [](const TrapSite& t, uint32_t o) { return t.offset < o; });
    if (it == traps.end() || it->offset != offset) return std::nullopt;
    return it->code;
  }

  // See CompiledModule::find_handler.
  template <typename Visit>
  bool find_handler(uintptr_t pc, Visit& visit) const {
    const uint32_t at = offset_of(pc - 1);
    uint32_t threshold = ~0u;
    for (const HandlerSite& h : handlers) {
      if (at < h.begin || at >= h.end || h.depth > threshold) continue;
      if (h.tag == HandlerSite::kDelegate) {
        threshold = std::min(threshold, h.target);
        continue;
      }
      if (visit(h.tag, static_cast<const void*>(code.data() + h.target))) return true;
    }
    return false;
  }
};

class CompiledModule {
 public:
  CompiledModule() = default;
  // `code` holds the functions at `functions`, then their thunks up to its end, and a tail of
  // 8 bytes per function for the entry table (see module_compiler.hpp, and a precompiled
  // module's loader); every entry starts at its function's code.
  CompiledModule(CodeMemory code, std::vector<FunctionLocation> functions,
                 std::vector<TrapSite> traps, uint32_t num_imported_funcs, CompileStats stats)
      : num_imported_funcs_(num_imported_funcs), stats_(stats), replacements_(std::make_unique<Replacements>()) {
    image_.code = std::move(code);
    image_.functions = std::move(functions);
    image_.traps = std::move(traps);
    for (uint32_t i = 0; i < num_defined_funcs(); ++i) {
      entry(i).store(uintptr_t(image_.code.data() + image_.functions[i].offset), std::memory_order_relaxed);
    }
  }

  // The layout the constructor expects: the thunks' offset after `functions_end` bytes of
  // functions, and the image's code size with them.
  static uint64_t thunks_offset(uint64_t functions_end) {
    return (functions_end + kFunctionAlign - 1) / kFunctionAlign * kFunctionAlign;
  }
  static uint64_t image_size(uint64_t functions_end, uint32_t n) {
    return thunks_offset(functions_end) + uint64_t(kThunkBytes) * n;
  }
  // The entry table's offset from the image's start.
  static int64_t entries_offset(uint64_t image_size) { return int64_t(CodeMemory::tail_offset(image_size)); }

  const CodeMemory& code_memory() const { return image_.code; }
  uint32_t num_imported_funcs() const { return num_imported_funcs_; }
  uint32_t num_defined_funcs() const { return uint32_t(image_.functions.size()); }
  std::span<const FunctionLocation> functions() const { return image_.functions; }
  const CompileStats& stats() const { return stats_; }
  std::span<const TrapSite> trap_sites() const { return image_.traps; }
  // Every function's exception table, offsets image-wide, functions in layout order.
  std::span<const HandlerSite> handlers() const { return image_.handlers; }
  void set_handlers(std::vector<HandlerSite> handlers) { image_.handlers = std::move(handlers); }

  // The stable entry of a defined function (its thunk), by its index in the function index
  // space: what funcrefs and host calls use.
  const void* function_entry(uint32_t func_index) const {
    const uint32_t defined = func_index - num_imported_funcs_;
    const uint64_t thunks_at = image_.code.size() - uint64_t(kThunkBytes) * num_defined_funcs();
    return image_.code.data() + thunks_at + uint64_t(kThunkBytes) * defined;
  }
  // Where a defined function (function index space) starts in the image: its first code, or
  // its stub in a lazily compiled module.
  const void* image_code(uint32_t func_index) const {
    return image_.code.data() + image_.functions[func_index - num_imported_funcs_].offset;
  }
  // The code that calls of a defined function (function index space) reach now.
  const void* current_code(uint32_t func_index) const {
    return reinterpret_cast<const void*>(entry(func_index - num_imported_funcs_).load(std::memory_order_acquire));
  }

  // Publishes `batch` (pairs of a defined function's index in the function index space and
  // its new code, compiled for this module) as a new unit placed within rel32 reach of the
  // entry table, then points each function's entry at its new code. Safe while other threads
  // call the functions; calls already running finish in the old code. `before_redirect` runs
  // once the unit is published and before any entry moves (to register it with the trap
  // handler). Not safe against another replace() at the same time: callers serialize. Const:
  // what calls of the module do is the same before and after.
  template <typename BeforeRedirect>
  Result<const CodeUnit*> replace(std::span<const std::pair<uint32_t, CompiledFunction>> batch,
                                  BeforeRedirect&& before_redirect) const {
    auto unit = std::make_unique<CodeUnit>();
    std::vector<uint32_t> sizes;
    for (const auto& [index, f] : batch) {
      if (index < num_imported_funcs_ || index - num_imported_funcs_ >= num_defined_funcs())
        return Error(ErrorKind::Resource, "replaced function " + std::to_string(index) + " is not defined here");
      sizes.push_back(uint32_t(f.code.size()));
      unit->defined_indices.push_back(index - num_imported_funcs_);
    }
    uint64_t end = 0;
    if (!place_functions(sizes, unit->functions, end)) return Error(ErrorKind::Resource, "replacement code exceeds 2 GiB");
    unit->code = unit_memory(end);
    if (!unit->code) return Error(ErrorKind::Resource, "no memory for replacement code within reach of the module's code");
    uint8_t* base = unit->code.writable();
    const int64_t entries = int64_t(uintptr_t(image_.code.tail()) - uintptr_t(base));
    for (size_t i = 0; i < batch.size(); ++i) {
      const uint32_t at = unit->functions[i].offset;
      const uint32_t pad_to = i + 1 < batch.size() ? unit->functions[i + 1].offset : uint32_t(end);
      if (!emit_function(base, at, pad_to, batch[i].second, entries, num_imported_funcs_, unit->traps,
                         unit->handlers))
        return Error(ErrorKind::Resource, "replacement code out of reach of the module's entry table");
    }
    std::sort(unit->traps.begin(), unit->traps.end(),
              [](const TrapSite& a, const TrapSite& b) { return a.offset < b.offset; });
    if (!unit->code.seal()) return Error(ErrorKind::Resource, "cannot make replacement code executable");
    unit->older = replacements_->newest.load(std::memory_order_relaxed);
    const CodeUnit* published = unit.get();
    replacements_->newest.store(unit.release(), std::memory_order_release);
    before_redirect(*published);
    for (size_t i = 0; i < batch.size(); ++i) {
      const FunctionLocation& loc = published->functions[i];
      entry(published->defined_indices[i]).store(uintptr_t(published->code.data() + loc.offset),
                                                 std::memory_order_release);
    }
    return published;
  }

  // Visits every unit, the image first, then replacements newest first.
  template <typename Visit>
  void for_each_unit(Visit&& visit) const {
    visit(image_);
    if (!replacements_) return;
    for (const CodeUnit* u = replacements_->newest.load(std::memory_order_acquire); u; u = u->older) visit(*u);
  }

  // Visits the handlers that cover return address `pc` in priority order (see HandlerSite),
  // with target offsets made into addresses; stops at the first for which `visit` is true.
  template <typename Visit>
  bool find_handler(uintptr_t pc, Visit&& visit) const {
    const CodeUnit* unit = unit_at(pc);
    return unit && !unit->handlers.empty() && unit->find_handler(pc, visit);
  }

  // The trap code of the trap site at pc.
  std::optional<TrapCode> trap_at(uintptr_t pc) const {
    const CodeUnit* unit = unit_at(pc);
    return unit ? unit->trap_at(pc) : std::nullopt;
  }

  bool contains(uintptr_t pc) const { return unit_at(pc) != nullptr; }

  // The function (index space) whose code contains pc, if any.
  std::optional<uint32_t> function_index_at(uintptr_t pc) const {
    const CodeUnit* unit = unit_at(pc);
    if (!unit) return std::nullopt;
    auto defined = unit->defined_index_at(pc);
    if (!defined) return std::nullopt;
    return num_imported_funcs_ + *defined;
  }

 private:
  // Replacement units, newest first; a list that only grows, readable from a signal handler.
  struct Replacements {
    std::atomic<CodeUnit*> newest{nullptr};
    ~Replacements() {
      for (CodeUnit* u = newest.load(); u;) {
        CodeUnit* older = const_cast<CodeUnit*>(u->older);
        delete u;
        u = older;
      }
    }
  };

  std::atomic_ref<uintptr_t> entry(uint32_t defined) const {
    return std::atomic_ref<uintptr_t>(reinterpret_cast<uintptr_t*>(image_.code.tail())[defined]);
  }

  const CodeUnit* unit_at(uintptr_t pc) const {
    if (image_.contains(pc)) return &image_;
    if (!replacements_) return nullptr;
    for (const CodeUnit* u = replacements_->newest.load(std::memory_order_acquire); u; u = u->older)
      if (u->contains(pc)) return u;
    return nullptr;
  }

  // Memory for a unit of `size` bytes of code within rel32 reach of the entry table: carved
  // from the image's spare address space while it lasts (replace() calls are serialized), else
  // a mapping of its own placed near.
  CodeMemory unit_memory(uint64_t size) const {
    const size_t pages = CodeMemory::tail_offset(size);
    if (image_.code.spare() && spare_used_ + pages <= image_.code.spare_size()) {
      CodeMemory cm = CodeMemory::carve(image_.code.spare() + spare_used_, size);
      if (cm) spare_used_ += pages;
      return cm;
    }
    return reserve_near_entries(size);
  }

  // A mapping for `size` bytes of code whose every byte is within rel32 reach of the entry
  // table: tried just past the image, then at growing distances on either side.
  CodeMemory reserve_near_entries(uint64_t size) const {
    const uintptr_t table = uintptr_t(image_.code.tail());
    const uintptr_t after = table + CodeMemory::tail_offset(image_.code.tail_size()) + image_.code.spare_size();
    constexpr uintptr_t kStep = uintptr_t(64) << 20;
    for (uintptr_t k = 0; k < 16; ++k) {
      for (uintptr_t hint : {after + k * kStep, table - (k + 1) * kStep - CodeMemory::tail_offset(size)}) {
        CodeMemory cm = CodeMemory::reserve(size, 0, reinterpret_cast<const void*>(hint));
        if (!cm) return cm;
        const uintptr_t begin = uintptr_t(cm.data()), end = begin + size;
        const uintptr_t lo = std::min(begin, table), hi = std::max(end, table + 8 * uintptr_t(num_defined_funcs()));
        if (hi - lo < (uintptr_t(1) << 31) - kCodePageSize) return cm;
      }
    }
    return {};
  }

  CodeUnit image_;
  mutable size_t spare_used_ = 0;  // bytes of the image's spare address space carved out
  uint32_t num_imported_funcs_ = 0;
  CompileStats stats_;
  std::unique_ptr<Replacements> replacements_;
};

}  // namespace wasm::detail::jit
