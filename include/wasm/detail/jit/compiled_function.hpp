#pragma once
// CompiledFunction: what any compiler tier produces for one function, position-independent
// until the module driver lays it out: its machine code and the metadata the runtime and the
// driver need about it (calls to patch, where it traps, its frame).
#include <cstdint>
#include <vector>

#include "wasm/error.hpp"

namespace wasm::detail::jit {

// A call from one compiled function to another of the same module: the rel32 field at
// `offset` (from the function's start) must point at function `callee`'s code.
struct CallReloc {
  uint32_t offset = 0;
  uint32_t callee = 0;  // function index (a defined function)
};

// An instruction at `offset` (from the function's start) that traps with `code`: the first
// instruction of an explicit trap stub, or an access that may fault. Sorted by offset.
struct TrapSite {
  uint32_t offset = 0;
  TrapCode code = TrapCode::UnreachableCodeReached;
};

// What a walk of the stack needs to know about a frame of this function. Every tier keeps the
// rbp chain (frame_layout.hpp: [rbp] = caller's rbp, [rbp+8] = return address), so backtraces
// need no more today; stack maps for GC references will go here.
struct FrameInfo {
  uint32_t frame_bytes = 0;  // below the saved registers, fixed for the whole body
};

// One entry of a function's exception table (compile_exceptions.hpp): a call or throw whose
// return address - 1 lies in [begin, end) is covered. `tag` is a module tag index, kCatchAll,
// or kDelegate; `target` the handler's offset, or for kDelegate the frame depth below which
// handlers still apply (legacy delegate). `depth` is the control-frame depth of the try that
// the entry belongs to. Entries are in priority order: inner tries first, clauses in order.
struct HandlerSite {
  static constexpr uint32_t kCatchAll = ~0u;
  static constexpr uint32_t kDelegate = ~0u - 1;
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t tag = kCatchAll;
  uint32_t target = 0;
  uint32_t depth = 0;
};

struct CompiledFunction {
  std::vector<uint8_t> code;
  std::vector<CallReloc> calls;
  std::vector<TrapSite> traps;
  std::vector<HandlerSite> handlers;
  FrameInfo frame;
};

}  // namespace wasm::detail::jit
