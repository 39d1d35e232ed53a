#pragma once
// call_indirect's checks, as every tier emits them: the tiers differ only in which registers
// must survive the builtins called on the way.
#include <xbyak/xbyak.h>

#include <cstdint>

#include "wasm/detail/env/builtins.hpp"
#include "wasm/detail/env/vm_records.hpp"
#include "wasm/detail/env/vmoffsets.hpp"
#include "wasm/detail/jit/compile_env.hpp"
#include "wasm/detail/jit/emit_numeric_base.hpp"
#include "wasm/detail/jit/frame_layout.hpp"

namespace wasm::detail::jit {

// With the element index in r11 (an i32 zero-extended or an i64: the 64-bit compare traps on
// any index past the end, 2^32 and beyond included), traps on an index outside table `table`,
// a null entry, or a function whose type is neither type `type_index` nor, when that type is
// not final, a declared subtype of it. Leaves the VMFuncRef* in rax and at [rbp + kCallTarget].
// `call_builtin(b, load_args)` calls builtin b, keeping the registers the tier needs: it runs
// load_args() (which sets esi and rdx, the arguments after the VMContext) once those registers
// are safe to overwrite, and leaves the builtin's result in rax.
template <typename CallBuiltin>
void emit_indirect_call_target(Xbyak::CodeGenerator& a, TrapSink& traps, const CompileEnv& env,
                               uint32_t type_index, uint32_t table, CallBuiltin&& call_builtin) {
  using namespace Xbyak::util;
  using numeric_detail::trap_if;
  const VMOffsets& o = env.offsets;
  if (env.table_is_imported(table)) {
    a.mov(rax, a.qword[r14 + o.imported_table_from(table)]);
    a.cmp(r11, a.qword[rax + vmlayout::VMTableDefinition::current_elements]);
    trap_if(a, CompareCond::AE, traps, TrapCode::TableOutOfBounds);
    a.mov(rax, a.qword[rax + vmlayout::VMTableDefinition::base]);
  } else {
    const uint32_t d = env.defined_table(table);
    a.cmp(r11, a.qword[r14 + o.table_current_elements(d)]);
    trap_if(a, CompareCond::AE, traps, TrapCode::TableOutOfBounds);
    a.mov(rax, a.qword[r14 + o.table_base(d)]);
  }
  a.mov(rax, a.qword[rax + r11 * 8]);
  // Slot word: 0 = not initialised yet, else VMFuncRef* | 1 (initialised null is 1).
  Xbyak::Label initialised;
  a.test(rax, rax);
  a.jnz(initialised, Xbyak::CodeGenerator::T_NEAR);
  call_builtin(Builtin::table_lazy_init, [&] {  // the untagged VMFuncRef* or null
    a.mov(rdx, r11);
    a.mov(esi, table);
  });
  a.L(initialised);
  a.and_(rax, -2);
  trap_if(a, CompareCond::E, traps, TrapCode::IndirectCallToNull);
  a.mov(a.qword[rbp + frame::kCallTarget], rax);
  a.mov(r11, a.qword[r14 + VMOffsets::type_ids()]);
  a.mov(r11d, a.dword[r11 + int32_t(4 * type_index)]);
  a.cmp(r11d, a.dword[rax + vmlayout::VMFuncRef::type_id]);
  if (!env.type_has_subtypes(type_index)) {
    trap_if(a, CompareCond::NE, traps, TrapCode::BadSignature);
    return;
  }
  // Another type may still be a declared subtype: the engine's type registry knows.
  Xbyak::Label same;
  a.je(same, Xbyak::CodeGenerator::T_NEAR);
  call_builtin(Builtin::func_subtype, [&] {
    a.mov(esi, a.dword[rax + vmlayout::VMFuncRef::type_id]);
    a.mov(edx, r11d);
  });
  a.test(eax, eax);
  trap_if(a, CompareCond::E, traps, TrapCode::BadSignature);
  a.mov(rax, a.qword[rbp + frame::kCallTarget]);
  a.L(same);
}

}  // namespace wasm::detail::jit
