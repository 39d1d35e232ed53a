#pragma once
// Throwing a wasm exception: find the handler and continue there, or let the exception escape.
//
// Nothing is registered on the way in: a throw walks the frame-pointer chain from the frame
// that threw (a builtin's, or a host function adapter's, whose saved rbp and return address
// lead back into wasm) and asks each wasm frame's module for a handler covering its return
// address (CompiledModule::find_handler). Each frame's VMContext is the r14 its callee's
// prologue saved at [callee rbp - 8]; tags compare by VMTag address through that instance.
// The walk stops at the first return address outside JIT code: an entry trampoline (or the
// array trampoline below it), where the exception escapes to the host as an Error of kind
// Exception, through the same exit path as a trap.
#include <cstdint>

#include "wasm/detail/jit/exception_stubs.hpp"
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/vm/code_registry.hpp"
#include "wasm/detail/vm/module_state.hpp"
#include "wasm/detail/vm/store_data.hpp"
#include "wasm/detail/vm/trap_handler.hpp"

namespace wasm::detail {

// `exit_frame`: a frame whose [0] is the wasm caller's rbp and [1] its return address;
// `vmctx`: that caller's VMContext.
[[noreturn]] inline void throw_wasm_exception(StoreData& store, VMException* exn, VMContext* vmctx,
                                              uintptr_t exit_frame) {
  const uintptr_t* exit = reinterpret_cast<const uintptr_t*>(exit_frame);
  uintptr_t fp = exit[0];
  uintptr_t pc = exit[1];
  VMContext* cx = vmctx;
  const CodeRegistry& registry = CodeRegistry::get();
  while (fp != 0) {
    auto* module = static_cast<const ModuleState*>(registry.lookup(pc));
    if (!module) break;
    const void* handler = nullptr;
    Instance* instance = Instance::from_vmctx(cx);
    module->code.find_handler(pc, [&](uint32_t tag, const void* target) {
      if (tag != jit::HandlerSite::kCatchAll && instance->tags[tag] != exn->tag) return false;
      handler = target;
      return true;
    });
    if (handler) ExceptionStubs::get().resume(fp, cx, handler, exn);
    const uintptr_t* frame = reinterpret_cast<const uintptr_t*>(fp);
    cx = reinterpret_cast<VMContext*>(frame[-1]);  // saved r14: our caller's VMContext
    pc = frame[1];
    fp = frame[0];
  }
  store.pending_error = Error::exception(ExceptionRef{store.id, exn});
  record_trap(&store.ctx, TrapCode::HostError, exit[1], exit[0]);
  EntryStubs::get().unwind(exit_frame);
}

namespace builtin_impl {

inline void throw_tag(VMContext* vmctx, uint32_t tag, const void* first_slot) {
  Instance& in = *Instance::from_vmctx(vmctx);
  VMException* exn = in.store->new_exception(in.tags[tag]);
  const uint8_t* slot = static_cast<const uint8_t*>(first_slot);
  for (size_t i = 0; i < exn->tag->type.params.size(); ++i)
    std::memcpy(&exn->values[i], slot - 16 * i, sizeof(ValRaw));
  throw_wasm_exception(*in.store, exn, vmctx, uintptr_t(__builtin_frame_address(0)));
}

inline void throw_ref(VMContext* vmctx, void* exnref) {
  if (!exnref) {
    Instance& in = *Instance::from_vmctx(vmctx);
    const uintptr_t* f = static_cast<const uintptr_t*>(__builtin_frame_address(0));
    in.store->pending_error = Error::trap(TrapCode::NullReference, "null exception reference");
    record_trap(&in.store->ctx, TrapCode::NullReference, f[1], f[0]);
    EntryStubs::get().unwind(uintptr_t(f));
  }
  Instance& in = *Instance::from_vmctx(vmctx);
  throw_wasm_exception(*in.store, static_cast<VMException*>(exnref), vmctx,
                       uintptr_t(__builtin_frame_address(0)));
}

}  // namespace builtin_impl

}  // namespace wasm::detail
