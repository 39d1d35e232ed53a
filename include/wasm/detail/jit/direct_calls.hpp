#pragma once
// Direct calls between a module's defined functions, as every tier emits them. They go through
// the module's table of entry points (compiled_module.hpp) with `call/jmp qword [rip + disp32]`,
// so that replacing a function's code (tier-up, lazy compilation) is one store to the table.
// The displacement is a CallReloc, filled in when the function is laid out (code_layout.hpp).
#include <xbyak/xbyak.h>

#include <cstdint>
#include <vector>

#include "wasm/detail/jit/compiled_function.hpp"

namespace wasm::detail::jit {

namespace direct_calls_detail {
inline void emit_through_entry(Xbyak::CodeGenerator& a, std::vector<CallReloc>& calls, uint32_t callee,
                               uint8_t modrm) {
  a.db(0xFF);
  a.db(modrm);  // /2 call or /4 jmp, [rip + disp32]
  calls.push_back(CallReloc{uint32_t(a.getSize()), callee});
  a.dd(0);
}
}  // namespace direct_calls_detail

// call qword [rip + entry of `callee`] (a function index of a defined function).
inline void emit_direct_call(Xbyak::CodeGenerator& a, std::vector<CallReloc>& calls, uint32_t callee) {
  direct_calls_detail::emit_through_entry(a, calls, callee, 0x15);
}

// jmp qword [rip + entry of `callee`]: a tail call.
inline void emit_direct_jump(Xbyak::CodeGenerator& a, std::vector<CallReloc>& calls, uint32_t callee) {
  direct_calls_detail::emit_through_entry(a, calls, callee, 0x25);
}

}  // namespace wasm::detail::jit
