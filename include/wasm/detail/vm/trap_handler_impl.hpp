#pragma once
// TrapHandler's definitions that need the entry trampolines (see detail/base/inline.hpp).
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/vm/trap_handler.hpp"

namespace wasm::detail {

WASMPP_INLINE void TrapHandler::handle(int sig, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  uintptr_t pc = uintptr_t(uc->uc_mcontext.gregs[REG_RIP]);
  // The code check comes first: current_store_context() may be stale outside wasm code.
  VMStoreContext* sc = CodeRegistry::get().contains(pc) ? current_store_context() : nullptr;
  if (sc) {
    // Compiled code faults only in function bodies, where rbp is the function's frame.
    const uintptr_t fp = uintptr_t(uc->uc_mcontext.gregs[REG_RBP]);
    EntryStubs::Resume resume = EntryStubs::get().find_entry_frame(fp);
    if (resume.stub) {
      record_trap(sc, code_for_signal(sig), pc, fp);
      uc->uc_mcontext.gregs[REG_RIP] = greg_t(resume.stub);
      uc->uc_mcontext.gregs[REG_RDI] = greg_t(resume.frame);
      return;
    }
  }
  forward(sig, info, context);
}

}  // namespace wasm::detail
