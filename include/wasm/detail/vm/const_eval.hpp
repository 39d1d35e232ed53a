#pragma once
// Evaluates validated constant expressions (global initialisers, segment offsets and element
// items) against a partly built instance, or without one when they read no global and name no
// function (memory images are laid out once per module from such offsets).
#include <cstring>
#include <optional>
#include <vector>

#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/jit/abi.hpp"

namespace wasm::detail {

// `entity(instruction)` gives the value of a global.get or ref.func, or nullopt to give up.
template <typename EntityValue>
std::optional<ValRaw> eval_const_with(const ConstExpr& expr, EntityValue&& entity) {
  // Validation guarantees a well-typed expression; extended-const adds i32/i64 add, sub, mul.
  std::vector<ValRaw> stack;
  stack.reserve(expr.code.size());
  for (const Instruction& in : expr.code) {
    ValRaw v;
    std::memset(&v, 0, sizeof v);
    switch (in.op) {
      case Op::I32Const: v.i32 = in.i32(); break;
      case Op::I64Const: v.i64 = in.i64(); break;
      case Op::F32Const: v.i64 = int64_t(uint32_t(in.bits)); break;
      case Op::F64Const: v.i64 = int64_t(in.bits); break;
      case Op::V128Const: std::memcpy(v.v128, in.v128.data(), 16); break;
      case Op::RefNull: v.ref = nullptr; break;
      case Op::RefFunc:
      case Op::GlobalGet: {
        std::optional<ValRaw> value = entity(in);
        if (!value) return std::nullopt;
        v = *value;
        break;
      }
      case Op::I32Add: case Op::I32Sub: case Op::I32Mul:
      case Op::I64Add: case Op::I64Sub: case Op::I64Mul: {
        ValRaw rhs = stack.back();
        stack.pop_back();
        ValRaw lhs = stack.back();
        stack.pop_back();
        uint64_t a = uint64_t(lhs.i64), b = uint64_t(rhs.i64);
        uint64_t r = in.op == Op::I32Add || in.op == Op::I64Add ? a + b
                   : in.op == Op::I32Sub || in.op == Op::I64Sub ? a - b : a * b;
        if (in.op == Op::I32Add || in.op == Op::I32Sub || in.op == Op::I32Mul) r = uint32_t(r);
        v.i64 = int64_t(r);
        break;
      }
      default: break;  // not a constant instruction: rejected by the validator
    }
    stack.push_back(v);
  }
  return stack.empty() ? ValRaw{} : stack.back();
}

// Against `instance` (an Instance; a template so that this header needs no instance.hpp, which
// includes it through ModuleState's memory images).
template <typename InstanceT>
ValRaw eval_const(const ConstExpr& expr, InstanceT& instance) {
  return *eval_const_with(expr, [&](const Instruction& in) -> std::optional<ValRaw> {
    ValRaw v;
    std::memset(&v, 0, sizeof v);
    if (in.op == Op::RefFunc) v.ref = instance.func_ref(in.index);
    else std::memcpy(&v, instance.global(in.index)->storage, 16);
    return v;
  });
}

// The value when it is the same in every instance (no global.get, no ref.func), else nullopt.
inline std::optional<ValRaw> eval_const_static(const ConstExpr& expr) {
  return eval_const_with(expr, [](const Instruction&) -> std::optional<ValRaw> { return std::nullopt; });
}

}  // namespace wasm::detail
