#pragma once
// Laying compiled functions out into executable memory, for a module's image and for later
// batches of replacement code alike: where each function goes, copying its code, filling in
// its direct calls (CallReloc: the rip-relative displacement of its callee's entry-table slot,
// direct_calls.hpp) and moving its trap sites and handlers to unit-wide offsets.
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "wasm/detail/jit/compiled_function.hpp"

namespace wasm::detail::jit {

inline constexpr uint32_t kFunctionAlign = 16;

// Where a function's code sits, as offsets into the code of its unit.
struct FunctionLocation {
  uint32_t offset = 0;
  uint32_t size = 0;
};

// The entry-table thunk of each defined function: `jmp qword [rip + entry]`, padded to 8 bytes.
// A funcref's code pointer is its function's thunk, so that indirect calls and calls from the
// host follow a replaced entry too.
inline constexpr uint32_t kThunkBytes = 8;

// Locations of functions of the given code sizes placed one after another; `end` receives the
// end of the last. False if the total passes 2 GiB.
inline bool place_functions(std::span<const uint32_t> sizes, std::vector<FunctionLocation>& out, uint64_t& end) {
  uint64_t at = 0;
  out.resize(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i) {
    at = (at + kFunctionAlign - 1) / kFunctionAlign * kFunctionAlign;
    out[i] = FunctionLocation{uint32_t(at), sizes[i]};
    at += sizes[i];
    if (at > 0x7FFFFFFF) return false;
  }
  end = at;
  return true;
}

// Writes rel32 `target - (field + 4)` at `field`, both as addresses of `unit` plus offsets.
inline bool write_rel32(uint8_t* unit, int64_t field, int64_t target) {
  const int64_t rel = target - (field + 4);
  if (rel != int64_t(int32_t(rel))) return false;
  const int32_t rel32 = int32_t(rel);
  std::memcpy(unit + field, &rel32, 4);
  return true;
}

// Copies `f` to `unit + at` (int3 padding up to `pad_to`), relocates its direct calls against
// the entry table at `entries` (an offset from `unit`, possibly negative) and appends its trap
// sites and handlers with unit-wide offsets. False if an entry is out of rel32 reach.
inline bool emit_function(uint8_t* unit, uint32_t at, uint32_t pad_to, const CompiledFunction& f,
                          int64_t entries, uint32_t num_imported_funcs, std::vector<TrapSite>& traps,
                          std::vector<HandlerSite>& handlers) {
  std::memcpy(unit + at, f.code.data(), f.code.size());
  std::memset(unit + at + f.code.size(), 0xCC, pad_to - at - f.code.size());
  for (const TrapSite& trap : f.traps) traps.push_back({at + trap.offset, trap.code});
  for (HandlerSite h : f.handlers) {
    h.begin += at;
    h.end += at;
    if (h.tag != HandlerSite::kDelegate) h.target += at;
    handlers.push_back(h);
  }
  for (const CallReloc& call : f.calls) {
    const int64_t slot = entries + 8 * int64_t(call.callee - num_imported_funcs);
    if (!write_rel32(unit, int64_t(at) + call.offset, slot)) return false;
  }
  return true;
}

// The thunks of `n` functions at `unit + at` (see kThunkBytes).
inline bool emit_thunks(uint8_t* unit, uint32_t at, uint32_t n, int64_t entries) {
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t* thunk = unit + at + kThunkBytes * i;
    thunk[0] = 0xFF;  // jmp qword [rip + disp32]
    thunk[1] = 0x25;
    thunk[6] = thunk[7] = 0xCC;
    if (!write_rel32(unit, int64_t(at) + kThunkBytes * i + 2, entries + 8 * int64_t(i))) return false;
  }
  return true;
}

}  // namespace wasm::detail::jit
