#pragma once
// Stub, an assembled piece of machine code, and the signature of an array-call trampoline:
// what the runtime keeps of trampolines.hpp without parsing the assembler.
#include "wasm/detail/base/val_raw.hpp"
#include "wasm/detail/jit/code_memory.hpp"

namespace wasm::detail {

// An assembled stub: its code memory and entry point.
struct Stub {
  CodeMemory code;
  const void* entry() const { return code.data(); }
};

// void array_call(VMContext* callee, VMContext* caller, const void* code, ValRaw* values):
// loads the parameters from values[0..n), calls `code`, stores the results to values[0..m).
using ArrayCallFn = void (*)(void* callee, void* caller, const void* code, ValRaw* values);

}  // namespace wasm::detail
