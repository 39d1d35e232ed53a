#pragma once
// Values of the spec test scripts and the rules for comparing them.
//
// wast2json writes every number as a decimal string: integers as their (usually unsigned) bit
// pattern, floats as the decimal value of their bit pattern, v128 as a list of lanes of a given
// `lane_type`, references as "null" or a host reference number. Expected float results (also per
// v128 lane) may instead be the NaN classes "nan:canonical" or "nan:arithmetic".
//
// This header is independent of JSON and of the runtime so that it can be unit-tested on its own
// (tests/unit/spec_values_tests.cpp).
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wasmpp_spec {

// A script that cannot be understood (bad number, unknown type, ...).
struct ScriptError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class ValueType : uint8_t { I32, I64, F32, F64, V128, FuncRef, ExternRef };
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
  }
  return "?";
}

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

inline ValueType parse_value_type(std::string_view s) {
  if (s == "i32") return ValueType::I32;
  if (s == "i64") return ValueType::I64;
  if (s == "f32") return ValueType::F32;
  if (s == "f64") return ValueType::F64;
  if (s == "v128") return ValueType::V128;
  if (s == "funcref") return ValueType::FuncRef;
  if (s == "externref") return ValueType::ExternRef;
  throw ScriptError("unknown value type '" + std::string(s) + "'");
}

inline LaneType parse_lane_type(std::string_view s) {
  if (s == "i8") return LaneType::I8;
  if (s == "i16") return LaneType::I16;
  if (s == "i32") return LaneType::I32;
  if (s == "i64") return LaneType::I64;
  if (s == "f32") return LaneType::F32;
  if (s == "f64") return LaneType::F64;
  throw ScriptError("unknown lane type '" + std::string(s) + "'");
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

// Parses a decimal integer of `bits` bits, written either as its unsigned bit pattern
// (0 .. 2^bits-1) or as a signed value (-2^(bits-1) .. -1), and returns the bit pattern.
inline uint64_t parse_bits(std::string_view s, unsigned bits) {
  const std::string shown(s);
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  if (s.empty()) throw ScriptError("expected a number, got '" + shown + "'");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw ScriptError("bad number '" + shown + "'");
    const uint64_t digit = uint64_t(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      throw ScriptError("number out of range: '" + shown + "'");
    v = v * 10 + digit;
  }
  const uint64_t mask = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
  if (negative) {
    const uint64_t limit = uint64_t(1) << (bits - 1);  // magnitude of the smallest value
    if (v > limit) throw ScriptError("number out of range for " + std::to_string(bits) + " bits: '" + shown + "'");
    return (~v + 1) & mask;
  }
  if (v > mask) throw ScriptError("number out of range for " + std::to_string(bits) + " bits: '" + shown + "'");
  return v;
}

inline unsigned scalar_bits(ValueType t) {
  return (t == ValueType::I32 || t == ValueType::F32) ? 32 : 64;
}

inline V128Bytes parse_lanes(LaneType lt, const std::vector<std::string>& lanes) {
  if (lanes.size() != lane_count(lt))
    throw ScriptError("v128 with lane type " + std::string(lane_type_name(lt)) + " needs " +
                      std::to_string(lane_count(lt)) + " lanes, got " + std::to_string(lanes.size()));
  V128Bytes b{};
  for (unsigned i = 0; i < lanes.size(); ++i) set_lane(b, lt, i, parse_bits(lanes[i], lane_bytes(lt) * 8));
  return b;
}

// A scalar or reference argument: `text` is the JSON "value" string.
inline Value parse_value(ValueType type, std::string_view text) {
  switch (type) {
    case ValueType::I32:
    case ValueType::I64:
    case ValueType::F32:
    case ValueType::F64: {
      Value v;
      v.type = type;
      v.bits = parse_bits(text, scalar_bits(type));
      return v;
    }
    case ValueType::FuncRef:
    case ValueType::ExternRef:
      if (text == "null") return Value::null_ref(type);
      return Value::ref(type, parse_bits(text, 64));
    case ValueType::V128: break;
  }
  throw ScriptError("v128 values need a lane type and a list of lanes");
}

inline Value parse_v128(LaneType lt, const std::vector<std::string>& lanes) {
  return Value::v128_bytes(parse_lanes(lt, lanes));
}

// --- expected results --------------------------------------------------------------------

enum class NanClass : uint8_t { None, Canonical, Arithmetic };

// The NaN class named by an expected value string, or None for a plain number.
inline NanClass parse_nan_class(std::string_view s) {
  if (s == "nan:canonical") return NanClass::Canonical;
  if (s == "nan:arithmetic") return NanClass::Arithmetic;
  return NanClass::None;
}

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

// One expected result. Either `any` (only the type is given, as in assert_trap results), or a
// value to compare bit for bit, where float scalars and float lanes may be NaN classes instead.
struct ExpectedValue {
  ValueType type = ValueType::I32;
  bool any = false;
  Value value;                          // the bits where no NaN class applies
  LaneType lane_type = LaneType::I8;    // V128 only
  std::array<NanClass, 16> nan{};       // scalar: nan[0]; V128: per lane (float lanes only)
};

inline ExpectedValue parse_expected(ValueType type, std::string_view text) {
  ExpectedValue e;
  e.type = type;
  if ((type == ValueType::F32 || type == ValueType::F64) && parse_nan_class(text) != NanClass::None) {
    e.nan[0] = parse_nan_class(text);
    e.value.type = type;
    return e;
  }
  e.value = parse_value(type, text);
  return e;
}

inline ExpectedValue parse_expected_v128(LaneType lt, const std::vector<std::string>& lanes) {
  ExpectedValue e;
  e.type = ValueType::V128;
  e.lane_type = lt;
  std::vector<std::string> numbers = lanes;
  for (unsigned i = 0; i < lanes.size() && i < 16; ++i) {
    const NanClass c = parse_nan_class(lanes[i]);
    if (c == NanClass::None) continue;
    if (!is_float_lane(lt))
      throw ScriptError("NaN pattern in a v128 lane of type " + std::string(lane_type_name(lt)));
    e.nan[i] = c;
    numbers[i] = std::string(1, '0');  // not = "0": GCC 12 -Wrestrict false positive
  }
  e.value = parse_v128(lt, numbers);
  return e;
}

inline ExpectedValue expected_any(ValueType type) {
  ExpectedValue e;
  e.type = type;
  e.any = true;
  e.value.type = type;
  return e;
}

inline bool matches(const ExpectedValue& e, const Value& actual) {
  if (actual.type != e.type) return false;
  if (e.any) return true;
  switch (e.type) {
    case ValueType::I32:
      return uint32_t(actual.bits) == uint32_t(e.value.bits);
    case ValueType::I64:
      return actual.bits == e.value.bits;
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
    case ValueType::FuncRef:
    case ValueType::ExternRef:
      if (e.value.is_null || actual.is_null) return e.value.is_null == actual.is_null;
      // A funcref's number is not observable by the script; an externref's is the host number.
      return e.type == ValueType::FuncRef || actual.bits == e.value.bits;
  }
  return false;
}

// The results of one action against the accepted result lists (one list normally; one per
// alternative for `either`).
inline bool results_match(const std::vector<std::vector<ExpectedValue>>& alternatives,
                          const std::vector<Value>& actual) {
  for (const auto& expected : alternatives) {
    if (expected.size() != actual.size()) continue;
    bool all = true;
    for (size_t i = 0; i < actual.size() && all; ++i) all = matches(expected[i], actual[i]);
    if (all) return true;
  }
  return false;
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
    case ValueType::FuncRef:
    case ValueType::ExternRef: return s + ":" + (v.is_null ? std::string("null") : std::to_string(v.bits));
  }
  return s;
}

inline std::string nan_name(NanClass c) {
  return c == NanClass::Canonical ? "nan:canonical" : "nan:arithmetic";
}

inline std::string to_string(const ExpectedValue& e) {
  std::string s = type_name(e.type);
  if (e.any) return s;
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

}  // namespace wasmpp_spec
