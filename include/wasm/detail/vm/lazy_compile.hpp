#pragma once
// Compilation on first call (Config::lazy_compilation): what the stubs of a lazily compiled
// module (jit/lazy_module.hpp) call when a function runs for the first time.
#include <string>

#include "wasm/detail/vm/builtins_impl.hpp"
#include "wasm/detail/vm/code_loader.hpp"
#include "wasm/detail/vm/engine_state.hpp"

namespace wasm::detail {

// The stubs' callee (jit::LazyCompileFn): compiles defined function `defined` of the module of
// `vmctx` (unless a call on another thread just did) and returns the code the call continues
// at. If compilation fails (out of memory), the call traps with the error as its reason.
inline const void* compile_on_first_call(void* vmctx, uint32_t defined, void* frame) {
  Instance& in = builtin_impl::instance_of(static_cast<VMContext*>(vmctx));
  {
    const ModuleState& module = *in.module;
    auto code = module.compile_once(defined, [&](uint32_t index) {
      return compile_functions(module, module.engine->config, tiers_for(module.engine->config),
                               std::span<const uint32_t>(&index, 1));
    });
    if (code) return *code;
    in.store->pending_error = Error(ErrorKind::Resource, "compiling function " +
                                                           std::to_string(module.info.num_imported_funcs + defined) +
                                                           " on its first call: " + code.error().message());
  }  // nothing with a destructor is left when the trap unwinds
  builtin_impl::trap(static_cast<VMContext*>(vmctx), TrapCode::HostError, frame);
}

}  // namespace wasm::detail
