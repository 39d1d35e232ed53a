#pragma once
// The native calling convention of compiled wasm functions. JIT code, host-function adapters,
// the entry trampolines and TypedFunc all follow it, so each can call the others directly.
//
// It is System V x86-64, with fixed leading parameters:
//   rdi  callee VMContext*   (for a host function: its VMHostContext, see below)
//   rsi  caller VMContext*
//   rdx  results area (ValRaw[n], 16-byte slots), only when the function has 2+ results
// then the wasm parameters as System V assigns them: i32/i64/funcref/externref in the next
// integer registers (rdx or rcx, r8, r9) and f32/f64/v128 in xmm0-xmm7; the rest on the
// stack in order, 8-byte slots (v128: a 16-byte slot aligned to 16), stored by the caller.
// A caller must not rely on rsp after the call being what it was before: a callee that
// tail-calls a function with more stack arguments returns with rsp lower (jit/compile_calls.hpp),
// so wasm callers and the trampolines reset rsp from their frame pointer.
// A single result comes back in rax (integer class) or xmm0 (float class); with 2+ results
// all of them are written to the results area and rax/xmm0 mean nothing.
// Callee-saved registers: compiled code saves only rbp, r14 and r15. It keeps its VMContext in
// r14 and memory 0's base in r15, and rbp as a frame pointer chain (push rbp; mov rbp, rsp) so
// that traps can walk wasm frames. rbx, r12 and r13 are caller-saved between wasm functions:
// a wasm caller spills every register at a call anyway, and host code only ever reaches wasm
// through the wasm entry trampoline, which saves them (the function's own prologue saves the
// host's r14 and r15 and the trampoline's rbp, where a trap finds them: jit/trampolines.hpp). (Host functions are
// System V code, so they preserve more than wasm callers need.)
//
// Reference values: funcref is a VMFuncRef* (null = 0); externref an opaque pointer (null = 0).
#include <cstdint>
#include <cstring>
#include <iterator>
#include <vector>

#include "wasm/detail/base/val_raw.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::abi {

// Register numbers as Xbyak (and the hardware) count them.
enum Gpr : uint8_t { RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7,
                     R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15 };

inline constexpr uint8_t kIntArgRegs[] = {RDI, RSI, RDX, RCX, R8, R9};
inline constexpr unsigned kNumXmmArgRegs = 8;

inline constexpr uint8_t kVMContextReg = R14;   // pinned in compiled code
inline constexpr uint8_t kMemoryBaseReg = R15;  // pinned in compiled code (memory 0's base)

constexpr bool is_float_class(ValType t) {
  return t == ValType::F32 || t == ValType::F64 || t == ValType::V128;
}

// Where one parameter travels.
struct ArgLocation {
  enum class Kind : uint8_t { Gpr, Xmm, Stack } kind = Kind::Gpr;
  uint8_t reg = 0;           // Gpr: register number; Xmm: xmm index
  uint32_t stack_offset = 0; // Stack: offset from rsp at the call instruction
};

struct CallLayout {
  bool has_results_area = false;  // 2+ results
  std::vector<ArgLocation> params;
  uint32_t stack_bytes = 0;       // outgoing stack argument bytes (a multiple of 16)
};

// The one place that decides where parameters go.
inline CallLayout call_layout(const FuncType& type) {
  CallLayout layout;
  layout.has_results_area = type.results.size() > 1;
  unsigned next_int = layout.has_results_area ? 3 : 2;  // after callee, caller (and results)
  unsigned next_xmm = 0;
  uint32_t stack = 0;
  layout.params.reserve(type.params.size());
  for (ValType t : type.params) {
    ArgLocation loc;
    if (is_float_class(t) && next_xmm < kNumXmmArgRegs) {
      loc.kind = ArgLocation::Kind::Xmm;
      loc.reg = uint8_t(next_xmm++);
    } else if (!is_float_class(t) && next_int < std::size(kIntArgRegs)) {
      loc.kind = ArgLocation::Kind::Gpr;
      loc.reg = kIntArgRegs[next_int++];
    } else {
      uint32_t size = t == ValType::V128 ? 16 : 8;
      stack = (stack + size - 1) / size * size;
      loc.kind = ArgLocation::Kind::Stack;
      loc.stack_offset = stack;
      stack += size;
    }
    layout.params.push_back(loc);
  }
  layout.stack_bytes = (stack + 15) / 16 * 16;
  return layout;
}

}  // namespace wasm::detail::abi
