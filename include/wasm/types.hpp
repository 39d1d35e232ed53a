#pragma once
// The WebAssembly type vocabulary shared by the decoder, validator, runtime and public API.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasm {

// Value types. Numbers and vectors are their binary type byte; a reference type is a heap type
// (an abstract one such as func or extern, or a defined type by index) and a nullability.
// kind() names the representation: every reference of the func hierarchy ((ref $t), (ref func),
// nullfuncref, ...) is a FuncRef at run time, and so on, so `switch (t)` over the kind keeps
// working where only the representation matters. `==` compares whole types; ValType::FuncRef is
// the nullable abstract funcref of WebAssembly 2.0 (likewise ExternRef, ExnRef). GC adds an
// AnyRef kind and the abstract types any, eq, i31, struct, array, none (their codes are here).
//
// A type index means a module's type index inside ModuleInfo and the validator, and an
// engine-wide type id (is_canonical()) wherever types cross modules: the public API, the linker,
// the type registry (canonical_type() in the runtime turns one into the other).
class ValType {
 public:
  enum class Kind : uint8_t {
    I32 = 0x7F,
    I64 = 0x7E,
    F32 = 0x7D,
    F64 = 0x7C,
    V128 = 0x7B,
    FuncRef = 0x70,
    ExternRef = 0x6F,
    ExnRef = 0x69,  // exception handling: a caught exception (null or a store-owned exception)
    AnyRef = 0x6E,  // GC: the any hierarchy (any, eq, i31, struct, array, none); not compiled yet
  };
  // Abstract heap types by their binary code; Index for a defined type.
  enum class Heap : uint8_t {
    Index = 0,
    Func = 0x70, NoFunc = 0x73,
    Extern = 0x6F, NoExtern = 0x72,
    Exn = 0x69, NoExn = 0x74,
    Any = 0x6E, Eq = 0x6D, I31 = 0x6C, Struct = 0x6B, Array = 0x6A, None = 0x71,  // GC
  };

  static const ValType I32, I64, F32, F64, V128, FuncRef, ExternRef, ExnRef;

  // The bottom of the validator's polymorphic stack ("unknown"); matches every type.
  constexpr ValType() = default;
  constexpr explicit ValType(Kind k) : kind_(uint8_t(k)), heap_(is_ref_kind(k) ? uint8_t(k) : 0),
                                       flags_(is_ref_kind(k) ? kNullable : 0) {}

  // (ref null? ht) for an abstract heap type of the func, extern or exn hierarchy.
  static constexpr ValType ref(Heap h, bool nullable) {
    ValType t;
    t.kind_ = uint8_t(hierarchy(h));
    t.heap_ = uint8_t(h);
    t.flags_ = nullable ? kNullable : 0;
    return t;
  }
  // (ref null? $index): a defined type. Its kind is FuncRef whatever the type's form: the
  // decoder reads type indices before it knows the types, and a module's subtyping
  // (detail::defined_subtype) finds a defined type's hierarchy from the type itself. (GC
  // references do not run yet; the runtime refuses modules that would hold them.)
  static constexpr ValType ref_index(uint32_t index, bool nullable, bool canonical = false,
                                     Kind kind = Kind::FuncRef) {
    ValType t;
    t.kind_ = uint8_t(kind);
    t.heap_ = uint8_t(Heap::Index);
    t.flags_ = uint8_t((nullable ? kNullable : 0) | (canonical ? kCanonical : 0));
    t.index_ = index;
    return t;
  }

  constexpr Kind kind() const { return Kind(kind_); }
  constexpr operator Kind() const { return kind(); }  // lets `switch (t)` name the kinds
  constexpr bool is_ref() const { return is_ref_kind(kind()); }
  constexpr bool is_unknown() const { return kind_ == 0; }
  constexpr bool nullable() const { return flags_ & kNullable; }
  constexpr Heap heap() const { return Heap(heap_); }
  constexpr bool has_index() const { return is_ref() && heap_ == 0; }
  constexpr uint32_t index() const { return index_; }
  constexpr bool is_canonical() const { return flags_ & kCanonical; }
  // A local of this type needs no initialization: numbers, vectors and nullable references.
  constexpr bool defaultable() const { return !is_ref() || nullable(); }

  constexpr ValType as_nullable(bool nullable) const {
    ValType t = *this;
    t.flags_ = uint8_t((flags_ & ~kNullable) | (nullable ? kNullable : 0));
    return t;
  }
  constexpr ValType with_index(uint32_t index, bool canonical) const {
    return ref_index(index, nullable(), canonical, kind());
  }

  friend constexpr bool operator==(const ValType&, const ValType&) = default;

  // The heap type's hierarchy: the kind its references have.
  static constexpr Kind hierarchy(Heap h) {
    switch (h) {
      case Heap::Extern:
      case Heap::NoExtern: return Kind::ExternRef;
      case Heap::Exn:
      case Heap::NoExn: return Kind::ExnRef;
      case Heap::Any:
      case Heap::Eq:
      case Heap::I31:
      case Heap::Struct:
      case Heap::Array:
      case Heap::None: return Kind::AnyRef;
      default: return Kind::FuncRef;  // func, nofunc, a defined type (see ref_index)
    }
  }

 private:
  static constexpr uint8_t kNullable = 1, kCanonical = 2;
  static constexpr bool is_ref_kind(Kind k) {
    return k == Kind::FuncRef || k == Kind::ExternRef || k == Kind::ExnRef || k == Kind::AnyRef;
  }

  uint8_t kind_ = 0;
  uint8_t heap_ = 0;
  uint8_t flags_ = 0;
  uint32_t index_ = 0;
};

inline constexpr ValType ValType::I32{ValType::Kind::I32};
inline constexpr ValType ValType::I64{ValType::Kind::I64};
inline constexpr ValType ValType::F32{ValType::Kind::F32};
inline constexpr ValType ValType::F64{ValType::Kind::F64};
inline constexpr ValType ValType::V128{ValType::Kind::V128};
inline constexpr ValType ValType::FuncRef{ValType::Kind::FuncRef};
inline constexpr ValType ValType::ExternRef{ValType::Kind::ExternRef};
inline constexpr ValType ValType::ExnRef{ValType::Kind::ExnRef};

// A one-byte value type of WebAssembly 2.0 (numbers, v128, funcref, externref) or exnref.
constexpr bool is_valtype_byte(uint8_t b) {
  return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F || b == 0x69;
}
// The type of such a byte (is_valtype_byte(b) must hold).
constexpr ValType valtype_from_byte(uint8_t b) { return ValType(ValType::Kind(b)); }

// The abstract heap types of typed function references and exception handling (the GC ones,
// 0x6A-0x6E and 0x71, are read by the decoder when Features::gc is on).
constexpr bool is_abstract_heap_byte(uint8_t b) {
  return b == 0x70 || b == 0x73 || b == 0x6F || b == 0x72 || b == 0x69 || b == 0x74;
}

constexpr bool is_reftype(ValType t) { return t.is_ref(); }
constexpr bool is_numeric(ValType t) { return !t.is_ref() && !t.is_unknown() && t != ValType::V128; }

// Subtyping of value types (the validator, import matching, table and global types all use it):
// t <: t; a non-null reference is a subtype of its nullable form; within one hierarchy every heap
// type is below the top (func, extern, exn) and the bottom (nofunc, noextern, noexn) is below
// every heap type. Two defined types are compared by `index_subtype(i, j)`: equivalent types in
// one module, equal ids across modules (GC adds declared supertypes there). The validator's
// unknown type is below everything.
template <typename IndexSubtype>
constexpr bool is_subtype(ValType a, ValType b, IndexSubtype&& index_subtype) {
  if (a == b || a.is_unknown()) return true;
  if (!a.is_ref() || !b.is_ref() || a.kind() != b.kind()) return false;
  if (a.nullable() && !b.nullable()) return false;
  using H = ValType::Heap;
  const H ha = a.heap(), hb = b.heap();
  if (hb == H::Func || hb == H::Extern || hb == H::Exn || hb == H::Any) return true;
  if (ha == H::NoFunc || ha == H::NoExtern || ha == H::NoExn || ha == H::None) return true;
  if (hb == H::Eq && (ha == H::I31 || ha == H::Struct || ha == H::Array)) return true;
  if (ha == H::Index && hb == H::Index) return a.index() == b.index() || index_subtype(a.index(), b.index());
  return false;
}
// Between types whose indices are engine-wide ids (or that have none): equal ids only.
constexpr bool is_subtype(ValType a, ValType b) {
  return is_subtype(a, b, [](uint32_t, uint32_t) { return false; });
}

// The type's name in the text format: i32, funcref, (ref null func) is funcref, (ref 3), ...
inline std::string valtype_name(ValType t) {
  using H = ValType::Heap;
  if (!t.is_ref()) {
    switch (t) {
      case ValType::I32: return "i32";
      case ValType::I64: return "i64";
      case ValType::F32: return "f32";
      case ValType::F64: return "f64";
      case ValType::V128: return "v128";
      default: return "?";
    }
  }
  std::string heap;
  switch (t.heap()) {
    case H::Index: heap = std::to_string(t.index()); break;
    case H::Func: heap = "func"; break;
    case H::NoFunc: heap = "nofunc"; break;
    case H::Extern: heap = "extern"; break;
    case H::NoExtern: heap = "noextern"; break;
    case H::Exn: heap = "exn"; break;
    case H::NoExn: heap = "noexn"; break;
    case H::Any: heap = "any"; break;
    case H::Eq: heap = "eq"; break;
    case H::I31: heap = "i31"; break;
    case H::Struct: heap = "struct"; break;
    case H::Array: heap = "array"; break;
    case H::None: heap = "none"; break;
  }
  if (t.nullable() && t.heap() != H::Index) {
    if (t.heap() == H::None) return "nullref";
    if (heap.starts_with("no")) return "null" + heap.substr(2) + "ref";  // nullfuncref
    return heap + "ref";                                                 // funcref
  }
  return std::string(t.nullable() ? "(ref null " : "(ref ") + heap + ")";
}

// Size of a value of this type in a VMContext global slot or a stack slot.
constexpr uint32_t valtype_size(ValType t) {
  switch (t) {
    case ValType::I32:
    case ValType::F32: return 4;
    case ValType::V128: return 16;
    default: return 8;
  }
}

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3, Tag = 4 };

constexpr const char* extern_kind_name(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
    case ExternKind::Tag: return "tag";
  }
  return "?";
}

struct Limits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool shared = false;

  friend bool operator==(const Limits&, const Limits&) = default;
};

// Limits subtyping for imports: `actual` may be used where `expected` is declared.
inline bool limits_match(const Limits& actual, const Limits& expected) {
  if (actual.min < expected.min) return false;
  if (!expected.max) return true;
  return actual.max && *actual.max <= *expected.max;
}

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;

  friend bool operator==(const FuncType&, const FuncType&) = default;
  std::string to_string() const {
    std::string s = "(func";
    if (!params.empty()) {
      s += " (param";
      for (ValType t : params) (s += ' ') += valtype_name(t);
      s += ')';
    }
    if (!results.empty()) {
      s += " (result";
      for (ValType t : results) (s += ' ') += valtype_name(t);
      s += ')';
    }
    return s + ')';
  }
};

struct TableType {
  ValType element = ValType::FuncRef;
  Limits limits;
  bool is64 = false;  // table64 (memory64): i64 indices and sizes, limits up to 2^64-1
  friend bool operator==(const TableType&, const TableType&) = default;
};

struct MemoryType {
  Limits limits;  // in 64 KiB pages
  bool is64 = false;
  friend bool operator==(const MemoryType&, const MemoryType&) = default;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool mutable_ = false;
  friend bool operator==(const GlobalType&, const GlobalType&) = default;
};

constexpr uint64_t kPageSize = 65536;
constexpr uint64_t kMaxPages32 = 65536;           // 4 GiB
constexpr uint64_t kMaxPages64 = 1ull << 48;      // memory64's limit
constexpr uint64_t kMaxTableSize = 0xFFFFFFFFull; // limits of an i32 table

}  // namespace wasm
