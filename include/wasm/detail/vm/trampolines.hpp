#pragma once
// Machine-code stubs between the host and JIT code (see jit/abi.hpp for the convention):
//
//  - the entry trampoline: every host→wasm call passes through it. It saves the host's
//    callee-saved registers and records its stack pointer in the VMStoreContext, so a trap
//    anywhere below can return straight to it (no setjmp, no C++ unwinding through JIT frames);
//  - the unwind stub: resumes at the entry trampoline's exit path after a trap;
//  - per-signature array trampolines: call native-convention code with arguments taken from,
//    and results written to, a ValRaw array (the untyped Func::call path);
//  - per-signature native-to-array adapters: let JIT code call a host function that takes its
//    arguments as a ValRaw array (dynamically typed host functions).
#include <xbyak/xbyak.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "wasm/detail/env/vmoffsets.hpp"
#include "wasm/detail/jit/abi.hpp"
#include "wasm/detail/jit/code_memory.hpp"
#include "wasm/detail/vm/vm_store_context.hpp"
#include "wasm/detail/vm/vmcontext_records.hpp"

namespace wasm::detail {

// An assembled stub: its code memory and entry point.
struct Stub {
  CodeMemory code;
  const void* entry() const { return code.data(); }
};

namespace trampoline_detail {

inline Stub seal(Xbyak::CodeGenerator& gen) {
  gen.ready();
  Stub stub;
  stub.code = CodeMemory::publish(std::span<const uint8_t>(gen.getCode(), gen.getSize()));
  return stub;
}

inline const Xbyak::Reg64& gpr(uint8_t index) {
  static const Xbyak::Reg64 regs[16] = {
      Xbyak::util::rax, Xbyak::util::rcx, Xbyak::util::rdx, Xbyak::util::rbx,
      Xbyak::util::rsp, Xbyak::util::rbp, Xbyak::util::rsi, Xbyak::util::rdi,
      Xbyak::util::r8,  Xbyak::util::r9,  Xbyak::util::r10, Xbyak::util::r11,
      Xbyak::util::r12, Xbyak::util::r13, Xbyak::util::r14, Xbyak::util::r15};
  return regs[index];
}

// Loads/stores one value of type t between a register location and memory.
inline void load_value(Xbyak::CodeGenerator& g, ValType t, const abi::ArgLocation& loc,
                       const Xbyak::Address& from, const Xbyak::Reg64& tmp) {
  using Kind = abi::ArgLocation::Kind;
  if (loc.kind == Kind::Gpr) {
    g.mov(gpr(loc.reg), from);
  } else if (loc.kind == Kind::Xmm) {
    g.movdqu(Xbyak::Xmm(loc.reg), from);
  } else {
    Xbyak::Address to = g.qword[g.rsp + loc.stack_offset];
    if (t == ValType::V128) {
      g.movdqu(Xbyak::util::xmm15, from);
      g.movdqu(g.xword[g.rsp + loc.stack_offset], Xbyak::util::xmm15);
    } else {
      g.mov(tmp, from);
      g.mov(to, tmp);
    }
  }
}

}  // namespace trampoline_detail

// The process-wide entry trampoline and unwind stub.
class EntryStubs {
 public:
  static const EntryStubs& get() {
    static const EntryStubs stubs;
    return stubs;
  }

  // Calls target->code with the callee VMContext target->vmctx and the other arguments as given:
  //   R entry(const VMFuncRef* target, VMContext* caller, args...)   (no stack arguments)
  // (The target travels in rdi rather than through memory: one store less per call.)
  // Returns normally, or — after a trap — with VMStoreContext::trap_code set.
  const void* entry() const { return entry_.entry(); }

  // Never returns: continues at the exit path of the innermost entry trampoline of `sc`.
  [[noreturn]] void unwind(VMStoreContext* sc) const {
    reinterpret_cast<void (*)(VMStoreContext*)>(const_cast<void*>(unwind_))(sc);
    __builtin_unreachable();
  }
  const void* unwind_address() const { return unwind_; }

  bool ok() const { return bool(entry_.code); }

 private:
  EntryStubs() {
    using namespace Xbyak::util;
    Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
    Xbyak::Label exit_path;
    // At entry rsp = 8 (mod 16); six pushes and 8 bytes make it 0 again for the call. Compiled
    // code preserves only rbp, r14 and r15 (jit/abi.hpp), and a trap returns here with none of
    // them restored, so all of System V's callee-saved registers are saved here.
    g.push(rbp);
    g.mov(rbp, rsp);
    g.push(rbx);
    g.push(r12);
    g.push(r13);
    g.push(r14);
    g.push(r15);
    g.sub(rsp, 8);
    // rbx (callee-saved, so it survives the call) holds the store context. The caller
    // (enter_wasm) restores the previous entry_sp afterwards.
    g.mov(rax, rdi);
    g.mov(rdi, g.qword[rax + offsetof(VMFuncRef, vmctx)]);
    g.mov(rbx, g.qword[rdi + VMOffsets::store_context()]);
    g.mov(g.qword[rbx + store_ctx::kEntrySp], rsp);
    g.call(g.qword[rax + offsetof(VMFuncRef, code)]);
    g.L(exit_path);
    g.add(rsp, 8);
    g.pop(r15);
    g.pop(r14);
    g.pop(r13);
    g.pop(r12);
    g.pop(rbx);
    g.pop(rbp);
    g.ret();
    // The unwind stub: rdi = VMStoreContext*.
    g.align(16);
    size_t unwind_offset = g.getSize();
    g.mov(rsp, g.qword[rdi + store_ctx::kEntrySp]);
    g.jmp(exit_path);
    entry_ = trampoline_detail::seal(g);
    unwind_ = entry_.code ? entry_.code.data() + unwind_offset : nullptr;
  }

  Stub entry_;
  const void* unwind_ = nullptr;
};

// void array_call(VMContext* callee, VMContext* caller, const void* code, abi::ValRaw* values):
// loads the parameters from values[0..n), calls `code`, stores the results to values[0..m).
using ArrayCallFn = void (*)(void* callee, void* caller, const void* code, abi::ValRaw* values);

inline Stub make_array_to_native(const FuncType& type) {
  using namespace Xbyak::util;
  using trampoline_detail::load_value;
  abi::CallLayout layout = abi::call_layout(type);
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  // Only reached through the entry trampoline, which saved the host's registers; the callee
  // may clobber every register but rbp, r14 and r15, so the array pointer lives in the frame.
  g.push(rbp);
  g.mov(rbp, rsp);
  g.push(rcx);  // [rbp - 8]: the ValRaw array
  g.push(rdx);  // [rbp - 16]: the code to call; rsp = 0 (mod 16)
  g.mov(r11, rcx);
  if (layout.stack_bytes) g.sub(rsp, layout.stack_bytes);
  // Stack arguments first (they use rax as a temporary), then registers.
  for (size_t i = 0; i < type.params.size(); ++i) {
    if (layout.params[i].kind == abi::ArgLocation::Kind::Stack) {
      load_value(g, type.params[i], layout.params[i], g.qword[r11 + i * 16], rax);
    }
  }
  for (size_t i = 0; i < type.params.size(); ++i) {
    if (layout.params[i].kind != abi::ArgLocation::Kind::Stack) {
      load_value(g, type.params[i], layout.params[i], g.qword[r11 + i * 16], rax);
    }
  }
  // With 2+ results the callee writes them straight into the array (the parameters have all
  // been loaded by then).
  if (layout.has_results_area) g.mov(rdx, r11);
  g.call(g.qword[rbp - 16]);
  g.mov(r11, g.qword[rbp - 8]);
  if (type.results.size() == 1) {
    if (abi::is_float_class(type.results[0])) g.movdqu(g.xword[r11], xmm0);
    else g.mov(g.qword[r11], rax);
  }
  g.leave();
  g.ret();
  return trampoline_detail::seal(g);
}

// The host side of a dynamically typed host function:
//   void handler(void* host_ctx, void* caller_vmctx, abi::ValRaw* values)
// reads the parameters from values[0..n) and writes the results to values[0..m).
using ArrayHostFn = void (*)(void* host_ctx, void* caller, abi::ValRaw* values);

// Native-convention code that JIT code can call like any function of type `type`: it spills the
// arguments to a ValRaw array on its stack, calls `handler`, and returns the results natively.
inline Stub make_native_to_array(const FuncType& type, ArrayHostFn handler) {
  using namespace Xbyak::util;
  using Kind = abi::ArgLocation::Kind;
  abi::CallLayout layout = abi::call_layout(type);
  size_t slots = std::max(type.params.size(), type.results.size());
  uint32_t frame = uint32_t((slots * 16 + 8 + 15) / 16 * 16);  // + the saved results pointer
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  g.push(rbp);
  g.mov(rbp, rsp);
  g.sub(rsp, frame);
  // Record where wasm left off, for backtraces of traps raised by the host function.
  g.mov(rax, g.qword[rsi + VMOffsets::store_context()]);
  g.mov(g.qword[rax + store_ctx::kLastExitFp], rbp);
  g.mov(r10, g.qword[rbp + 8]);
  g.mov(g.qword[rax + store_ctx::kLastExitPc], r10);
  for (size_t i = 0; i < type.params.size(); ++i) {
    const abi::ArgLocation& loc = layout.params[i];
    Xbyak::Address slot = g.qword[rsp + i * 16];
    if (loc.kind == Kind::Gpr) {
      g.mov(slot, trampoline_detail::gpr(loc.reg));
    } else if (loc.kind == Kind::Xmm) {
      g.movdqu(g.xword[rsp + i * 16], Xbyak::Xmm(loc.reg));
    } else {
      // Caller's stack arguments sit above the return address and saved rbp.
      g.movdqu(xmm15, g.xword[rbp + 16 + loc.stack_offset]);
      g.movdqu(g.xword[rsp + i * 16], xmm15);
    }
  }
  if (layout.has_results_area) g.mov(g.qword[rsp + slots * 16], rdx);
  g.mov(rdx, rsp);
  g.mov(rax, reinterpret_cast<uintptr_t>(handler));
  g.call(rax);
  if (type.results.size() == 1) {
    if (abi::is_float_class(type.results[0])) g.movdqu(xmm0, g.xword[rsp]);
    else g.mov(rax, g.qword[rsp]);
  } else if (layout.has_results_area) {
    g.mov(rcx, g.qword[rsp + slots * 16]);
    for (size_t i = 0; i < type.results.size(); ++i) {
      g.movdqu(xmm15, g.xword[rsp + i * 16]);
      g.movdqu(g.xword[rcx + i * 16], xmm15);
    }
  }
  g.leave();
  g.ret();
  return trampoline_detail::seal(g);
}

}  // namespace wasm::detail
