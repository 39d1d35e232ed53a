#pragma once
// The one machine-code stub of exception handling: continue in a compiled function's catch
// handler, given that function's frame. The unwinder (vm/exceptions_unwind.hpp) finds the
// frame and the handler by walking the frame-pointer chain, then calls this with
//   rdi = the frame's rbp, rsi = its VMContext (r14), rdx = the handler, rcx = the exception.
// The handler starts by resetting rsp from rbp (compile_exceptions.hpp) and reloading what
// else it needs, so the stub sets only rbp, r14 and rax and jumps; the C++ frames below are
// abandoned, as a trap abandons them (they hold nothing that needs destroying).
#include <xbyak/xbyak.h>

#include <cstdint>

#include "wasm/detail/jit/trampolines.hpp"

namespace wasm::detail {

class ExceptionStubs {
 public:
  static const ExceptionStubs& get() {
    static const ExceptionStubs stubs;
    return stubs;
  }

  [[noreturn]] void resume(uintptr_t frame, void* vmctx, const void* handler, void* exn) const {
    using Fn = void (*)(uintptr_t, void*, const void*, void*);
    before_abandoning_native_frames();
    reinterpret_cast<Fn>(const_cast<void*>(stub_.entry()))(frame, vmctx, handler, exn);
    __builtin_unreachable();
  }

 private:
  ExceptionStubs() {
    using namespace Xbyak::util;
    Xbyak::CodeGenerator g(256, Xbyak::AutoGrow);
    g.mov(rbp, rdi);
    g.mov(r14, rsi);
    g.mov(rax, rcx);
    g.jmp(rdx);
    stub_ = trampoline_detail::seal(g, "wasmpp-exception-resume", true);
  }
  Stub stub_;
};

}  // namespace wasm::detail
