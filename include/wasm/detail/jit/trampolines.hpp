#pragma once
// Machine-code stubs between the host and JIT code (see jit/abi.hpp for the convention):
//
//  - the entry trampolines: every host→wasm call passes through one. They save the host's
//    callee-saved registers, so a trap anywhere below can return straight to them (no setjmp,
//    no C++ unwinding through JIT frames);
//  - the resume stubs: continue at an entry trampoline's exit path after a trap;
//  - per-signature array trampolines: call native-convention code with arguments taken from,
//    and results written to, a ValRaw array (the untyped Func::call path);
//  - per-signature native-to-array adapters: let JIT code call a host function that takes its
//    arguments as a ValRaw array (dynamically typed host functions).
#include <unistd.h>
#include <xbyak/xbyak.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "wasm/detail/base/sanitizers.hpp"
#include "wasm/detail/env/vmoffsets.hpp"
#include "wasm/detail/jit/abi.hpp"
#include "wasm/detail/jit/code_memory.hpp"
#include "wasm/detail/jit/frame_layout.hpp"
#include "wasm/detail/jit/stub.hpp"
#include "wasm/detail/env/vm_records.hpp"
#include "wasm/detail/jit/profiling/profilers.hpp"

namespace wasm::detail {

namespace trampoline_detail {

inline Stub seal(Xbyak::CodeGenerator& gen, const char* name = "wasmpp-trampoline", bool lives_forever = false) {
  gen.ready();
  Stub stub;
  stub.code = CodeMemory::publish(std::span<const uint8_t>(gen.getCode(), gen.getSize()));
  jit::profiling::register_trampoline(name, stub.code, lives_forever);
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

// The process-wide entry trampolines and the code that resumes them after a trap.
//
// Two trampolines, because what the host pays on every call is mostly stores:
//  - the wasm entry, for callees that begin with the frame prologue of compiled code
//    (push rbp; mov rbp, rsp; push r14; push r15: jit::frame::emit_prologue): it saves rbp,
//    rbx, r12 and r13, as the callee's own prologue saves the host's r14 and r15 right
//    below it, where a trap can find them;
//  - the host entry, for any other native-convention callee (host functions called from the
//    host): it saves all six of System V's callee-saved registers itself.
// Neither stores anything else: a trap finds the innermost trampoline by walking the frame
// pointer chain up to the frame whose return address is a trampoline's (find_entry_frame).
class EntryStubs {
 public:
  static const EntryStubs& get() {
    static const EntryStubs stubs;
    return stubs;
  }

  // Both trampolines are called as
  //   R entry(const VMFuncRef* target, VMContext* caller, args...)   (no stack arguments)
  // and call target->code with the callee VMContext target->vmctx and the other arguments as
  // given. They return normally, or — after a trap — with VMStoreContext::trap_code set.
  // (The target travels in rdi rather than through memory: one store less per call.)
  const void* wasm_entry() const { return code_.data() + wasm_entry_; }
  const void* host_entry() const { return code_.data() + host_entry_; }
  // The trampoline for calling `target` from the host: host functions are told apart by the
  // magic their context starts with (VMHostContext).
  const void* entry_for(const VMFuncRef* target) const {
    return is_instance_vmctx(target->vmctx) ? wasm_entry() : host_entry();
  }

  // A trampoline's frame to resume after a trap.
  struct Resume {
    const void* stub;    // jump here ...
    uintptr_t frame;     // ... with rdi = the frame of the trampoline's callee
  };
  // Walks the frame chain from `frame` (a frame whose return address is in JIT code or a
  // trampoline: a wasm function's, or that of the host code JIT code called) to the frame
  // the innermost entry trampoline called. Allocation- and lock-free: the signal handler
  // calls it too.
  Resume find_entry_frame(uintptr_t frame) const {
    const uintptr_t wasm_return = uintptr_t(code_.data() + wasm_return_);
    const uintptr_t host_return = uintptr_t(code_.data() + host_return_);
    for (uintptr_t fp = frame; fp != 0; fp = reinterpret_cast<const uintptr_t*>(fp)[0]) {
      const uintptr_t return_address = reinterpret_cast<const uintptr_t*>(fp)[1];
      if (return_address == wasm_return) return {code_.data() + wasm_resume_, fp};
      if (return_address == host_return) return {code_.data() + host_resume_, fp};
    }
    return {nullptr, 0};
  }

  // Never returns: continues at the exit path of the innermost entry trampoline above `frame`
  // (as for find_entry_frame), its caller's registers restored.
  [[noreturn]] void unwind(uintptr_t frame) const {
    Resume r = find_entry_frame(frame);
    if (!r.stub) {
      // A broken frame chain: nothing safe to return to.
      static const char msg[] = "wasmpp: trap outside any entry trampoline\n";
      (void)!::write(2, msg, sizeof msg - 1);
      std::abort();
    }
    before_abandoning_native_frames();
    reinterpret_cast<void (*)(uintptr_t)>(const_cast<void*>(r.stub))(r.frame);
    __builtin_unreachable();
  }

  bool ok() const { return bool(code_); }

 private:
  EntryStubs() {
    using namespace Xbyak::util;
    Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
    auto call_target = [&] {
      g.mov(rax, rdi);
      g.mov(rdi, g.qword[rax + vmlayout::VMFuncRef::vmctx]);
      g.call(g.qword[rax + vmlayout::VMFuncRef::code]);
    };
    // Wasm entry. At entry rsp = 8 (mod 16); four pushes and 8 bytes make it 0 for the call.
    // It keeps a frame of its own because the callee may return with rsp lower than it was:
    // a tail call to a function with stack arguments extends the (empty) argument area
    // downward (jit/compile_calls.hpp), so the exit restores rsp from rbp.
    Xbyak::Label wasm_exit, host_exit;
    wasm_entry_ = g.getSize();
    g.push(rbp);
    g.mov(rbp, rsp);
    g.push(rbx);
    g.push(r12);
    g.push(r13);
    g.sub(rsp, 8);
    call_target();
    wasm_return_ = g.getSize();
    g.L(wasm_exit);
    g.lea(rsp, g.ptr[rbp - 24]);
    g.pop(r13);
    g.pop(r12);
    g.pop(rbx);
    g.pop(rbp);
    g.ret();
    // Its resume stub, rdi = the callee's frame: the callee's prologue saved the trampoline's
    // rbp and the host's r14, r15.
    g.align(16);
    wasm_resume_ = g.getSize();
    g.mov(rbp, g.qword[rdi + jit::frame::kSavedRbp]);
    g.mov(r14, g.qword[rdi + jit::frame::kSavedR14]);
    g.mov(r15, g.qword[rdi + jit::frame::kSavedR15]);
    g.jmp(wasm_exit);

    // Host entry: six pushes and 8 bytes keep rsp 16-byte aligned at the call.
    g.align(16);
    host_entry_ = g.getSize();
    g.push(rbp);
    g.push(rbx);
    g.push(r12);
    g.push(r13);
    g.push(r14);
    g.push(r15);
    g.sub(rsp, 8);
    call_target();
    host_return_ = g.getSize();
    g.L(host_exit);
    g.add(rsp, 8);
    g.pop(r15);
    g.pop(r14);
    g.pop(r13);
    g.pop(r12);
    g.pop(rbx);
    g.pop(rbp);
    g.ret();
    g.align(16);
    host_resume_ = g.getSize();
    g.lea(rsp, g.ptr[rdi + 16]);
    g.jmp(host_exit);
    code_ = trampoline_detail::seal(g, "wasmpp-entry-trampolines", true).code;
  }

  CodeMemory code_;
  size_t wasm_entry_ = 0, wasm_return_ = 0, wasm_resume_ = 0;
  size_t host_entry_ = 0, host_return_ = 0, host_resume_ = 0;
};

// void array_call(VMContext* callee, VMContext* caller, const void* code, ValRaw* values):
// loads the parameters from values[0..n), calls `code`, stores the results to values[0..m).
inline Stub make_array_to_native(const FuncType& type) {
  using namespace Xbyak::util;
  using trampoline_detail::load_value;
  abi::CallLayout layout = abi::call_layout(type);
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  // Reached through the wasm entry trampoline, so it starts with the frame prologue of
  // compiled code. The callee may clobber every register but rbp, r14 and r15, so the array
  // pointer lives in the frame.
  jit::frame::emit_prologue(g);
  g.push(rcx);  // [rbp - 24]: the ValRaw array
  g.push(rdx);  // [rbp - 32]: the code to call; rsp = 0 (mod 16)
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
  g.call(g.qword[rbp - 32]);
  g.mov(r11, g.qword[rbp - 24]);
  if (type.results.size() == 1) {
    if (abi::is_float_class(type.results[0])) g.movdqu(g.xword[r11], xmm0);
    else g.mov(g.qword[r11], rax);
  }
  g.leave();
  g.ret();
  return trampoline_detail::seal(g, "wasmpp-array-to-native-trampoline");
}

// The host side of a dynamically typed host function:
//   void handler(void* host_ctx, void* caller_vmctx, ValRaw* values, uintptr_t exit_frame)
// reads the parameters from values[0..n) and writes the results to values[0..m); exit_frame is
// the adapter's frame (its return address leads back to the caller), where a trap unwinds from.
using ArrayHostFn = void (*)(void* host_ctx, void* caller, ValRaw* values, uintptr_t exit_frame);

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
  g.mov(rcx, rbp);
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
  return trampoline_detail::seal(g, "wasmpp-native-to-array-adapter");
}

}  // namespace wasm::detail
