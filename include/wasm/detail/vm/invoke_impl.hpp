#pragma once
// The definitions of invoke.hpp that need trampolines (see detail/base/inline.hpp).
#include "wasm/detail/jit/trampolines.hpp"
#include "wasm/detail/vm/exceptions_unwind.hpp"
#include "wasm/detail/vm/invoke.hpp"

namespace wasm::detail {

WASMPP_INLINE const void* entry_trampoline_for(const VMFuncRef* target) {
  return EntryStubs::get().entry_for(target);
}

WASMPP_INLINE Result<void> call_array(StoreData& store, const VMFuncRef* func, ValRaw* values) {
  ArrayCallFn trampoline = store.engine->array_trampoline(func->type_id);
  VMFuncRef target;
  target.code = reinterpret_cast<void*>(trampoline);
  target.vmctx = func->vmctx;
  return enter_wasm<void>(store, EntryStubs::get().wasm_entry(), &target, static_cast<void*>(func->vmctx),
                          static_cast<const void*>(func->code), values);
}

[[noreturn]] WASMPP_INLINE void raise_host_trap(StoreData& store, uintptr_t exit_frame, VMContext* caller) {
  if (store.pending_error && store.pending_error->exception() && caller && is_instance_vmctx(caller)) {
    ExceptionRef exn = *store.pending_error->exception();
    if (exn.store_id == store.id) {
      store.pending_error.reset();
      throw_wasm_exception(store, static_cast<VMException*>(exn.raw), caller, exit_frame);
    }
  }
  VMStoreContext* sc = &store.ctx;
  TrapCode code = TrapCode::HostError;
  if (store.pending_error && store.pending_error->trap_code()) code = *store.pending_error->trap_code();
  const uintptr_t* frame = reinterpret_cast<const uintptr_t*>(exit_frame);
  record_trap(sc, code, frame[1], frame[0]);
  EntryStubs::get().unwind(exit_frame);
}

WASMPP_INLINE HostFunc* make_host_func(StoreData& store, const FuncType& type, HostFunc::Callback callback) {
  auto host = std::make_unique<HostFunc>();
  host->vmctx.store_context = &store.ctx;
  host->vmctx.owner = host.get();
  host->store = &store;
  host->type = type;
  host->callback = std::move(callback);
  host->adapter = make_native_to_array(type, &host_array_entry);
  host->ref.code = const_cast<void*>(host->adapter.entry());
  host->ref.vmctx = reinterpret_cast<VMContext*>(&host->vmctx);
  host->ref.type_id = store.engine->types.intern(type);
  HostFunc* raw = host.get();
  store.host_funcs.push_back(std::move(host));
  return raw;
}

}  // namespace wasm::detail
