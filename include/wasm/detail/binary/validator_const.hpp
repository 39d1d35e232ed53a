#pragma once
// Constant expressions: global initialisers, segment offsets and element items.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wasm/detail/binary/validator_function.hpp"
#include "wasm/detail/binary/module_info.hpp"
#include "wasm/error.hpp"
#include "wasm/features.hpp"

namespace wasm::detail {

class ConstExprValidator {
 public:
  ConstExprValidator(const ModuleInfo& module, const Features& features)
      : m_(module), features_(features) {}

  // Checks that `expr` is constant and produces exactly one `expected`. `what` and `index`
  // name the owner in messages ("global 2", "elem segment 0", "data segment 1").
  // In WebAssembly 2.0, global.get may read only imported immutable globals; with GC (3.0) any
  // immutable global, a global's initializer only those before it.
  std::optional<Error> check(const ConstExpr& expr, ValType expected, const char* what,
                             uint32_t index) {
    stack_.clear();
    for (const Instruction& in : expr.code) {
      switch (in.op) {
        case Op::I32Const: stack_.push_back(ValType::I32); break;
        case Op::I64Const: stack_.push_back(ValType::I64); break;
        case Op::F32Const: stack_.push_back(ValType::F32); break;
        case Op::F64Const: stack_.push_back(ValType::F64); break;
        case Op::V128Const: stack_.push_back(ValType::V128); break;
        case Op::RefNull:
          if (in.type.has_index() && in.type.index() >= m_.types.size())
            return error("unknown type " + std::to_string(in.type.index()), what, index, in.offset);
          stack_.push_back(in.type);
          break;
        case Op::RefFunc:
          if (in.index >= m_.func_types.size())
            return error("unknown function " + std::to_string(in.index), what, index, in.offset);
          stack_.push_back(ValType::ref_index(m_.func_types[in.index], false));  // (ref $t)
          break;
        case Op::GlobalGet: {
          if (in.index >= readable_globals(what, index))
            return error("unknown global " + std::to_string(in.index) +
                             (features_.gc ? " (a global's initializer may read only the globals before it)"
                                           : " (constant expressions may read only imported globals)"),
                         what, index, in.offset);
          const GlobalType& g = m_.globals[in.index];
          if (g.mutable_)
            return error("constant expression required: global " + std::to_string(in.index) +
                             " is mutable",
                         what, index, in.offset);
          stack_.push_back(g.type);
          break;
        }
        case Op::I32Add:
        case Op::I32Sub:
        case Op::I32Mul:
        case Op::I64Add:
        case Op::I64Sub:
        case Op::I64Mul: {
          if (!features_.extended_const) return not_constant(in, what, index);
          ValType t = slot_type(in.info().result);
          if (stack_.size() < 2 || stack_[stack_.size() - 1] != t || stack_[stack_.size() - 2] != t)
            return error(std::string("type mismatch: ") + in.info().text + " needs two " +
                             valtype_name(t) + " operands",
                         what, index, in.offset);
          stack_.pop_back();
          break;
        }
        default:
          if (features_.gc && is_gc_constant(in.op)) {
            if (auto e = step_gc(in, what, index)) return e;
            break;
          }
          return not_constant(in, what, index);
      }
    }
    if (stack_.size() != 1 || !m_.subtype(stack_[0], expected)) {
      std::string found;
      for (ValType t : stack_) (found += found.empty() ? "" : " ") += valtype_name(t);
      return error(std::string("type mismatch: constant expression must produce ") +
                       valtype_name(expected) + " but produces [" + found + "]",
                   what, index, expr.offset);
    }
    return std::nullopt;
  }

 private:
  static constexpr bool is_gc_constant(Op op) {
    switch (op) {
      case Op::StructNew:
      case Op::StructNewDefault:
      case Op::ArrayNew:
      case Op::ArrayNewDefault:
      case Op::ArrayNewFixed:
      case Op::RefI31:
      case Op::AnyConvertExtern:
      case Op::ExternConvertAny: return true;
      default: return false;
    }
  }

  // Pops one operand of type `t`.
  std::optional<Error> pop(ValType t, const Instruction& in, const char* what, uint32_t index) {
    if (stack_.empty() || !m_.subtype(stack_.back(), t))
      return error(std::string("type mismatch: ") + in.info().text + " expected " + valtype_name(t) +
                       (stack_.empty() ? std::string(" but the stack is empty") : " but found " + valtype_name(stack_.back())),
                   what, index, in.offset);
    stack_.pop_back();
    return std::nullopt;
  }

  // The constant GC instructions: allocations, ref.i31 and the any / extern conversions.
  std::optional<Error> step_gc(const Instruction& in, const char* what, uint32_t index) {
    using H = ValType::Heap;
    const bool is_struct = in.op == Op::StructNew || in.op == Op::StructNewDefault;
    if (is_struct || in.op == Op::ArrayNew || in.op == Op::ArrayNewDefault || in.op == Op::ArrayNewFixed) {
      const TypeDef* d = is_struct ? m_.struct_type(in.index) : m_.array_type(in.index);
      if (in.index >= m_.types.size()) return error("unknown type " + std::to_string(in.index), what, index, in.offset);
      if (!d)
        return error(std::string("type mismatch: ") + in.info().text + " of type " + std::to_string(in.index) +
                         ", which is not " + (is_struct ? "a struct" : "an array") + " type",
                     what, index, in.offset);
      const bool defaults = in.op == Op::StructNewDefault || in.op == Op::ArrayNewDefault;
      if (in.op == Op::ArrayNew || in.op == Op::ArrayNewDefault)
        if (auto e = pop(ValType::I32, in, what, index)) return e;
      if (defaults) {
        for (const FieldType& f : d->fields)
          if (!f.defaultable())
            return error(std::string("type mismatch: ") + in.info().text + " of a non-defaultable type", what,
                         index, in.offset);
      } else if (is_struct) {
        for (size_t i = d->fields.size(); i-- > 0;)
          if (auto e = pop(d->fields[i].unpacked(), in, what, index)) return e;
      } else {
        const uint64_t n = in.op == Op::ArrayNewFixed ? std::min<uint64_t>(in.index2, stack_.size() + 1) : 1;
        for (uint64_t k = 0; k < n; ++k)
          if (auto e = pop(d->fields[0].unpacked(), in, what, index)) return e;
      }
      stack_.push_back(ValType::ref_index(in.index, false));
      return std::nullopt;
    }
    if (in.op == Op::RefI31) {
      if (auto e = pop(ValType::I32, in, what, index)) return e;
      stack_.push_back(ValType::ref(H::I31, false));
      return std::nullopt;
    }
    const bool to_any = in.op == Op::AnyConvertExtern;
    const bool nullable = stack_.empty() || stack_.back().nullable();
    if (auto e = pop(ValType::ref(to_any ? H::Extern : H::Any, true), in, what, index)) return e;
    stack_.push_back(ValType::ref(to_any ? H::Any : H::Extern, nullable));
    return std::nullopt;
  }

  uint32_t readable_globals(const char* what, uint32_t index) const {
    const uint32_t all = uint32_t(m_.globals.size());
    // Tables come before the globals they could read: only imported ones exist then.
    if (!features_.gc || std::string_view(what) == "table") return std::min(m_.num_imported_globals, all);
    return std::string_view(what) == "global" ? std::min(index, all) : all;
  }

  static Error error(std::string message, const char* what, uint32_t index, size_t offset) {
    return Error(ErrorKind::Validate, message + location_suffix(what, index, offset));
  }
  static Error not_constant(const Instruction& in, const char* what, uint32_t index) {
    return error(std::string("constant expression required: ") + in.info().text +
                     " is not allowed here",
                 what, index, in.offset);
  }

  const ModuleInfo& m_;
  const Features& features_;
  std::vector<ValType> stack_;
};

}  // namespace wasm::detail
