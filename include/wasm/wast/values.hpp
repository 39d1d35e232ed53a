#pragma once
// Values of .wast scripts and the rules for comparing results with what a script expects.
//
// Arguments and results are numbers (as bit patterns), v128 values (16 little-endian bytes) and
// references. Expected results are patterns: exact bits, the NaN classes `nan:canonical` and
// `nan:arithmetic` (also per float lane of a v128), reference patterns (`ref.null [heaptype]`,
// `ref.extern [N]`, `ref.host N`, `ref.func`, `ref.struct`, `ref.array`, `ref.i31`, `ref.eq`,
// `ref.any`, `ref.exn`) and `(either P...)`, which accepts what any of its patterns accepts.
//
// Independent of the runtime and of the text parser, so that it can be unit-tested on its own.
#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wasm::wast {

// A script that cannot be understood (bad number, unknown command, ...).
struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// AnyRef stands for every reference of the `any` hierarchy (any, eq, i31, struct, array, none
// and host references), ExnRef for `exn` and `noexn`.
enum class ValueType : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef, AnyRef, ExnRef };
enum class LaneType : uint8_t { I8, I16, I32, I64, F32, F64 };

inline const char* type_name(ValueType t) {
  switch (t) {
    case ValueType::I32: return "i32";
    case ValueType::I64: return "i64";
    case ValueType::F32: return "f32";
    case ValueType::F64: return "f64";
    case ValueType::V128: return "v128";
    case ValueType::FuncRef: return "funcref";
    case ValueType::ExternRef: return "externref";
    case ValueType::AnyRef: return "anyref";
    case ValueType::ExnRef: return "exnref";
  }
  return "?";
}

inline bool is_ref(ValueType t) { return t >= ValueType::FuncRef; }

inline const char* lane_type_name(LaneType t) {
  switch (t) {
    case LaneType::I8: return "i8";
    case LaneType::I16: return "i16";
    case LaneType::I32: return "i32";
    case LaneType::I64: return "i64";
    case LaneType::F32: return "f32";
    case LaneType::F64: return "f64";
  }
  return "?";
}

inline unsigned lane_bytes(LaneType t) {
  switch (t) {
    case LaneType::I8: return 1;
    case LaneType::I16: return 2;
    case LaneType::I32:
    case LaneType::F32: return 4;
    case LaneType::I64:
    case LaneType::F64: return 8;
  }
  return 1;
}
inline unsigned lane_count(LaneType t) { return 16 / lane_bytes(t); }
inline bool is_float_lane(LaneType t) { return t == LaneType::F32 || t == LaneType::F64; }

using V128Bytes = std::array<uint8_t, 16>;  // little-endian, lane 0 first

// A concrete value: an argument, or a result the runtime returned.
struct Value {
  ValueType type = ValueType::I32;
  uint64_t bits = 0;     // i32/f32 in the low 32 bits, i64/f64; references: the host number
  V128Bytes v128{};      // V128 only
  bool is_null = false;  // references only

  static Value i32(uint32_t v) { return {ValueType::I32, v, {}, false}; }
  static Value i64(uint64_t v) { return {ValueType::I64, v, {}, false}; }
  static Value f32_bits(uint32_t v) { return {ValueType::F32, v, {}, false}; }
  static Value f64_bits(uint64_t v) { return {ValueType::F64, v, {}, false}; }
  static Value v128_bytes(const V128Bytes& b) { return {ValueType::V128, 0, b, false}; }
  static Value null_ref(ValueType t) { return {t, 0, {}, true}; }
  static Value ref(ValueType t, uint64_t n) { return {t, n, {}, false}; }
};

// Reads lane `i` of `lane_bytes(t)` bytes, zero-extended.
inline uint64_t get_lane(const V128Bytes& b, LaneType t, unsigned i) {
  uint64_t v = 0;
  const unsigned n = lane_bytes(t);
  for (unsigned k = 0; k < n; ++k) v |= uint64_t(b[i * n + k]) << (8 * k);
  return v;
}

inline void set_lane(V128Bytes& b, LaneType t, unsigned i, uint64_t v) {
  const unsigned n = lane_bytes(t);
  for (unsigned k = 0; k < n; ++k) b[i * n + k] = uint8_t(v >> (8 * k));
}

// --- expected results --------------------------------------------------------------------

enum class NanClass : uint8_t { None, Canonical, Arithmetic };

// Canonical NaN: exponent all ones, only the quiet bit of the payload set (either sign).
// Arithmetic NaN: exponent all ones and the quiet bit set (any payload, either sign).
inline bool is_canonical_nan32(uint32_t b) { return (b & 0x7fffffffu) == 0x7fc00000u; }
inline bool is_arithmetic_nan32(uint32_t b) { return (b & 0x7fc00000u) == 0x7fc00000u; }
inline bool is_canonical_nan64(uint64_t b) {
  return (b & 0x7fffffffffffffffull) == 0x7ff8000000000000ull;
}
inline bool is_arithmetic_nan64(uint64_t b) {
  return (b & 0x7ff8000000000000ull) == 0x7ff8000000000000ull;
}

inline bool matches_nan(NanClass c, bool is64, uint64_t bits) {
  if (is64) return c == NanClass::Canonical ? is_canonical_nan64(bits) : is_arithmetic_nan64(bits);
  const uint32_t b = uint32_t(bits);
  return c == NanClass::Canonical ? is_canonical_nan32(b) : is_arithmetic_nan32(b);
}

// What kind of check an expected result is.
enum class Pattern : uint8_t {
  Exact,      // numbers bit for bit; float scalars may be a NaN class; v128 lane by lane
  RefNull,    // a null reference (of `type`'s hierarchy unless `any_type`)
  RefExtern,  // a non-null externref (with host number `value.bits` unless `any_number`)
  RefHost,    // a host reference of the `any` hierarchy with host number `value.bits`
  RefFunc,    // any non-null funcref
  RefStruct,
  RefArray,
  RefI31,
  RefEq,   // any non-null reference of the eq hierarchy (i31, struct, array)
  RefAny,  // any non-null reference of the any hierarchy
  RefExn,  // any non-null exnref
  Either,  // one of `either`
};

struct ExpectedValue {
  Pattern pattern = Pattern::Exact;
  ValueType type = ValueType::I32;
  Value value;                        // the bits where no NaN class applies
  LaneType lane_type = LaneType::I8;  // V128 only
  std::array<NanClass, 16> nan{};     // float scalar: nan[0]; V128: per lane (float lanes only)
  bool any_type = false;              // RefNull without a heap type
  bool any_number = false;            // RefExtern without a number
  std::vector<ExpectedValue> either;  // Either only

  static ExpectedValue exact(const Value& v) {
    ExpectedValue e;
    e.type = v.type;
    e.value = v;
    return e;
  }
  // A float scalar that must be a NaN of class `c`.
  static ExpectedValue nan_scalar(ValueType t, NanClass c) {
    ExpectedValue e;
    e.type = t;
    e.value.type = t;
    e.nan[0] = c;
    return e;
  }
  // A v128 with lanes of type `lt`: `lanes` gives the bits, `nans` a NaN class per lane (None
  // where the lane is compared bit for bit).
  static ExpectedValue v128(LaneType lt, const V128Bytes& lanes, const std::array<NanClass, 16>& nans) {
    ExpectedValue e;
    e.type = ValueType::V128;
    e.value = Value::v128_bytes(lanes);
    e.lane_type = lt;
    e.nan = nans;
    for (unsigned i = 0; i < 16; ++i)
      if (nans[i] != NanClass::None && !is_float_lane(lt))
        throw ScriptError("NaN pattern in a v128 lane of type " + std::string(lane_type_name(lt)));
    return e;
  }
  static ExpectedValue ref(Pattern p, ValueType t = ValueType::AnyRef) {
    ExpectedValue e;
    e.pattern = p;
    e.type = t;
    e.value.type = t;
    return e;
  }
};

inline bool matches(const ExpectedValue& e, const Value& actual) {
  auto non_null = [&](ValueType t) { return actual.type == t && !actual.is_null; };
  switch (e.pattern) {
    case Pattern::Either:
      for (const ExpectedValue& alt : e.either)
        if (matches(alt, actual)) return true;
      return false;
    case Pattern::RefNull: return is_ref(actual.type) && actual.is_null && (e.any_type || actual.type == e.type);
    case Pattern::RefExtern:
      return non_null(ValueType::ExternRef) && (e.any_number || actual.bits == e.value.bits);
    case Pattern::RefHost: return non_null(ValueType::AnyRef) && actual.bits == e.value.bits;
    case Pattern::RefFunc: return non_null(ValueType::FuncRef);
    case Pattern::RefExn: return non_null(ValueType::ExnRef);
    // The runtime has no struct, array or i31 values yet: these never match what it returns.
    case Pattern::RefStruct:
    case Pattern::RefArray:
    case Pattern::RefI31:
    case Pattern::RefEq:
    case Pattern::RefAny: return false;
    case Pattern::Exact: break;
  }
  if (actual.type != e.type) return false;
  switch (e.type) {
    case ValueType::I32: return uint32_t(actual.bits) == uint32_t(e.value.bits);
    case ValueType::I64: return actual.bits == e.value.bits;
    case ValueType::F32:
      if (e.nan[0] != NanClass::None) return matches_nan(e.nan[0], false, actual.bits);
      return uint32_t(actual.bits) == uint32_t(e.value.bits);
    case ValueType::F64:
      if (e.nan[0] != NanClass::None) return matches_nan(e.nan[0], true, actual.bits);
      return actual.bits == e.value.bits;
    case ValueType::V128: {
      const LaneType lt = e.lane_type;
      for (unsigned i = 0; i < lane_count(lt); ++i) {
        const uint64_t got = get_lane(actual.v128, lt, i);
        if (e.nan[i] != NanClass::None) {
          if (!matches_nan(e.nan[i], lt == LaneType::F64, got)) return false;
        } else if (got != get_lane(e.value.v128, lt, i)) {
          return false;
        }
      }
      return true;
    }
    default:  // references are compared by the Ref* patterns
      return false;
  }
}

// The results of one action against the expected results, position by position.
inline bool results_match(const std::vector<ExpectedValue>& expected, const std::vector<Value>& actual) {
  if (expected.size() != actual.size()) return false;
  for (size_t i = 0; i < actual.size(); ++i)
    if (!matches(expected[i], actual[i])) return false;
  return true;
}

// --- printing ----------------------------------------------------------------------------

inline std::string hex(uint64_t v, unsigned digits) {
  static const char* const k = "0123456789abcdef";
  std::string s = "0x";
  for (int i = int(digits) - 1; i >= 0; --i) s += k[(v >> (4 * i)) & 0xf];
  return s;
}

inline std::string to_string(const Value& v) {
  std::string s = type_name(v.type);
  switch (v.type) {
    case ValueType::I32:
    case ValueType::F32: return s + ":" + hex(uint32_t(v.bits), 8);
    case ValueType::I64:
    case ValueType::F64: return s + ":" + hex(v.bits, 16);
    case ValueType::V128:
      s += ":";
      for (unsigned i = 0; i < 4; ++i) {
        if (i) s += ' ';
        s += hex(get_lane(v.v128, LaneType::I32, i), 8);
      }
      return s;
    default: return s + ":" + (v.is_null ? std::string("null") : std::to_string(v.bits));
  }
}

inline std::string nan_name(NanClass c) {
  return c == NanClass::Canonical ? "nan:canonical" : "nan:arithmetic";
}

inline std::string to_string(const ExpectedValue& e) {
  switch (e.pattern) {
    case Pattern::Either: {
      std::string s = "(either";
      for (const ExpectedValue& alt : e.either) s += " " + to_string(alt);
      return s + ")";
    }
    case Pattern::RefNull: return e.any_type ? "ref.null" : std::string(type_name(e.type)) + ":null";
    case Pattern::RefExtern: return e.any_number ? "ref.extern" : "ref.extern " + std::to_string(e.value.bits);
    case Pattern::RefHost: return "ref.host " + std::to_string(e.value.bits);
    case Pattern::RefFunc: return "ref.func";
    case Pattern::RefStruct: return "ref.struct";
    case Pattern::RefArray: return "ref.array";
    case Pattern::RefI31: return "ref.i31";
    case Pattern::RefEq: return "ref.eq";
    case Pattern::RefAny: return "ref.any";
    case Pattern::RefExn: return "ref.exn";
    case Pattern::Exact: break;
  }
  std::string s = type_name(e.type);
  if ((e.type == ValueType::F32 || e.type == ValueType::F64) && e.nan[0] != NanClass::None)
    return s + ":" + nan_name(e.nan[0]);
  if (e.type != ValueType::V128) return to_string(e.value);
  s += std::string(":") + lane_type_name(e.lane_type) + "[";
  for (unsigned i = 0; i < lane_count(e.lane_type); ++i) {
    if (i) s += " ";
    s += e.nan[i] != NanClass::None ? nan_name(e.nan[i])
                                    : hex(get_lane(e.value.v128, e.lane_type, i), lane_bytes(e.lane_type) * 2);
  }
  return s + "]";
}

template <typename T>
std::string list_to_string(const std::vector<T>& values) {
  std::string s = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ' ';
    s += to_string(values[i]);
  }
  return s + ")";
}

}  // namespace wasm::wast
