#pragma once
// Value types and heap types in the binary format, for the module structure (module_reader.hpp)
// and for instruction immediates (instruction.hpp): the one-byte types of 2.0, exnref, the
// shorthands of typed references (nullfuncref, ...) and `(ref null? ht)` (0x63 / 0x64).
// constexpr like the rest of the module reader. Type indices are only read here; the validator
// checks them against the type section.
#include <cstdint>

#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/unsupported.hpp"
#include "wasm/features.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::type_reader {

// The abstract heap type (or shorthand reference type) of a byte, if the enabled features
// know it: exn and noexn with exception handling, nofunc and noextern with typed references,
// any, eq, i31, struct, array and none with GC (which includes typed references).
constexpr bool known_abstract(uint8_t b, const Features& f) {
  const bool typed = f.function_references || f.gc;
  switch (b) {
    case 0x70: return true;
    case 0x6F: return f.reference_types;
    case 0x69: return f.exceptions;
    case 0x74: return f.exceptions && typed;
    case 0x73:
    case 0x72: return typed;
    case 0x6A:  // array
    case 0x6B:  // struct
    case 0x6C:  // i31
    case 0x6D:  // eq
    case 0x6E:  // any
    case 0x71:  // none
      return f.gc;
    default: return false;
  }
}

// The byte at `at` is no type we read: a 3.0 type we do not implement, or malformed.
constexpr void fail_type_byte(Reader& s, size_t at, uint8_t b, const char* malformed) {
  const char* unsupported = unsupported_type_byte(b);
  s.fail_at(at, unsupported ? unsupported : malformed);
}

// After the s33 `v` read at `at`: when it is the prefix of an exact heap type (custom
// descriptors), reads its type index and fails, Unsupported (malformed without an index).
constexpr bool refuse_exact_heap_type(Reader& s, size_t at, int64_t v) {
  if (v != kExactHeapTypeS33) return false;
  bool index = s.s33() >= 0 && s.ok();
  if (s.ok()) s.fail_at(at, index ? kUnsupportedExactHeapType : "malformed heap type");
  return true;
}

// A heap type (s33): an abstract type's code as a negative number, or a type index.
constexpr ValType read_heap_type(Reader& s, const Features& f, bool nullable) {
  size_t at = s.offset();
  int64_t v = s.s33();
  if (!s.ok()) return ValType::FuncRef;
  if (v >= 0) return ValType::ref_index(uint32_t(v), nullable);
  if (refuse_exact_heap_type(s, at, v)) return ValType::FuncRef;
  uint8_t b = v >= -64 ? uint8_t(v + 128) : 0;
  if (!known_abstract(b, f)) {
    fail_type_byte(s, at, b, "malformed heap type");
    return ValType::FuncRef;
  }
  return ValType::ref(ValType::Heap(b), nullable);
}

// The value type whose first byte `b` has just been read (at `at`).
constexpr ValType read_valtype_after(Reader& s, const Features& f, size_t at, uint8_t b,
                                     const char* malformed = "malformed value type") {
  if (b >= 0x7B && b <= 0x7F) return valtype_from_byte(b);
  if (known_abstract(b, f)) return ValType::ref(ValType::Heap(b), true);  // shorthand: nullable
  if ((b == 0x63 || b == 0x64) && (f.function_references || f.gc)) return read_heap_type(s, f, b == 0x63);
  fail_type_byte(s, at, b, malformed);
  return ValType::I32;
}

constexpr ValType read_valtype(Reader& s, const Features& f) {
  size_t at = s.offset();
  uint8_t b = s.u8();
  if (!s.ok()) return ValType::I32;
  if (b == 0x70 && !f.reference_types) {  // 1.0: funcref types only tables
    s.fail_at(at, "malformed value type");
    return ValType::I32;
  }
  return read_valtype_after(s, f, at, b);
}

// A reference type (tables, element segments).
constexpr ValType read_reftype(Reader& s, const Features& f) {
  size_t at = s.offset();
  uint8_t b = s.u8();
  if (!s.ok()) return ValType::FuncRef;
  if (b >= 0x7B && b <= 0x7F) {
    s.fail_at(at, "malformed reference type");
    return ValType::FuncRef;
  }
  return read_valtype_after(s, f, at, b, "malformed reference type");
}

}  // namespace wasm::detail::type_reader
