#pragma once
// Exact wasm semantics of the scalar numeric operators on raw bits, shared by constant folding
// and the IR interpreter (one evaluator, so that both agree). Values are uint64_t: i32 and f32
// in the low 32 bits (upper bits zero), f64 as its bit pattern.
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/error.hpp"

namespace wasm::detail::jit::opt {

struct EvalResult {
  enum class Status : uint8_t { Ok, Trap, Unsupported };
  Status status = Status::Ok;
  uint64_t bits = 0;
  TrapCode trap = TrapCode::UnreachableCodeReached;

  static EvalResult ok(uint64_t b) { return {Status::Ok, b, {}}; }
  static EvalResult trapped(TrapCode c) { return {Status::Trap, 0, c}; }
  static EvalResult unsupported() { return {Status::Unsupported, 0, {}}; }
};

namespace eval_detail {

inline float f32(uint64_t b) { return std::bit_cast<float>(uint32_t(b)); }
inline double f64(uint64_t b) { return std::bit_cast<double>(b); }
inline uint64_t bits(float f) { return std::bit_cast<uint32_t>(f); }
inline uint64_t bits(double d) { return std::bit_cast<uint64_t>(d); }
inline uint64_t b32(uint32_t v) { return v; }

constexpr uint32_t kF32CanonicalNan = 0x7FC00000u;
constexpr uint64_t kF64CanonicalNan = 0x7FF8000000000000ull;

template <typename F>
F wasm_min(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<F>::quiet_NaN();
  if (a == b) return std::signbit(a) ? a : b;  // min(-0, +0) = -0
  return a < b ? a : b;
}
template <typename F>
F wasm_max(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<F>::quiet_NaN();
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

// Float-to-integer truncation: checks NaN and range on the truncated value, in double (exact
// for every f32 and for every truncated f64 in the ranges compared).
template <typename I>
EvalResult trunc_checked(double x) {
  if (std::isnan(x)) return EvalResult::trapped(TrapCode::BadConversionToInteger);
  double t = std::trunc(x);
  constexpr bool is_signed = std::is_signed_v<I>;
  const double hi = is_signed ? std::ldexp(1.0, sizeof(I) * 8 - 1) : std::ldexp(1.0, sizeof(I) * 8);
  const double lo = is_signed ? -hi : 0.0;
  if (!(t >= lo && t < hi)) return EvalResult::trapped(TrapCode::IntegerOverflow);
  I v = I(t);
  return EvalResult::ok(sizeof(I) == 4 ? uint64_t(uint32_t(v)) : uint64_t(v));
}

template <typename I>
uint64_t trunc_sat(double x) {
  constexpr bool is_signed = std::is_signed_v<I>;
  const double hi = is_signed ? std::ldexp(1.0, sizeof(I) * 8 - 1) : std::ldexp(1.0, sizeof(I) * 8);
  const double lo = is_signed ? -hi : 0.0;
  I v;
  if (std::isnan(x)) v = 0;
  else if (std::trunc(x) < lo) v = std::numeric_limits<I>::min();
  else if (std::trunc(x) >= hi) v = std::numeric_limits<I>::max();
  else v = I(std::trunc(x));
  return sizeof(I) == 4 ? uint64_t(uint32_t(v)) : uint64_t(v);
}

template <typename F>
F nearest(F x) { return std::nearbyint(x); }  // the default rounding mode: ties to even

}  // namespace eval_detail

// Evaluates a scalar numeric operator (i32/i64/f32/f64 comparisons, arithmetic, conversions,
// saturating truncations). Other operators are Unsupported.
inline EvalResult eval_scalar(Op op, uint64_t a, uint64_t b = 0) {
  using namespace eval_detail;
  using R = EvalResult;
  const uint32_t x = uint32_t(a), y = uint32_t(b);
  const int32_t sx = int32_t(x), sy = int32_t(y);
  const int64_t lx = int64_t(a), ly = int64_t(b);
  switch (op) {
    // i32
    case Op::I32Eqz: return R::ok(x == 0);
    case Op::I32Eq: return R::ok(x == y);
    case Op::I32Ne: return R::ok(x != y);
    case Op::I32LtS: return R::ok(sx < sy);
    case Op::I32LtU: return R::ok(x < y);
    case Op::I32GtS: return R::ok(sx > sy);
    case Op::I32GtU: return R::ok(x > y);
    case Op::I32LeS: return R::ok(sx <= sy);
    case Op::I32LeU: return R::ok(x <= y);
    case Op::I32GeS: return R::ok(sx >= sy);
    case Op::I32GeU: return R::ok(x >= y);
    case Op::I32Clz: return R::ok(uint32_t(std::countl_zero(x)));
    case Op::I32Ctz: return R::ok(uint32_t(std::countr_zero(x)));
    case Op::I32Popcnt: return R::ok(uint32_t(std::popcount(x)));
    case Op::I32Add: return R::ok(b32(x + y));
    case Op::I32Sub: return R::ok(b32(x - y));
    case Op::I32Mul: return R::ok(b32(x * y));
    case Op::I32DivS:
      if (y == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      if (sx == INT32_MIN && sy == -1) return R::trapped(TrapCode::IntegerOverflow);
      return R::ok(b32(uint32_t(sx / sy)));
    case Op::I32DivU:
      if (y == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      return R::ok(x / y);
    case Op::I32RemS:
      if (y == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      if (sy == -1) return R::ok(0);
      return R::ok(b32(uint32_t(sx % sy)));
    case Op::I32RemU:
      if (y == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      return R::ok(x % y);
    case Op::I32And: return R::ok(x & y);
    case Op::I32Or: return R::ok(x | y);
    case Op::I32Xor: return R::ok(x ^ y);
    case Op::I32Shl: return R::ok(b32(x << (y & 31)));
    case Op::I32ShrS: return R::ok(b32(uint32_t(sx >> (y & 31))));
    case Op::I32ShrU: return R::ok(x >> (y & 31));
    case Op::I32Rotl: return R::ok(std::rotl(x, int(y & 31)));
    case Op::I32Rotr: return R::ok(std::rotr(x, int(y & 31)));
    // i64
    case Op::I64Eqz: return R::ok(a == 0);
    case Op::I64Eq: return R::ok(a == b);
    case Op::I64Ne: return R::ok(a != b);
    case Op::I64LtS: return R::ok(lx < ly);
    case Op::I64LtU: return R::ok(a < b);
    case Op::I64GtS: return R::ok(lx > ly);
    case Op::I64GtU: return R::ok(a > b);
    case Op::I64LeS: return R::ok(lx <= ly);
    case Op::I64LeU: return R::ok(a <= b);
    case Op::I64GeS: return R::ok(lx >= ly);
    case Op::I64GeU: return R::ok(a >= b);
    case Op::I64Clz: return R::ok(uint64_t(std::countl_zero(a)));
    case Op::I64Ctz: return R::ok(uint64_t(std::countr_zero(a)));
    case Op::I64Popcnt: return R::ok(uint64_t(std::popcount(a)));
    case Op::I64Add: return R::ok(a + b);
    case Op::I64Sub: return R::ok(a - b);
    case Op::I64Mul: return R::ok(a * b);
    case Op::I64DivS:
      if (b == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      if (lx == INT64_MIN && ly == -1) return R::trapped(TrapCode::IntegerOverflow);
      return R::ok(uint64_t(lx / ly));
    case Op::I64DivU:
      if (b == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      return R::ok(a / b);
    case Op::I64RemS:
      if (b == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      if (ly == -1) return R::ok(0);
      return R::ok(uint64_t(lx % ly));
    case Op::I64RemU:
      if (b == 0) return R::trapped(TrapCode::IntegerDivisionByZero);
      return R::ok(a % b);
    case Op::I64And: return R::ok(a & b);
    case Op::I64Or: return R::ok(a | b);
    case Op::I64Xor: return R::ok(a ^ b);
    case Op::I64Shl: return R::ok(a << (b & 63));
    case Op::I64ShrS: return R::ok(uint64_t(lx >> (b & 63)));
    case Op::I64ShrU: return R::ok(a >> (b & 63));
    case Op::I64Rotl: return R::ok(std::rotl(a, int(b & 63)));
    case Op::I64Rotr: return R::ok(std::rotr(a, int(b & 63)));
    // f32
    case Op::F32Eq: return R::ok(f32(a) == f32(b));
    case Op::F32Ne: return R::ok(f32(a) != f32(b));
    case Op::F32Lt: return R::ok(f32(a) < f32(b));
    case Op::F32Gt: return R::ok(f32(a) > f32(b));
    case Op::F32Le: return R::ok(f32(a) <= f32(b));
    case Op::F32Ge: return R::ok(f32(a) >= f32(b));
    case Op::F32Abs: return R::ok(x & 0x7FFFFFFFu);
    case Op::F32Neg: return R::ok(x ^ 0x80000000u);
    case Op::F32Ceil: return R::ok(bits(std::ceil(f32(a))));
    case Op::F32Floor: return R::ok(bits(std::floor(f32(a))));
    case Op::F32Trunc: return R::ok(bits(std::trunc(f32(a))));
    case Op::F32Nearest: return R::ok(bits(nearest(f32(a))));
    case Op::F32Sqrt: return R::ok(bits(std::sqrt(f32(a))));
    case Op::F32Add: return R::ok(bits(f32(a) + f32(b)));
    case Op::F32Sub: return R::ok(bits(f32(a) - f32(b)));
    case Op::F32Mul: return R::ok(bits(f32(a) * f32(b)));
    case Op::F32Div: return R::ok(bits(f32(a) / f32(b)));
    case Op::F32Min: return R::ok(bits(wasm_min(f32(a), f32(b))));
    case Op::F32Max: return R::ok(bits(wasm_max(f32(a), f32(b))));
    case Op::F32Copysign: return R::ok((x & 0x7FFFFFFFu) | (y & 0x80000000u));
    // f64
    case Op::F64Eq: return R::ok(f64(a) == f64(b));
    case Op::F64Ne: return R::ok(f64(a) != f64(b));
    case Op::F64Lt: return R::ok(f64(a) < f64(b));
    case Op::F64Gt: return R::ok(f64(a) > f64(b));
    case Op::F64Le: return R::ok(f64(a) <= f64(b));
    case Op::F64Ge: return R::ok(f64(a) >= f64(b));
    case Op::F64Abs: return R::ok(a & 0x7FFFFFFFFFFFFFFFull);
    case Op::F64Neg: return R::ok(a ^ 0x8000000000000000ull);
    case Op::F64Ceil: return R::ok(bits(std::ceil(f64(a))));
    case Op::F64Floor: return R::ok(bits(std::floor(f64(a))));
    case Op::F64Trunc: return R::ok(bits(std::trunc(f64(a))));
    case Op::F64Nearest: return R::ok(bits(nearest(f64(a))));
    case Op::F64Sqrt: return R::ok(bits(std::sqrt(f64(a))));
    case Op::F64Add: return R::ok(bits(f64(a) + f64(b)));
    case Op::F64Sub: return R::ok(bits(f64(a) - f64(b)));
    case Op::F64Mul: return R::ok(bits(f64(a) * f64(b)));
    case Op::F64Div: return R::ok(bits(f64(a) / f64(b)));
    case Op::F64Min: return R::ok(bits(wasm_min(f64(a), f64(b))));
    case Op::F64Max: return R::ok(bits(wasm_max(f64(a), f64(b))));
    case Op::F64Copysign: return R::ok((a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull));
    // conversions
    case Op::I32WrapI64: return R::ok(uint32_t(a));
    case Op::I32TruncF32S: return trunc_checked<int32_t>(f32(a));
    case Op::I32TruncF32U: return trunc_checked<uint32_t>(f32(a));
    case Op::I32TruncF64S: return trunc_checked<int32_t>(f64(a));
    case Op::I32TruncF64U: return trunc_checked<uint32_t>(f64(a));
    case Op::I64ExtendI32S: return R::ok(uint64_t(int64_t(sx)));
    case Op::I64ExtendI32U: return R::ok(uint64_t(x));
    case Op::I64TruncF32S: return trunc_checked<int64_t>(f32(a));
    case Op::I64TruncF32U: return trunc_checked<uint64_t>(f32(a));
    case Op::I64TruncF64S: return trunc_checked<int64_t>(f64(a));
    case Op::I64TruncF64U: return trunc_checked<uint64_t>(f64(a));
    case Op::F32ConvertI32S: return R::ok(bits(float(sx)));
    case Op::F32ConvertI32U: return R::ok(bits(float(x)));
    case Op::F32ConvertI64S: return R::ok(bits(float(lx)));
    case Op::F32ConvertI64U: return R::ok(bits(float(a)));
    case Op::F32DemoteF64: return R::ok(bits(float(f64(a))));
    case Op::F64ConvertI32S: return R::ok(bits(double(sx)));
    case Op::F64ConvertI32U: return R::ok(bits(double(x)));
    case Op::F64ConvertI64S: return R::ok(bits(double(lx)));
    case Op::F64ConvertI64U: return R::ok(bits(double(a)));
    case Op::F64PromoteF32: return R::ok(bits(double(f32(a))));
    case Op::I32ReinterpretF32: return R::ok(x);
    case Op::I64ReinterpretF64: return R::ok(a);
    case Op::F32ReinterpretI32: return R::ok(x);
    case Op::F64ReinterpretI64: return R::ok(a);
    case Op::I32Extend8S: return R::ok(b32(uint32_t(int32_t(int8_t(x)))));
    case Op::I32Extend16S: return R::ok(b32(uint32_t(int32_t(int16_t(x)))));
    case Op::I64Extend8S: return R::ok(uint64_t(int64_t(int8_t(a))));
    case Op::I64Extend16S: return R::ok(uint64_t(int64_t(int16_t(a))));
    case Op::I64Extend32S: return R::ok(uint64_t(int64_t(int32_t(a))));
    case Op::I32TruncSatF32S: return R::ok(trunc_sat<int32_t>(f32(a)));
    case Op::I32TruncSatF32U: return R::ok(trunc_sat<uint32_t>(f32(a)));
    case Op::I32TruncSatF64S: return R::ok(trunc_sat<int32_t>(f64(a)));
    case Op::I32TruncSatF64U: return R::ok(trunc_sat<uint32_t>(f64(a)));
    case Op::I64TruncSatF32S: return R::ok(trunc_sat<int64_t>(f32(a)));
    case Op::I64TruncSatF32U: return R::ok(trunc_sat<uint64_t>(f32(a)));
    case Op::I64TruncSatF64S: return R::ok(trunc_sat<int64_t>(f64(a)));
    case Op::I64TruncSatF64U: return R::ok(trunc_sat<uint64_t>(f64(a)));
    default: return R::unsupported();
  }
}

// High half of a 32- or 64-bit product (the IR's umulhi/smulhi, used for division by constants).
inline uint64_t eval_mulhi(bool is64, bool is_signed, uint64_t a, uint64_t b) {
  if (!is64) {
    if (is_signed) return uint32_t(uint64_t(int64_t(int32_t(a)) * int64_t(int32_t(b))) >> 32);
    return uint32_t((uint64_t(uint32_t(a)) * uint64_t(uint32_t(b))) >> 32);
  }
  if (is_signed) return uint64_t((__int128(int64_t(a)) * __int128(int64_t(b))) >> 64);
  return uint64_t((static_cast<unsigned __int128>(a) * b) >> 64);
}

// Float operators whose result is a pure function of the input bits even for NaN inputs
// (bit manipulation): folding them cannot change a NaN's payload.
constexpr bool is_bitwise_float_op(Op op) {
  switch (op) {
    case Op::F32Abs: case Op::F32Neg: case Op::F32Copysign:
    case Op::F64Abs: case Op::F64Neg: case Op::F64Copysign:
    case Op::F32ReinterpretI32: case Op::F64ReinterpretI64:
      return true;
    default: return false;
  }
}

}  // namespace wasm::detail::jit::opt
