#pragma once
// Crossing between host and wasm: entering wasm through the entry trampoline (and turning a
// trap recorded in the VMStoreContext into an Error), and running host callbacks for JIT code
// (turning their errors and exceptions into traps).
#include <exception>
#include <string>
#include <utility>

#include "wasm/detail/base/inline.hpp"
#include "wasm/detail/vm/store_data.hpp"
#include "wasm/detail/vm/trap_handler.hpp"

namespace wasm::detail {

// Maps raw trap pcs to frames with function indices and names.
inline std::vector<FrameInfo> symbolize(const TrapBacktrace& bt) {
  std::vector<FrameInfo> frames;
  frames.reserve(bt.count);
  for (uint32_t i = 0; i < bt.count; ++i) {
    auto* module = static_cast<const ModuleState*>(CodeRegistry::get().lookup(bt.pcs[i]));
    if (!module) continue;
    std::optional<uint32_t> func = module->code.function_index_at(bt.pcs[i]);
    if (!func) continue;
    FrameInfo f;
    f.func_index = *func;
    f.func_name = module->info.func_name(f.func_index);
    f.module_offset = module->info.bodies[*func - module->info.num_imported_funcs].offset;
    frames.push_back(std::move(f));
  }
  return frames;
}

inline Error take_trap(StoreData& store) {
  VMStoreContext& sc = store.ctx;
  TrapCode code = TrapCode(sc.trap_code - 1);
  sc.trap_code = 0;
  Error error = Error::trap(code);
  if (code == TrapCode::HostError || store.pending_error) {
    if (store.pending_error) error = std::move(*store.pending_error);
    store.pending_error.reset();
  }
  error.set_backtrace(symbolize(sc.backtrace));
  return error;
}

// The entry trampoline for calls from the host to `target` (EntryStubs::entry_for).
WASMPP_INLINE const void* entry_trampoline_for(const VMFuncRef* target);

// Calls target->code through the entry trampoline `entry` (EntryStubs::entry_for(target))
// with target->vmctx and the native-convention arguments `args` (caller vmctx, ...); R is the
// native return type. This is the whole host-side cost of a typed call, so it writes as little
// memory as it can: the thread's current store context only when it changes, and the stack
// limit only on the outermost entry into the store (which also marks the store as running wasm).
template <typename R, typename... Args>
Result<R> enter_wasm(StoreData& store, const void* entry, const VMFuncRef* target, Args... args) {
  TrapHandler::ensure_installed();
  VMStoreContext& sc = store.ctx;
  // The signal handler finds the store of the running wasm code here. A pointer left behind
  // after an outermost call is never read: the handler reads it only for faults in JIT code,
  // and JIT code runs only below an enter_wasm that set it on this thread.
  VMStoreContext*& current = current_store_context();
  VMStoreContext* const previous = current;
  if (previous != &sc) current = &sc;
  // Wasm may use max_wasm_stack bytes below the outermost entry; prologues check against this
  // limit, which is 0 while no wasm of this store is running.
  const bool outermost = sc.stack_limit == 0;
  if (outermost) sc.stack_limit = uintptr_t(__builtin_frame_address(0)) - store.max_wasm_stack;
  // sc.trap_code is 0 here: take_trap clears it whenever a trap is reported.
  auto fn = reinterpret_cast<R (*)(const VMFuncRef*, Args...)>(const_cast<void*>(entry));
  auto leave = [&] {
    if (outermost) sc.stack_limit = 0;
    if (previous != &sc && previous != nullptr) current = previous;
  };
  if constexpr (std::is_void_v<R>) {
    fn(target, args...);
    leave();
    if (sc.trap_code) [[unlikely]] return take_trap(store);
    return {};
  } else {
    R result = fn(target, args...);
    leave();
    if (sc.trap_code) [[unlikely]] return take_trap(store);
    return result;
  }
}

// Calls a function with its arguments in values[0..n); the results replace them.
WASMPP_INLINE Result<void> call_array(StoreData& store, const VMFuncRef* func, ValRaw* values);

// Unwinds to the innermost entry trampoline with a trap raised on the host side, by host code
// whose frame is `exit_frame` (called by JIT code or an entry trampoline); the error itself
// (if any) is in StoreData::pending_error. A pending wasm exception of this store is thrown
// into the wasm caller (whose VMContext is `caller`) instead.
[[noreturn]] WASMPP_INLINE void raise_host_trap(StoreData& store, uintptr_t exit_frame, VMContext* caller);

// Runs a host callback, turning a thrown exception into a pending HostError trap. Everything
// with a destructor lives and dies in here, before any unwinding.
inline bool run_host_callback(HostFunc& host, VMContext* caller, ValRaw* values) noexcept {
  try {
    return host.callback(*host.store, caller, values);
  } catch (const std::exception& e) {
    host.store->pending_error = Error::trap(TrapCode::HostError, std::string("host function threw: ") + e.what());
  } catch (...) {
    host.store->pending_error = Error::trap(TrapCode::HostError, "host function threw an exception");
  }
  return false;
}

// The array-convention handler behind every HostFunc adapter stub.
inline void host_array_entry(void* host_ctx, void* caller, ValRaw* values, uintptr_t exit_frame) {
  HostFunc* host = static_cast<VMHostContext*>(host_ctx)->owner;
  if (run_host_callback(*host, static_cast<VMContext*>(caller), values)) return;
  raise_host_trap(*host->store, exit_frame, static_cast<VMContext*>(caller));
}

// Creates a host function in `store` with a dynamic (array) callback.
WASMPP_INLINE HostFunc* make_host_func(StoreData& store, const FuncType& type, HostFunc::Callback callback);

}  // namespace wasm::detail

#if !defined(WASMPP_SEPARATE_COMPILATION) || defined(WASMPP_IMPLEMENTATION)
#include "wasm/detail/vm/invoke_impl.hpp"
#endif
