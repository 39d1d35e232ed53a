#pragma once
// The WebAssembly type vocabulary shared by the decoder, validator, runtime and public API.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wasm {

// Value types, numbered by their binary encoding.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
  ExnRef = 0x69,  // exception handling: a caught exception (null or a store-owned exception)
};

constexpr bool is_valtype_byte(uint8_t b) {
  return (b >= 0x7B && b <= 0x7F) || b == 0x70 || b == 0x6F || b == 0x69;
}
constexpr bool is_reftype(ValType t) {
  return t == ValType::FuncRef || t == ValType::ExternRef || t == ValType::ExnRef;
}
constexpr bool is_numeric(ValType t) { return !is_reftype(t) && t != ValType::V128; }

constexpr const char* valtype_name(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
    case ValType::ExnRef: return "exnref";
  }
  return "?";
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
