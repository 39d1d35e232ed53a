#pragma once
// The defined types of WebAssembly 3.0 (GC): function, struct and array types, each a subtype
// (`sub` / `sub final` with at most one declared supertype) inside a recursion group (`rec`).
// ModuleInfo keeps one TypeDef per type index next to its FuncType (struct and array types have
// an empty FuncType there, so that code reading only function types stays as it was).
//
// Subtyping between a module's value types (defined_subtype) follows the 3.0 rules: the four
// hierarchies func, extern, exn and any (eq, i31, struct, array and the struct and array types
// below any), each with its bottom (nofunc, noextern, noexn, none); a defined type is below its
// declared supertypes and below the abstract type of its kind (func, struct or array).
// Two defined types are the same type when their equivalence classes (type_keys.hpp) are equal.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wasm/types.hpp"

namespace wasm::detail {

// A struct field or an array element: a value type or a packed i8 / i16, and its mutability.
struct FieldType {
  enum class Packed : uint8_t { None = 0, I8 = 0x78, I16 = 0x77 };
  ValType type = ValType::I32;  // I32 for a packed field
  Packed packed = Packed::None;
  bool mutable_ = false;

  // The type of the field's value on the operand stack (packed fields are read as i32).
  ValType unpacked() const { return type; }
  bool is_packed() const { return packed != Packed::None; }
  bool defaultable() const { return is_packed() || type.defaultable(); }
  friend bool operator==(const FieldType&, const FieldType&) = default;
};

struct TypeDef {
  enum class Kind : uint8_t { Func = 0x60, Struct = 0x5F, Array = 0x5E };
  Kind kind = Kind::Func;
  bool final = true;
  uint32_t super_count = 0;         // declared supertypes (valid modules have at most one)
  std::optional<uint32_t> super;    // the first declared supertype
  std::vector<FieldType> fields;    // struct fields, or the array's one element type
  uint32_t rec_start = 0;           // the type index where its recursion group starts
  uint32_t rec_size = 1;            // the number of types in that group

  bool is_func() const { return kind == Kind::Func; }
  bool is_struct() const { return kind == Kind::Struct; }
  bool is_array() const { return kind == Kind::Array; }
};

constexpr const char* type_def_kind_name(TypeDef::Kind k) {
  switch (k) {
    case TypeDef::Kind::Func: return "func";
    case TypeDef::Kind::Struct: return "struct";
    case TypeDef::Kind::Array: return "array";
  }
  return "?";
}

// The top of a heap type's hierarchy.
enum class TopHeap : uint8_t { Func, Extern, Exn, Any };

inline TopHeap top_heap(ValType t, std::span<const TypeDef> defs) {
  using H = ValType::Heap;
  if (t.has_index())
    return t.index() < defs.size() && !defs[t.index()].is_func() ? TopHeap::Any : TopHeap::Func;
  switch (t.heap()) {
    case H::Func:
    case H::NoFunc:
    case H::Index: return TopHeap::Func;
    case H::Extern:
    case H::NoExtern: return TopHeap::Extern;
    case H::Exn:
    case H::NoExn: return TopHeap::Exn;
    default: return TopHeap::Any;
  }
}

// (ref null top) of a hierarchy: what ref.test and ref.cast take.
constexpr ValType top_ref(TopHeap top) {
  using H = ValType::Heap;
  switch (top) {
    case TopHeap::Func: return ValType::ref(H::Func, true);
    case TopHeap::Extern: return ValType::ref(H::Extern, true);
    case TopHeap::Exn: return ValType::ref(H::Exn, true);
    case TopHeap::Any: return ValType::ref(H::Any, true);
  }
  return ValType::FuncRef;
}

constexpr bool is_bottom_heap(ValType::Heap h) {
  using H = ValType::Heap;
  return h == H::NoFunc || h == H::NoExtern || h == H::NoExn || h == H::None;
}

// Whether a value of this type may be a GC object (any hierarchy): such values need the GC heap.
inline bool is_gc_ref(ValType t, std::span<const TypeDef> defs) {
  return t.is_ref() && top_heap(t, defs) == TopHeap::Any;
}

// Defined type i <: defined type j: the same type (equal classes) or j is reached through
// declared supertypes. A supertype index is smaller than its subtype's in a valid module; the
// walk is bounded anyway, so that an invalid module cannot make it loop.
inline bool defined_index_subtype(uint32_t i, uint32_t j, std::span<const TypeDef> defs,
                                  std::span<const uint32_t> classes) {
  if (i >= classes.size() || j >= classes.size()) return i == j;
  for (size_t steps = 0; steps <= defs.size(); ++steps) {
    if (classes[i] == classes[j]) return true;
    if (i >= defs.size() || !defs[i].super || *defs[i].super >= classes.size()) return false;
    i = *defs[i].super;
  }
  return false;
}

// Heap subtyping for a module's value types (both references).
inline bool defined_heap_subtype(ValType a, ValType b, std::span<const TypeDef> defs,
                                 std::span<const uint32_t> classes) {
  using H = ValType::Heap;
  const TopHeap top = top_heap(a, defs);
  if (top != top_heap(b, defs)) return false;
  const H ha = a.heap(), hb = b.heap();
  if (hb == H::Func || hb == H::Extern || hb == H::Exn || hb == H::Any) return true;
  if (is_bottom_heap(ha)) return true;
  if (is_bottom_heap(hb)) return false;
  if (a.has_index() && b.has_index()) return defined_index_subtype(a.index(), b.index(), defs, classes);
  if (b.has_index()) return false;  // only a bottom is below a defined type
  H kind_heap = ha;                 // struct / array / func for a defined type
  if (a.has_index()) {
    if (a.index() >= defs.size()) return false;
    kind_heap = defs[a.index()].is_struct() ? H::Struct : defs[a.index()].is_array() ? H::Array : H::Func;
  }
  if (kind_heap == hb) return true;
  return hb == H::Eq && (kind_heap == H::I31 || kind_heap == H::Struct || kind_heap == H::Array);
}

// a <: b between value types of one module.
inline bool defined_subtype(ValType a, ValType b, std::span<const TypeDef> defs,
                            std::span<const uint32_t> classes) {
  if (a == b || a.is_unknown()) return true;
  if (!a.is_ref() || !b.is_ref()) return false;
  if (a.nullable() && !b.nullable()) return false;
  return defined_heap_subtype(a, b, defs, classes);
}

}  // namespace wasm::detail
