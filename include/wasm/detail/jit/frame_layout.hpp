#pragma once
// The frame of a compiled function, addressed from rbp:
//
//   [rbp + 16 + k]   incoming stack arguments (abi::call_layout)
//   [rbp + 8]        return address;  [rbp] caller's rbp (the frame chain)
//   [rbp - 8], [rbp - 16]  saved r14, r15 (the caller's VMContext and memory base; for the
//                    first wasm frame, the host's: the wasm entry trampoline does not save them)
//   [rbp - 24]       the caller's results area pointer (functions with 2+ results)
//   [rbp - 32]       VMFuncRef* of the pending call_indirect
//   [rbp - 48 - 16i] value slot i: local i, or value-stack entry i (locals come first);
//                    16 bytes and 16-aligned (rbp is), so a v128 fits any slot
//   ...
//   [rsp + 0 ..]     results area for callees with 2+ results (16 bytes per result)
//
// Every value-stack position owns one slot, so spilling never has to search for space.
// Slots are 16 bytes for every type: the alternative (8-byte slots, v128 taking two) would make
// a slot's address depend on the types below it, which merges and spills cannot afford.
#include <xbyak/xbyak.h>

#include <cstdint>

namespace wasm::detail::jit::frame {

// Where the frame prologue leaves the caller's registers, from the new rbp.
inline constexpr int32_t kSavedRbp = 0;
inline constexpr int32_t kSavedR14 = -8;
inline constexpr int32_t kSavedR15 = -16;

// The first instructions of every compiled function and of the array trampolines. The wasm
// entry trampoline relies on them: after a trap it restores its own rbp and the host's r14 and r15 from
// the frame of its callee (jit/trampolines.hpp).
inline void emit_prologue(Xbyak::CodeGenerator& g) {
  g.push(g.rbp);
  g.mov(g.rbp, g.rsp);
  g.push(g.r14);
  g.push(g.r15);
}

// Only r14 and r15 are saved: every call spills all allocatable registers, so a wasm caller
// keeps nothing in rbx/r12/r13 across a call, and the entry trampoline saves the host's.
inline constexpr int32_t kSavedRegsBytes = 16;  // r14, r15
inline constexpr int32_t kResultsPtr = -24;
inline constexpr int32_t kCallTarget = -32;
inline constexpr int32_t kFirstSlot = -48;
inline constexpr int32_t kSlotBytes = 16;
inline constexpr int32_t kIncomingArgs = 16;

constexpr int32_t slot(uint32_t index) { return kFirstSlot - kSlotBytes * int32_t(index); }

// Bytes of the `sub rsp` after the pushes: keeps rsp 16-byte aligned at calls.
// rsp = rbp - kSavedRegsBytes after the pushes, a multiple of 16 (rbp is 16-aligned).
constexpr uint32_t frame_bytes(uint32_t max_slots, uint32_t max_call_results) {
  return uint32_t(-kFirstSlot - kSlotBytes - kSavedRegsBytes) + uint32_t(kSlotBytes) * max_slots +
         16 * max_call_results;
}
static_assert(kSavedRegsBytes % 16 == 0 && (-kFirstSlot - kSlotBytes - kSavedRegsBytes) % 16 == 0);

// Sizes beyond this are refused rather than risk a displacement overflow.
inline constexpr uint32_t kMaxSlots = 1u << 23;

}  // namespace wasm::detail::jit::frame
