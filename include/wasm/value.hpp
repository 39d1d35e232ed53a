#pragma once
// Values that cross the API: Val (any wasm value), V128, FuncRef and ExternRef.
#include <array>
#include <cstdint>
#include <cstring>

#include "wasm/detail/base/val_raw.hpp"
#include "wasm/types.hpp"

namespace wasm {

namespace detail {
struct VMFuncRef;
}

// A 128-bit SIMD value, little-endian lanes.
struct V128 {
  std::array<uint8_t, 16> bytes{};
  friend bool operator==(const V128&, const V128&) = default;
};

// A reference to a function, valid as long as the Store that made it. Null when empty.
struct FuncRef {
  detail::VMFuncRef* raw = nullptr;
  explicit operator bool() const { return raw != nullptr; }
  friend bool operator==(const FuncRef&, const FuncRef&) = default;
};

// An opaque host reference passed through wasm unchanged. Null when `ptr` is null.
struct ExternRef {
  void* ptr = nullptr;
  explicit operator bool() const { return ptr != nullptr; }
  friend bool operator==(const ExternRef&, const ExternRef&) = default;
};

// Any wasm value, with its type. Used on the untyped paths (Func::call, globals, tables).
class Val {
 public:
  Val() : Val(int32_t(0)) {}
  Val(int32_t v) : type_(ValType::I32) { raw_.i64 = 0; raw_.i32 = v; }
  Val(int64_t v) : type_(ValType::I64) { raw_.i64 = v; }
  Val(float v) : type_(ValType::F32) { raw_.i64 = 0; raw_.f32 = v; }
  Val(double v) : type_(ValType::F64) { raw_.f64 = v; }
  Val(const V128& v) : type_(ValType::V128) { std::memcpy(raw_.v128, v.bytes.data(), 16); }
  Val(FuncRef r) : type_(ValType::FuncRef) { raw_.ref = r.raw; }
  Val(ExternRef r) : type_(ValType::ExternRef) { raw_.ref = r.ptr; }

  // The zero value (or null reference) of a type.
  static Val zero(ValType type) {
    detail::ValRaw raw;
    std::memset(&raw, 0, sizeof raw);
    return from_raw(type, raw);
  }
  static Val from_raw(ValType type, const detail::ValRaw& raw) {
    Val v;
    v.type_ = type;
    v.raw_ = raw;  // accessors read only the bytes of the value's own width
    return v;
  }

  ValType type() const { return type_; }
  int32_t i32() const { return raw_.i32; }
  int64_t i64() const { return raw_.i64; }
  float f32() const { return raw_.f32; }
  double f64() const { return raw_.f64; }
  V128 v128() const {
    V128 v;
    std::memcpy(v.bytes.data(), raw_.v128, 16);
    return v;
  }
  FuncRef funcref() const { return FuncRef{static_cast<detail::VMFuncRef*>(raw_.ref)}; }
  ExternRef externref() const { return ExternRef{raw_.ref}; }
  bool is_null_ref() const { return is_reftype(type_) && raw_.ref == nullptr; }

  // The untyped representation JIT code reads and writes.
  const detail::ValRaw& raw() const { return raw_; }

 private:
  ValType type_;
  detail::ValRaw raw_;
};

}  // namespace wasm
