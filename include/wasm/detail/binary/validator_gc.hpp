#pragma once
// Type-checking of the GC instructions (WebAssembly 3.0): struct.*, array.*, ref.i31,
// i31.get_s/u, ref.test, ref.cast, br_on_cast, br_on_cast_fail, ref.eq, any.convert_extern and
// extern.convert_any. Part of FunctionValidator (validator_function.hpp includes this file at
// its end); the rules are those of the 3.0 specification's validation chapter. Messages start
// with the spec's wording ("type mismatch", "immutable field", "array type is not numeric or
// vector", ...).
#include <cstdint>
#include <span>
#include <string>

#include "wasm/detail/binary/type_defs.hpp"
#include "wasm/detail/binary/type_reader.hpp"

namespace wasm::detail {

// A heap type immediate (s33) as the reference type (ref null? ht).
inline bool FunctionValidator::gc_heap_type(int64_t v, bool nullable, const Instruction& in, ValType& out) {
  if (v >= 0) {
    if (uint64_t(v) >= m_.types.size()) return unknown("type", uint32_t(v), in);
    out = ValType::ref_index(uint32_t(v), nullable);
    return true;
  }
  const uint8_t b = v >= -64 ? uint8_t(v + 128) : 0;
  if (!type_reader::known_abstract(b, features_)) return fail(ErrorKind::Decode, "malformed heap type", in.offset);
  out = ValType::ref(ValType::Heap(b), nullable);
  return true;
}

inline bool FunctionValidator::gc_struct(uint32_t index, const Instruction& in, const TypeDef*& out) {
  if (index >= m_.types.size()) return unknown("type", index, in);
  out = m_.struct_type(index);
  if (!out) return invalid("type mismatch: " + std::string(in.info().text) + " needs a struct type, type " + std::to_string(index) + " is not one", in);
  return true;
}

inline bool FunctionValidator::gc_array(uint32_t index, const Instruction& in, const TypeDef*& out) {
  if (index >= m_.types.size()) return unknown("type", index, in);
  out = m_.array_type(index);
  if (!out) return invalid("type mismatch: " + std::string(in.info().text) + " needs an array type, type " + std::to_string(index) + " is not one", in);
  return true;
}

// get (unpacked fields) against get_s / get_u (packed fields).
inline bool FunctionValidator::gc_packing(const FieldType& f, const Instruction& in) {
  const bool plain_get = in.op == Op::StructGet || in.op == Op::ArrayGet;
  if (plain_get && f.is_packed())
    return invalid(std::string("type mismatch: ") + in.info().text + " of a packed field needs the _s or _u form", in);
  if (!plain_get && !f.is_packed())
    return invalid(std::string("type mismatch: ") + in.info().text + " needs a packed field", in);
  return true;
}

inline bool FunctionValidator::gc_mutable(const FieldType& f, const char* what, const Instruction& in) {
  if (f.mutable_) return true;
  return invalid(std::string(what) + ": " + in.info().text + " writes to type " + std::to_string(in.index), in);
}

// Pops the operands of `in` given deepest first.
inline bool FunctionValidator::gc_pop(std::initializer_list<ValType> ts, const Instruction& in) {
  return pop(std::span<const ValType>(ts.begin(), ts.size()), in);
}

inline bool FunctionValidator::step_gc(const Instruction& in) {
  using H = ValType::Heap;
  const ValType i32 = ValType::I32;
  const TypeDef* d = nullptr;
  switch (in.op) {
    case Op::StructNew:
    case Op::StructNewDefault:
      if (!gc_struct(in.index, in, d)) return false;
      if (in.op == Op::StructNew) {
        for (size_t i = d->fields.size(); i-- > 0;)
          if (!pop(d->fields[i].unpacked(), in)) return false;
      } else {
        for (const FieldType& f : d->fields)
          if (!f.defaultable())
            return invalid("type mismatch: struct.new_default of type " + std::to_string(in.index) +
                               ", which has a field of non-defaultable type " + valtype_name(f.type),
                           in);
      }
      push(ValType::ref_index(in.index, false));
      return true;
    case Op::StructGet:
    case Op::StructGetS:
    case Op::StructGetU:
    case Op::StructSet: {
      if (!gc_struct(in.index, in, d)) return false;
      if (in.index2 >= d->fields.size())
        return invalid("unknown field " + std::to_string(in.index2) + " of type " + std::to_string(in.index), in);
      const FieldType& f = d->fields[in.index2];
      const ValType ref = ValType::ref_index(in.index, true);
      if (in.op == Op::StructSet) return gc_mutable(f, "immutable field", in) && gc_pop({ref, f.unpacked()}, in);
      if (!gc_packing(f, in) || !pop(ref, in)) return false;
      push(f.unpacked());
      return true;
    }
    case Op::ArrayNew:
    case Op::ArrayNewDefault:
    case Op::ArrayNewFixed:
    case Op::ArrayNewData:
    case Op::ArrayNewElem: {
      if (!gc_array(in.index, in, d)) return false;
      const FieldType& e = d->fields[0];
      bool ok = true;
      switch (in.op) {
        case Op::ArrayNew: ok = gc_pop({e.unpacked(), i32}, in); break;
        case Op::ArrayNewDefault:
          if (!e.defaultable())
            return invalid("type mismatch: array.new_default of type " + std::to_string(in.index) +
                               ", whose elements are of non-defaultable type " + valtype_name(e.type),
                           in);
          ok = pop(i32, in);
          break;
        case Op::ArrayNewFixed: {
          // Past what the frame holds every pop fails, or succeeds without reading (unreachable).
          const uint64_t held = vals_.size() - ctrls_.back().height;
          const uint64_t n = std::min<uint64_t>(in.index2, held + 1);
          for (uint64_t k = 0; k < n && ok; ++k) ok = pop(e.unpacked(), in);
          break;
        }
        case Op::ArrayNewData:
          if (!gc_numeric(e, in) || !needs_data_count(in) || !data_segment(in.index2, in)) return false;
          ok = gc_pop({i32, i32}, in);
          break;
        default:  // array.new_elem
          if (!gc_elem_fits(in.index2, e, in)) return false;
          ok = gc_pop({i32, i32}, in);
          break;
      }
      if (!ok) return false;
      push(ValType::ref_index(in.index, false));
      return true;
    }
    case Op::ArrayGet:
    case Op::ArrayGetS:
    case Op::ArrayGetU: {
      if (!gc_array(in.index, in, d)) return false;
      const FieldType& e = d->fields[0];
      if (!gc_packing(e, in) || !gc_pop({ValType::ref_index(in.index, true), i32}, in)) return false;
      push(e.unpacked());
      return true;
    }
    case Op::ArraySet:
    case Op::ArrayFill: {
      if (!gc_array(in.index, in, d)) return false;
      const FieldType& e = d->fields[0];
      if (!gc_mutable(e, "immutable array", in)) return false;
      const ValType ref = ValType::ref_index(in.index, true);
      return in.op == Op::ArraySet ? gc_pop({ref, i32, e.unpacked()}, in)
                                   : gc_pop({ref, i32, e.unpacked(), i32}, in);
    }
    case Op::ArrayLen:
      if (!pop(ValType::ref(H::Array, true), in)) return false;
      push(i32);
      return true;
    case Op::ArrayCopy: {
      const TypeDef* src = nullptr;
      if (!gc_array(in.index, in, d) || !gc_array(in.index2, in, src)) return false;
      const FieldType& de = d->fields[0];
      const FieldType& se = src->fields[0];
      if (!gc_mutable(de, "immutable array", in)) return false;
      const bool fits = de.is_packed() || se.is_packed() ? de.packed == se.packed : m_.subtype(se.type, de.type);
      if (!fits)
        return invalid("array types do not match: array.copy from type " + std::to_string(in.index2) +
                           " to type " + std::to_string(in.index),
                       in);
      return gc_pop({ValType::ref_index(in.index, true), i32, ValType::ref_index(in.index2, true), i32, i32}, in);
    }
    case Op::ArrayInitData:
    case Op::ArrayInitElem: {
      if (!gc_array(in.index, in, d)) return false;
      const FieldType& e = d->fields[0];
      if (!gc_mutable(e, "immutable array", in)) return false;
      if (in.op == Op::ArrayInitData) {
        if (!gc_numeric(e, in) || !needs_data_count(in) || !data_segment(in.index2, in)) return false;
      } else if (!gc_elem_fits(in.index2, e, in)) {
        return false;
      }
      return gc_pop({ValType::ref_index(in.index, true), i32, i32, i32}, in);
    }
    case Op::RefI31:
      if (!pop(i32, in)) return false;
      push(ValType::ref(H::I31, false));
      return true;
    case Op::I31GetS:
    case Op::I31GetU:
      if (!pop(ValType::ref(H::I31, true), in)) return false;
      push(i32);
      return true;
    case Op::RefEq:
      if (!gc_pop({ValType::ref(H::Eq, true), ValType::ref(H::Eq, true)}, in)) return false;
      push(i32);
      return true;
    case Op::RefTest:
    case Op::RefTestNull:
    case Op::RefCast:
    case Op::RefCastNull: {
      ValType rt = kUnknownType;
      if (!gc_heap_type(in.heap, in.op == Op::RefTestNull || in.op == Op::RefCastNull, in, rt)) return false;
      if (!pop(top_ref(top_heap(rt, m_.type_defs)), in)) return false;
      push(in.op == Op::RefTest || in.op == Op::RefTestNull ? i32 : rt);
      return true;
    }
    case Op::BrOnCast:
    case Op::BrOnCastFail: return step_br_on_cast(in);
    case Op::AnyConvertExtern:
    case Op::ExternConvertAny: {
      const bool to_any = in.op == Op::AnyConvertExtern;
      const ValType from = ValType::ref(to_any ? H::Extern : H::Any, true);
      ValType t = kUnknownType;
      if (!pop_any(t, in)) return false;
      if (!t.is_unknown() && !m_.subtype(t, from)) return mismatch(from, t, in);
      push(ValType::ref(to_any ? H::Any : H::Extern, !t.is_unknown() && t.nullable()));
      return true;
    }
    default: break;
  }
  error_ = Error(ErrorKind::Unsupported, std::string("instruction ") + in.info().text + " not implemented");
  return false;
}

// array.new_data and array.init_data copy bytes: the elements must be numbers or vectors.
inline bool FunctionValidator::gc_numeric(const FieldType& e, const Instruction& in) {
  if (e.is_packed() || !e.type.is_ref()) return true;
  return invalid(std::string("array type is not numeric or vector: ") + in.info().text + " of " +
                     valtype_name(e.type) + " elements",
                 in);
}

// array.new_elem and array.init_elem: the segment's references must fit the elements.
inline bool FunctionValidator::gc_elem_fits(uint32_t segment, const FieldType& e, const Instruction& in) {
  if (!elem_segment(segment, in)) return false;
  const ValType st = m_.elements[segment].type;
  if (!e.is_packed() && m_.subtype(st, e.type)) return true;
  return invalid(std::string("type mismatch: ") + in.info().text + " of a " + valtype_name(st) +
                     " segment into an array of " + (e.is_packed() ? std::string("packed") : valtype_name(e.type)),
                 in);
}

// br_on_cast l rt1 rt2: [t* rt1] -> [t* (rt1 \ rt2)], branching with rt2 on success;
// br_on_cast_fail l rt1 rt2: [t* rt1] -> [t* rt2], branching with rt1 \ rt2 on failure.
// rt2 <: rt1; the label's last type takes the branch's reference.
inline bool FunctionValidator::step_br_on_cast(const Instruction& in) {
  if (in.flags > 3) return fail(ErrorKind::Decode, "malformed br_on_cast flags", in.offset);
  ValType rt1 = kUnknownType, rt2 = kUnknownType;
  if (!gc_heap_type(in.heap, in.flags & 1, in, rt1) || !gc_heap_type(in.heap2, in.flags & 2, in, rt2))
    return false;
  if (!m_.subtype(rt2, rt1))
    return invalid(std::string("type mismatch: ") + in.info().text + " casts " + valtype_name(rt1) + " to " +
                       valtype_name(rt2) + ", which is not a subtype",
                   in);
  std::span<const ValType> types;
  if (!label_types(in.index, in, types)) return false;
  if (types.empty() || !types.back().is_ref())
    return invalid(std::string("type mismatch: ") + in.info().text +
                       " needs a label whose last type is a reference, label " + std::to_string(in.index) +
                       " has [" + type_list(types) + "]",
                   in);
  const ValType diff = rt2.nullable() ? rt1.as_nullable(false) : rt1;
  const bool on_success = in.op == Op::BrOnCast;
  const ValType branch = on_success ? rt2 : diff;
  if (!m_.subtype(branch, types.back())) return mismatch(types.back(), branch, in);
  std::span<const ValType> rest = types.first(types.size() - 1);
  if (!pop(rt1, in) || !pop(rest, in)) return false;
  push(rest);
  push(on_success ? diff : rt2);
  return true;
}

}  // namespace wasm::detail
