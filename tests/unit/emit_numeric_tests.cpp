// emit_numeric: every scalar numeric op is JIT-compiled into a small function for many register
// assignments (every aliasing form, immediates, the constraint registers), run over tables of
// edge values, and compared with a reference implementation of the wasm semantics written
// here in plain C++ — for the host's CPU features and for the fallback sequences.
#include <catch2/catch.hpp>

#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "wasm/detail/jit/code_memory.hpp"
#include "wasm/detail/jit/emit_numeric.hpp"

using namespace wasm;
using namespace wasm::detail;
using namespace wasm::detail::jit;

namespace {

using Xbyak::Reg64;
using Xbyak::Xmm;
namespace R = Xbyak::util;

// ---------------------------------------------------------------------------------------------
// The harness: void f(uint64_t lhs_bits, uint64_t rhs_bits, uint64_t* out)
// Fills every register with a distinct junk pattern, loads the operands into the registers
// under test, runs the emitted op, then dumps all 16 gprs (out[0..15]), the low 64 bits of all
// 16 xmms (out[16..31]) and the trap code (out[32], kNoTrap when none) to `out`.

constexpr uint64_t kNoTrap = 0xFF;

uint64_t gpr_junk(int i) { return 0x5A00C0DEC0DE0000ull ^ (uint64_t(i) << 48) ^ uint64_t(i * 0x1111); }
uint64_t xmm_junk(int i) { return 0x7FF4BAD0BAD00000ull ^ (uint64_t(i) << 40) ^ uint64_t(i * 0x2222); }
constexpr uint64_t kF32HighJunk = 0xDEADBEEF00000000ull;  // above an f32 operand in its lane

bool is_float_slot(Slot s) { return s == Slot::F32 || s == Slot::F64; }

class Sink final : public TrapSink {
 public:
  Xbyak::Label& trap_label(TrapCode code) override { return labels_[code]; }
  std::map<TrapCode, Xbyak::Label>& labels() { return labels_; }

 private:
  std::map<TrapCode, Xbyak::Label> labels_;
};

using TestFn = void (*)(uint64_t, uint64_t, uint64_t*);

struct Compiled {
  CodeMemory mem;
  TestFn fn = nullptr;
};

void load_operand(Xbyak::CodeGenerator& g, Slot slot, NumOperand reg, int disp) {
  switch (slot) {
    case Slot::I32: g.mov(reg.r32(), g.dword[g.rsp + disp]); break;
    case Slot::I64: g.mov(reg.r64(), g.qword[g.rsp + disp]); break;
    default: g.movq(reg.x(), g.qword[g.rsp + disp]); break;
  }
}

Compiled build(Op op, NumOperand dst, NumOperand lhs, NumOperand rhs, const CpuFeatures& cpu) {
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  const Reg64 saved[] = {R::rbx, R::rbp, R::r12, R::r13, R::r14, R::r15};
  for (const Reg64& r : saved) g.push(r);
  g.push(g.rdx);  // out      [rsp + 16]
  g.push(g.rsi);  // rhs bits [rsp + 8]
  g.push(g.rdi);  // lhs bits [rsp + 0]
  for (int i = 0; i < 16; ++i) {
    g.mov(g.rax, xmm_junk(i));
    g.movq(Xmm(i), g.rax);
  }
  for (int i = 0; i < 16; ++i)
    if (i != 4) g.mov(Reg64(i), gpr_junk(i));
  const OpInfo& info = op_info(op);
  load_operand(g, info.params[0], lhs, 0);
  if (info.param_count() == 2 && rhs.is_reg() && !rhs.same_reg(lhs))
    load_operand(g, info.params[1], rhs, 8);

  Sink sink;
  emit_numeric(g, op, dst, lhs, rhs, Scratch{R::r11, R::xmm15}, sink, cpu);

  Xbyak::Label epilogue;
  g.push(g.rax);
  g.mov(g.rax, g.qword[g.rsp + 8 + 16]);
  for (int i = 1; i < 16; ++i)
    if (i != 4) g.mov(g.qword[g.rax + 8 * i], Reg64(i));
  g.pop(g.rcx);
  g.mov(g.qword[g.rax], g.rcx);
  for (int i = 0; i < 16; ++i) g.movq(g.qword[g.rax + 8 * (16 + i)], Xmm(i));
  g.mov(g.qword[g.rax + 8 * 32], uint32_t(kNoTrap));
  g.L(epilogue);
  g.add(g.rsp, 24);
  for (int i = 5; i >= 0; --i) g.pop(saved[i]);
  g.ret();
  for (auto& [code, label] : sink.labels()) {
    g.L(label);
    g.mov(g.rax, g.qword[g.rsp + 16]);
    g.mov(g.qword[g.rax + 8 * 32], uint32_t(code));
    g.jmp(epilogue, Xbyak::CodeGenerator::T_NEAR);
  }
  g.ready();
  Compiled c;
  c.mem = CodeMemory::publish({g.getCode(), g.getSize()});
  c.fn = reinterpret_cast<TestFn>(const_cast<uint8_t*>(c.mem.data()));
  return c;
}

// ---------------------------------------------------------------------------------------------
// Reference semantics.

struct Expect {
  bool trap = false;
  TrapCode code{};
  uint64_t bits = 0;
};

Expect val(uint64_t v) { return Expect{false, {}, v}; }
Expect trap(TrapCode c) { return Expect{true, c, 0}; }
uint64_t b32(float f) { return std::bit_cast<uint32_t>(f); }
uint64_t b64(double d) { return std::bit_cast<uint64_t>(d); }
float f32(uint64_t b) { return std::bit_cast<float>(uint32_t(b)); }
double f64(uint64_t b) { return std::bit_cast<double>(b); }
uint64_t u32(uint64_t v) { return uint32_t(v); }

template <typename F>
F wasm_min(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<F>::quiet_NaN();
  if (a == b) return std::signbit(a) ? a : b;  // -0 < +0
  return a < b ? a : b;
}
template <typename F>
F wasm_max(F a, F b) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<F>::quiet_NaN();
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

// Truncation of x (a float or double, exactly representable in long double) to an integer
// range [lo, hi]; NaN -> BadConversionToInteger, outside -> IntegerOverflow.
Expect trunc_to(long double x, long double lo, long double hi, bool is_signed, bool wide) {
  if (std::isnan(x)) return trap(TrapCode::BadConversionToInteger);
  long double t = std::trunc(x);
  if (t < lo || t > hi) return trap(TrapCode::IntegerOverflow);
  uint64_t r = is_signed ? uint64_t(int64_t(t)) : uint64_t(t);
  return val(wide ? r : u32(r));
}
Expect trunc_sat(long double x, long double lo, long double hi, bool is_signed, bool wide) {
  if (std::isnan(x)) return val(0);
  long double t = std::trunc(x);
  if (t < lo) t = lo;
  if (t > hi) t = hi;
  uint64_t r = is_signed ? uint64_t(int64_t(t)) : uint64_t(t);
  return val(wide ? r : u32(r));
}

constexpr long double kTwo31 = 2147483648.0L, kTwo32 = 4294967296.0L;
constexpr long double kTwo63 = 9223372036854775808.0L, kTwo64 = 18446744073709551616.0L;

Expect reference(Op op, uint64_t a, uint64_t b) {
  uint32_t x = uint32_t(a), y = uint32_t(b);
  int32_t sx = int32_t(x), sy = int32_t(y);
  int64_t sa = int64_t(a), sb = int64_t(b);
  auto bit = [](bool c) { return val(c ? 1 : 0); };
  switch (op) {
    // i32
    case Op::I32Eqz: return bit(x == 0);
    case Op::I32Eq: return bit(x == y);
    case Op::I32Ne: return bit(x != y);
    case Op::I32LtS: return bit(sx < sy);
    case Op::I32LtU: return bit(x < y);
    case Op::I32GtS: return bit(sx > sy);
    case Op::I32GtU: return bit(x > y);
    case Op::I32LeS: return bit(sx <= sy);
    case Op::I32LeU: return bit(x <= y);
    case Op::I32GeS: return bit(sx >= sy);
    case Op::I32GeU: return bit(x >= y);
    case Op::I32Clz: return val(x == 0 ? 32 : __builtin_clz(x));
    case Op::I32Ctz: return val(x == 0 ? 32 : __builtin_ctz(x));
    case Op::I32Popcnt: return val(__builtin_popcount(x));
    case Op::I32Add: return val(u32(x + y));
    case Op::I32Sub: return val(u32(x - y));
    case Op::I32Mul: return val(u32(x * y));
    case Op::I32DivS:
      if (y == 0) return trap(TrapCode::IntegerDivisionByZero);
      if (sx == INT32_MIN && sy == -1) return trap(TrapCode::IntegerOverflow);
      return val(u32(uint32_t(sx / sy)));
    case Op::I32DivU:
      if (y == 0) return trap(TrapCode::IntegerDivisionByZero);
      return val(x / y);
    case Op::I32RemS:
      if (y == 0) return trap(TrapCode::IntegerDivisionByZero);
      if (sy == -1) return val(0);
      return val(u32(uint32_t(sx % sy)));
    case Op::I32RemU:
      if (y == 0) return trap(TrapCode::IntegerDivisionByZero);
      return val(x % y);
    case Op::I32And: return val(x & y);
    case Op::I32Or: return val(x | y);
    case Op::I32Xor: return val(x ^ y);
    case Op::I32Shl: return val(u32(x << (y & 31)));
    case Op::I32ShrS: return val(u32(uint32_t(sx >> (y & 31))));
    case Op::I32ShrU: return val(x >> (y & 31));
    case Op::I32Rotl: return val(std::rotl(x, int(y & 31)));
    case Op::I32Rotr: return val(std::rotr(x, int(y & 31)));
    // i64
    case Op::I64Eqz: return bit(a == 0);
    case Op::I64Eq: return bit(a == b);
    case Op::I64Ne: return bit(a != b);
    case Op::I64LtS: return bit(sa < sb);
    case Op::I64LtU: return bit(a < b);
    case Op::I64GtS: return bit(sa > sb);
    case Op::I64GtU: return bit(a > b);
    case Op::I64LeS: return bit(sa <= sb);
    case Op::I64LeU: return bit(a <= b);
    case Op::I64GeS: return bit(sa >= sb);
    case Op::I64GeU: return bit(a >= b);
    case Op::I64Clz: return val(a == 0 ? 64 : __builtin_clzll(a));
    case Op::I64Ctz: return val(a == 0 ? 64 : __builtin_ctzll(a));
    case Op::I64Popcnt: return val(__builtin_popcountll(a));
    case Op::I64Add: return val(a + b);
    case Op::I64Sub: return val(a - b);
    case Op::I64Mul: return val(a * b);
    case Op::I64DivS:
      if (b == 0) return trap(TrapCode::IntegerDivisionByZero);
      if (sa == INT64_MIN && sb == -1) return trap(TrapCode::IntegerOverflow);
      return val(uint64_t(sa / sb));
    case Op::I64DivU:
      if (b == 0) return trap(TrapCode::IntegerDivisionByZero);
      return val(a / b);
    case Op::I64RemS:
      if (b == 0) return trap(TrapCode::IntegerDivisionByZero);
      if (sb == -1) return val(0);
      return val(uint64_t(sa % sb));
    case Op::I64RemU:
      if (b == 0) return trap(TrapCode::IntegerDivisionByZero);
      return val(a % b);
    case Op::I64And: return val(a & b);
    case Op::I64Or: return val(a | b);
    case Op::I64Xor: return val(a ^ b);
    case Op::I64Shl: return val(a << (b & 63));
    case Op::I64ShrS: return val(uint64_t(sa >> (b & 63)));
    case Op::I64ShrU: return val(a >> (b & 63));
    case Op::I64Rotl: return val(std::rotl(a, int(b & 63)));
    case Op::I64Rotr: return val(std::rotr(a, int(b & 63)));
    // f32 / f64 comparisons
    case Op::F32Eq: return bit(f32(a) == f32(b));
    case Op::F32Ne: return bit(f32(a) != f32(b));
    case Op::F32Lt: return bit(f32(a) < f32(b));
    case Op::F32Gt: return bit(f32(a) > f32(b));
    case Op::F32Le: return bit(f32(a) <= f32(b));
    case Op::F32Ge: return bit(f32(a) >= f32(b));
    case Op::F64Eq: return bit(f64(a) == f64(b));
    case Op::F64Ne: return bit(f64(a) != f64(b));
    case Op::F64Lt: return bit(f64(a) < f64(b));
    case Op::F64Gt: return bit(f64(a) > f64(b));
    case Op::F64Le: return bit(f64(a) <= f64(b));
    case Op::F64Ge: return bit(f64(a) >= f64(b));
    // f32 arithmetic
    case Op::F32Abs: return val(x & 0x7FFFFFFFu);
    case Op::F32Neg: return val(x ^ 0x80000000u);
    case Op::F32Copysign: return val((x & 0x7FFFFFFFu) | (y & 0x80000000u));
    case Op::F32Ceil: return val(b32(std::ceil(f32(a))));
    case Op::F32Floor: return val(b32(std::floor(f32(a))));
    case Op::F32Trunc: return val(b32(std::trunc(f32(a))));
    case Op::F32Nearest: return val(b32(std::nearbyint(f32(a))));
    case Op::F32Sqrt: return val(b32(std::sqrt(f32(a))));
    case Op::F32Add: return val(b32(f32(a) + f32(b)));
    case Op::F32Sub: return val(b32(f32(a) - f32(b)));
    case Op::F32Mul: return val(b32(f32(a) * f32(b)));
    case Op::F32Div: return val(b32(f32(a) / f32(b)));
    case Op::F32Min: return val(b32(wasm_min(f32(a), f32(b))));
    case Op::F32Max: return val(b32(wasm_max(f32(a), f32(b))));
    // f64 arithmetic
    case Op::F64Abs: return val(a & 0x7FFFFFFFFFFFFFFFull);
    case Op::F64Neg: return val(a ^ 0x8000000000000000ull);
    case Op::F64Copysign:
      return val((a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull));
    case Op::F64Ceil: return val(b64(std::ceil(f64(a))));
    case Op::F64Floor: return val(b64(std::floor(f64(a))));
    case Op::F64Trunc: return val(b64(std::trunc(f64(a))));
    case Op::F64Nearest: return val(b64(std::nearbyint(f64(a))));
    case Op::F64Sqrt: return val(b64(std::sqrt(f64(a))));
    case Op::F64Add: return val(b64(f64(a) + f64(b)));
    case Op::F64Sub: return val(b64(f64(a) - f64(b)));
    case Op::F64Mul: return val(b64(f64(a) * f64(b)));
    case Op::F64Div: return val(b64(f64(a) / f64(b)));
    case Op::F64Min: return val(b64(wasm_min(f64(a), f64(b))));
    case Op::F64Max: return val(b64(wasm_max(f64(a), f64(b))));
    // conversions
    case Op::I32WrapI64: return val(u32(a));
    case Op::I64ExtendI32S: return val(uint64_t(int64_t(sx)));
    case Op::I64ExtendI32U: return val(x);
    case Op::I32Extend8S: return val(u32(uint32_t(int32_t(int8_t(x)))));
    case Op::I32Extend16S: return val(u32(uint32_t(int32_t(int16_t(x)))));
    case Op::I64Extend8S: return val(uint64_t(int64_t(int8_t(a))));
    case Op::I64Extend16S: return val(uint64_t(int64_t(int16_t(a))));
    case Op::I64Extend32S: return val(uint64_t(int64_t(int32_t(a))));
    case Op::I32TruncF32S: return trunc_to(f32(a), -kTwo31, kTwo31 - 1, true, false);
    case Op::I32TruncF32U: return trunc_to(f32(a), 0, kTwo32 - 1, false, false);
    case Op::I32TruncF64S: return trunc_to(f64(a), -kTwo31, kTwo31 - 1, true, false);
    case Op::I32TruncF64U: return trunc_to(f64(a), 0, kTwo32 - 1, false, false);
    case Op::I64TruncF32S: return trunc_to(f32(a), -kTwo63, kTwo63 - 1, true, true);
    case Op::I64TruncF32U: return trunc_to(f32(a), 0, kTwo64 - 1, false, true);
    case Op::I64TruncF64S: return trunc_to(f64(a), -kTwo63, kTwo63 - 1, true, true);
    case Op::I64TruncF64U: return trunc_to(f64(a), 0, kTwo64 - 1, false, true);
    case Op::I32TruncSatF32S: return trunc_sat(f32(a), -kTwo31, kTwo31 - 1, true, false);
    case Op::I32TruncSatF32U: return trunc_sat(f32(a), 0, kTwo32 - 1, false, false);
    case Op::I32TruncSatF64S: return trunc_sat(f64(a), -kTwo31, kTwo31 - 1, true, false);
    case Op::I32TruncSatF64U: return trunc_sat(f64(a), 0, kTwo32 - 1, false, false);
    case Op::I64TruncSatF32S: return trunc_sat(f32(a), -kTwo63, kTwo63 - 1, true, true);
    case Op::I64TruncSatF32U: return trunc_sat(f32(a), 0, kTwo64 - 1, false, true);
    case Op::I64TruncSatF64S: return trunc_sat(f64(a), -kTwo63, kTwo63 - 1, true, true);
    case Op::I64TruncSatF64U: return trunc_sat(f64(a), 0, kTwo64 - 1, false, true);
    // int -> float: long double holds every 64-bit integer exactly, so one rounding happens.
    case Op::F32ConvertI32S: return val(b32(float((long double)sx)));
    case Op::F32ConvertI32U: return val(b32(float((long double)x)));
    case Op::F32ConvertI64S: return val(b32(float((long double)sa)));
    case Op::F32ConvertI64U: return val(b32(float((long double)a)));
    case Op::F64ConvertI32S: return val(b64(double((long double)sx)));
    case Op::F64ConvertI32U: return val(b64(double((long double)x)));
    case Op::F64ConvertI64S: return val(b64(double((long double)sa)));
    case Op::F64ConvertI64U: return val(b64(double((long double)a)));
    case Op::F32DemoteF64: return val(b32(float(f64(a))));
    case Op::F64PromoteF32: return val(b64(double(f32(a))));
    case Op::I32ReinterpretF32: return val(x);
    case Op::I64ReinterpretF64: return val(a);
    case Op::F32ReinterpretI32: return val(x);
    case Op::F64ReinterpretI64: return val(a);
    default: break;
  }
  FAIL("no reference for " << op_name(op));
  return {};
}

// Whether a NaN result may be any NaN the spec allows for `op` (rather than exact bits).
bool nan_flexible(Op op) {
  switch (op) {
    case Op::F32Abs: case Op::F32Neg: case Op::F32Copysign:
    case Op::F64Abs: case Op::F64Neg: case Op::F64Copysign:
    case Op::F32ReinterpretI32: case Op::F64ReinterpretI64:
      return false;
    default:
      return is_float_slot(op_info(op).result);
  }
}

bool is_nan_bits(Slot s, uint64_t v) {
  return s == Slot::F32 ? std::isnan(f32(v)) : std::isnan(f64(v));
}
bool is_canonical_nan(Slot s, uint64_t v) {
  return s == Slot::F32 ? (v & 0x7FFFFFFFu) == 0x7FC00000u
                        : (v & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull;
}
bool is_arithmetic_nan(Slot s, uint64_t v) {
  return s == Slot::F32 ? (v & 0x7FC00000u) == 0x7FC00000u
                        : (v & 0x7FF8000000000000ull) == 0x7FF8000000000000ull;
}

// Compares a result with the reference; NaN results follow the spec's canonical/arithmetic rule.
bool result_ok(Op op, const Expect& e, uint64_t got, uint64_t a, uint64_t b) {
  const OpInfo& info = op_info(op);
  Slot rs = info.result;
  if (rs == Slot::F32) got = u32(got);
  if (!nan_flexible(op) || !is_nan_bits(rs, e.bits)) return got == e.bits;
  if (!is_arithmetic_nan(rs, got)) return false;
  bool inputs_canonical = true;
  for (unsigned i = 0; i < info.param_count(); ++i) {
    Slot ps = info.params[i];
    uint64_t v = i == 0 ? a : b;
    if (is_float_slot(ps) && is_nan_bits(ps, v) && !is_canonical_nan(ps, v)) inputs_canonical = false;
  }
  return !inputs_canonical || is_canonical_nan(rs, got);
}

// ---------------------------------------------------------------------------------------------
// Edge values.

std::vector<uint64_t> i32_values() {
  std::vector<uint64_t> v = {0, 1, 2, 3, 7, 10, 31, 32, 33, 63, 64, 65, 0x7F, 0x80, 0xFF, 0x7FFF,
                             0x8000, 0xFFFF, 0x10000, 0x12345678, 0x87654321, 0xF0F0F0F0,
                             0x0F0F0F0F, 0x55555555, 0xAAAAAAAA, 0x7FFFFFFE, 0x7FFFFFFF,
                             0x80000000, 0x80000001, 0xFFFFFF80, 0xFFFFFFE1};
  for (int32_t n : {-1, -2, -3, -7, -10}) v.push_back(uint32_t(n));
  return v;
}

std::vector<uint64_t> i64_values() {
  std::vector<uint64_t> v;
  for (uint64_t x : i32_values()) {
    v.push_back(x);
    if (x & 0x80000000u) v.push_back(uint64_t(int64_t(int32_t(x))));
  }
  for (uint64_t x : {0x100000000ull, 0x100000001ull, 0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull,
                     0x8000000000000001ull, 0xFFFFFFFF00000000ull, 0x123456789ABCDEF0ull,
                     0xFEDCBA9876543210ull, 1ull << 40, 0ull - (1ull << 40), 0xAAAAAAAAAAAAAAAAull,
                     0x5555555555555555ull, 0x0101010101010101ull, 0x7FFFFFFFFFFFFFFEull,
                     1ull << 53, (1ull << 53) + 1, (1ull << 54) + 3, 0xFFFFFFFFFFFFF800ull,
                     0xFFFFFFFFFFFFFC00ull, 0xFFFFFF7FFFFFFFFFull, 0x8000008000000001ull,
                     0x7FFFFFBFFFFFFFFFull, 0x0020000020000001ull, 0x8000000000000401ull,
                     0x8000000000000400ull, 0x8000000000000C00ull})
    v.push_back(x);
  return v;
}

std::vector<uint64_t> f32_values() {
  std::vector<uint64_t> v = {
      0x00000000, 0x80000000,                          // ±0
      0x3F800000, 0xBF800000, 0x3F000000, 0xBF000000,  // ±1, ±0.5
      0x3FC00000, 0xBFC00000, 0x40200000, 0xC0200000,  // ±1.5, ±2.5
      0x3F7FFFFF, 0xBF7FFFFF, 0x3F800001, 0xBF800001,  // 1 ∓ ulp
      0x3EFFFFFF, 0x3F000001, 0x4B000000, 0x4AFFFFFF,  // 0.5 ∓ ulp, 2^23, 2^23 - 0.5
      0x4B800000, 0xCAFFFFFD, 0x4A800001,              // 2^24, -(2^23 - 1.5), 2^22 + 0.5
      0x7F800000, 0xFF800000,                          // ±inf
      0x7FC00000, 0xFFC00000, 0x7FC12345, 0xFFE00001,  // quiet NaNs
      0x7F800001, 0xFFA00000, 0x7FBFFFFF,              // signalling NaNs
      0x00000001, 0x80000001, 0x007FFFFF, 0x00800000,  // subnormals, min normal
      0x7F7FFFFF, 0xFF7FFFFF,                          // ±max
      0x4EFFFFFF, 0x4F000000, 0x4F000001,              // 2^31 ∓ ulp
      0xCEFFFFFF, 0xCF000000, 0xCF000001,              // -2^31 ± ulp
      0x4F7FFFFF, 0x4F800000, 0x4F800001,              // 2^32 ∓ ulp
      0x5EFFFFFF, 0x5F000000, 0x5F000001,              // 2^63 ∓ ulp
      0xDEFFFFFF, 0xDF000000, 0xDF000001,              // -2^63 ± ulp
      0x5F7FFFFF, 0x5F800000, 0x5F800001,              // 2^64 ∓ ulp
      0x42F6E979, 0xC2F6E979, 0x40490FDB,              // ±123.456, pi
  };
  return v;
}

std::vector<uint64_t> f64_values() {
  std::vector<uint64_t> v;
  for (double d : {0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.5, -3.5, 123.456,
                   -123.456, 0.49999999999999994, -0.49999999999999994, 4503599627370496.0,
                   4503599627370495.5, -4503599627370495.5, 9007199254740992.0,
                   2251799813685248.5, 1e300, -1e300, 3.141592653589793,
                   // i32 boundaries
                   2147483647.0, 2147483647.5, 2147483647.999999, 2147483648.0, 2147483648.5,
                   -2147483648.0, -2147483648.5, -2147483648.999999, -2147483649.0,
                   -2147483647.5, 4294967295.0, 4294967295.5, 4294967295.999999,
                   4294967296.0, -0.999999, -1.0000001, 0.999999,
                   // i64 boundaries
                   9223372036854775808.0, -9223372036854775808.0, 18446744073709551616.0,
                   std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(),
                   std::numeric_limits<double>::min(), std::numeric_limits<double>::denorm_min(),
                   -std::numeric_limits<double>::denorm_min(),
                   // f32 demotion edges
                   3.4028234663852886e38, 3.4028235677973366e38, 1.401298464324817e-45,
                   7.006492321624085e-46, 1.0000000596046448, 1.0000001788139343})
    v.push_back(b64(d));
  for (double d : {9223372036854775808.0, -9223372036854775808.0, 18446744073709551616.0,
                   4294967296.0, -2147483649.0}) {
    v.push_back(b64(std::nextafter(d, 0.0)));
    v.push_back(b64(std::nextafter(d, d * 2)));
  }
  for (uint64_t n : {0x7FF8000000000000ull, 0xFFF8000000000000ull, 0x7FF8000012345678ull,
                     0xFFFC000000000001ull, 0x7FF0000000000001ull, 0xFFF4000000000000ull,
                     0x7FF7FFFFFFFFFFFFull, 0x000FFFFFFFFFFFFFull, 0x0010000000000000ull})
    v.push_back(n);
  return v;
}

std::vector<uint64_t> values_for(Slot s) {
  switch (s) {
    case Slot::I32: return i32_values();
    case Slot::I64: return i64_values();
    case Slot::F32: return f32_values();
    default: return f64_values();
  }
}

// ---------------------------------------------------------------------------------------------
// Register assignments to test.

struct Config {
  NumOperand dst, lhs, rhs;  // rhs.is_imm(): an immediate form; the value comes from the table
  bool imm_sign_extended = true;
};

std::string describe(const NumOperand& o) {
  std::ostringstream s;
  if (o.is_gpr()) s << Reg64(o.idx()).toString();
  else if (o.is_xmm()) s << "xmm" << o.idx();
  else if (o.is_imm()) s << "imm";
  else s << "-";
  return s.str();
}
std::string describe(const Config& c) {
  return describe(c.dst) + " <- " + describe(c.lhs) + ", " + describe(c.rhs) +
         (c.rhs.is_imm() ? (c.imm_sign_extended ? " (sign-extended)" : " (zero-extended)") : "");
}

NumOperand G(int i) { return NumOperand(Reg64(i)); }
NumOperand X(int i) { return NumOperand(Xmm(i)); }

std::vector<Config> configs_for(Op op) {
  const OpInfo& info = op_info(op);
  bool float_src = is_float_slot(info.params[0]);
  bool float_dst = is_float_slot(info.result);
  auto src = [&](int g, int x) { return float_src ? X(x) : G(g); };
  auto dstr = [&](int g, int x) { return float_dst ? X(x) : G(g); };
  NumOperand imm = NumOperand::imm(0);
  std::vector<Config> c;
  switch (numeric_constraint(op)) {
    case NumericConstraint::DivRem: {
      NumOperand d = G(div_rem_result_reg(op));
      for (int r : {1, 3, 6, 9, 13}) c.push_back({d, G(0), G(r)});
      c.push_back({d, G(0), imm, true});
      c.push_back({d, G(0), imm, false});
      return c;
    }
    case NumericConstraint::Shift:
      c = {{G(3), G(6), G(1)}, {G(6), G(6), G(1)}, {G(1), G(6), G(1)}, {G(3), G(1), G(1)},
           {G(1), G(1), G(1)}, {G(12), G(9), G(1)}, {G(3), G(6), imm, true},
           {G(6), G(6), imm, true}, {G(1), G(9), imm, false}};
      return c;
    case NumericConstraint::None: break;
  }
  if (info.param_count() == 1) {
    c = {{dstr(3, 1), src(6, 2), {}}, {dstr(9, 9), src(12, 14), {}}, {dstr(0, 0), src(7, 8), {}}};
    if (float_src == float_dst) {
      c.push_back({src(6, 2), src(6, 2), {}});
      c.push_back({src(12, 14), src(12, 14), {}});
    }
    return c;
  }
  // Binary: dst may alias lhs or rhs only when it has the same class (comparisons of floats
  // produce an integer).
  c = {{dstr(3, 1), src(6, 2), src(7, 3)},   {dstr(3, 1), src(6, 2), src(6, 2)},
       {dstr(9, 9), src(12, 14), src(13, 8)}, {dstr(0, 0), src(1, 5), src(2, 0)}};
  if (float_src == float_dst) {
    c.push_back({src(6, 2), src(6, 2), src(7, 3)});
    c.push_back({src(7, 3), src(6, 2), src(7, 3)});
    c.push_back({src(6, 2), src(6, 2), src(6, 2)});
    c.push_back({src(13, 8), src(12, 14), src(13, 8)});
  }
  if (!float_src) {
    c.push_back({G(3), G(6), imm, true});
    c.push_back({G(6), G(6), imm, true});
    c.push_back({G(12), G(9), imm, false});
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Running one op.

struct OpReport {
  size_t cases = 0;
  size_t failures = 0;
  std::vector<std::string> first_failures;
};

std::string hex(uint64_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

void run_one(Op op, const Config& cfg, const Compiled& code, uint64_t a, uint64_t b, OpReport& rep,
             const std::string& cpu_name) {
  const OpInfo& info = op_info(op);
  uint64_t la = info.params[0] == Slot::F32 ? (a | kF32HighJunk) : a;
  uint64_t lb = info.params[1] == Slot::F32 ? (b | kF32HighJunk) : b;
  uint64_t out[33];
  std::memset(out, 0xCC, sizeof out);
  code.fn(la, lb, out);
  ++rep.cases;

  Expect e = reference(op, a, b);
  std::string problem;
  if (out[32] == kNoTrap) {
    if (e.trap) {
      problem = std::string("expected trap ") + trap_message(e.code);
    } else {
      uint64_t got = cfg.dst.is_xmm() ? out[16 + cfg.dst.idx()] : out[cfg.dst.idx()];
      if (!result_ok(op, e, got, a, b)) problem = "got " + hex(got) + ", expected " + hex(e.bits);
      else if (cfg.dst.is_gpr() && info.result == Slot::I32 && (got >> 32) != 0)
        problem = "i32 result not zero-extended: " + hex(got);
    }
  } else if (!e.trap) {
    problem = std::string("unexpected trap ") + trap_message(TrapCode(out[32])) + ", expected " + hex(e.bits);
  } else if (TrapCode(out[32]) != e.code) {
    problem = std::string("trap ") + trap_message(TrapCode(out[32])) + ", expected " + trap_message(e.code);
  }
  // Only dst, scratch and the constraint's clobbers may change (the trap path dumps nothing).
  if (problem.empty() && out[32] == kNoTrap) {
    for (int i = 0; i < 16; ++i) {
      if (i == 4 || i == 11 || (cfg.dst.is_gpr() && cfg.dst.idx() == i)) continue;
      if (numeric_constraint(op) == NumericConstraint::DivRem && (i == 0 || i == 2)) continue;
      uint64_t expect = gpr_junk(i);
      if (cfg.lhs.is_gpr() && cfg.lhs.idx() == i) expect = info.params[0] == Slot::I32 ? u32(a) : a;
      else if (cfg.rhs.is_gpr() && cfg.rhs.idx() == i) expect = info.params[1] == Slot::I32 ? u32(b) : b;
      if (out[i] != expect) problem += std::string("clobbered ") + Reg64(i).toString() + "; ";
    }
    for (int i = 0; i < 15; ++i) {
      if (cfg.dst.is_xmm() && cfg.dst.idx() == i) continue;
      uint64_t expect = xmm_junk(i);
      if (cfg.lhs.is_xmm() && cfg.lhs.idx() == i) expect = la;
      else if (cfg.rhs.is_xmm() && cfg.rhs.idx() == i) expect = lb;
      if (out[16 + i] != expect) problem += "clobbered xmm" + std::to_string(i) + "; ";
    }
  }
  if (!problem.empty()) {
    ++rep.failures;
    if (rep.first_failures.size() < 8) {
      std::ostringstream s;
      s << op_name(op) << " [" << describe(cfg) << ", " << cpu_name << "] (" << hex(a);
      if (info.param_count() == 2) s << ", " << hex(b);
      s << "): " << problem;
      rep.first_failures.push_back(s.str());
    }
  }
}

OpReport run_op(Op op, const CpuFeatures& cpu, const std::string& cpu_name) {
  OpReport rep;
  const OpInfo& info = op_info(op);
  std::vector<uint64_t> lhs_values = values_for(info.params[0]);
  std::vector<uint64_t> rhs_values;
  if (info.param_count() == 2) rhs_values = values_for(info.params[1]);
  else rhs_values = {0};
  for (const Config& cfg : configs_for(op)) {
    bool lhs_is_rhs = cfg.lhs.same_reg(cfg.rhs);
    if (cfg.rhs.is_imm()) {
      for (uint64_t b : rhs_values) {
        int64_t imm = int64_t(b);
        if (info.params[1] == Slot::I32)
          imm = cfg.imm_sign_extended ? int64_t(int32_t(uint32_t(b))) : int64_t(uint32_t(b));
        Config c = cfg;
        c.rhs = NumOperand::imm(imm);
        Compiled code = build(op, c.dst, c.lhs, c.rhs, cpu);
        REQUIRE(code.fn);
        for (uint64_t a : lhs_values) run_one(op, c, code, a, b, rep, cpu_name);
      }
      continue;
    }
    Compiled code = build(op, cfg.dst, cfg.lhs, cfg.rhs, cpu);
    REQUIRE(code.fn);
    for (uint64_t a : lhs_values) {
      if (lhs_is_rhs) {
        run_one(op, cfg, code, a, a, rep, cpu_name);
        continue;
      }
      for (uint64_t b : rhs_values) run_one(op, cfg, code, a, b, rep, cpu_name);
    }
  }
  return rep;
}

struct CpuVariant {
  CpuFeatures features;
  std::string name;
};

std::vector<CpuVariant> cpu_variants() {
  std::vector<CpuVariant> v = {{CpuFeatures::baseline(), "fallback"}};
  if (!(host_cpu_features() == CpuFeatures::baseline())) v.push_back({host_cpu_features(), "host"});
  return v;
}

template <typename Pred>
void check_ops(Pred pred) {
  for (const CpuVariant& cpu : cpu_variants()) {
    for (size_t i = 0; i < kOpCount; ++i) {
      Op op = Op(i);
      if (!is_numeric_op(op) || !pred(op_info(op))) continue;
      OpReport rep = run_op(op, cpu.features, cpu.name);
      std::string details;
      for (const std::string& f : rep.first_failures) details += "\n  " + f;
      INFO(op_name(op) << " on " << cpu.name << ": " << rep.cases << " cases, " << rep.failures
                       << " failures" << details);
      CHECK(rep.cases > 0);
      CHECK(rep.failures == 0);
    }
  }
}

bool integer_slot(Slot s) { return s == Slot::I32 || s == Slot::I64 || s == Slot::None; }

}  // namespace

TEST_CASE("emit_numeric: is_numeric_op covers exactly the scalar numeric ops", "[emit_numeric]") {
  size_t n = 0;
  for (size_t i = 0; i < kOpCount; ++i) n += is_numeric_op(Op(i));
  // 0x45..0xC4 (128 ops) plus the eight saturating truncations.
  CHECK(n == 128 + 8);
  CHECK(is_numeric_op(Op::I32Add));
  CHECK(is_numeric_op(Op::I64TruncSatF64U));
  CHECK_FALSE(is_numeric_op(Op::I32Const));
  CHECK_FALSE(is_numeric_op(Op::I32Load));
  CHECK_FALSE(is_numeric_op(Op::Select));
  CHECK_FALSE(is_numeric_op(Op::RefIsNull));
  CHECK(numeric_constraint(Op::I64RemU) == NumericConstraint::DivRem);
  CHECK(numeric_constraint(Op::I32Rotl) == NumericConstraint::Shift);
  CHECK(numeric_constraint(Op::F64Min) == NumericConstraint::None);
  CHECK(div_rem_result_reg(Op::I32DivS) == 0);
  CHECK(div_rem_result_reg(Op::I64RemS) == 2);
}

TEST_CASE("emit_numeric: integer ops match the reference", "[emit_numeric]") {
  check_ops([](const OpInfo& info) {
    return integer_slot(info.params[0]) && integer_slot(info.params[1]) && integer_slot(info.result);
  });
}

TEST_CASE("emit_numeric: float ops match the reference", "[emit_numeric]") {
  check_ops([](const OpInfo& info) {
    return is_float_slot(info.params[0]) && (is_float_slot(info.result) || info.param_count() == 2);
  });
}

TEST_CASE("emit_numeric: conversions match the reference", "[emit_numeric]") {
  check_ops([](const OpInfo& info) {
    return info.param_count() == 1 && is_float_slot(info.params[0]) != is_float_slot(info.result);
  });
}

namespace {

enum class Use { Jcc, JccNegated, Setcc, Cmov };

// uint64_t f(lhs, rhs): the flags of a compare op consumed by jcc / negated jcc / setcc / cmovcc.
Compiled build_fused(Op op, Use use, bool imm_rhs, uint64_t rhs_value) {
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  const OpInfo& info = op_info(op);
  bool is_float = is_float_slot(info.params[0]);
  NumOperand lhs = G(7), rhs = G(6);  // rdi, rsi as they arrive
  if (is_float) {
    lhs = X(1);
    rhs = X(2);
    g.movq(g.xmm1, g.rdi);
    g.movq(g.xmm2, g.rsi);
  } else if (info.params[0] == Slot::I32) {
    g.mov(g.edi, g.edi);
    g.mov(g.esi, g.esi);
  }
  if (imm_rhs) rhs = NumOperand::imm(int64_t(rhs_value));
  std::optional<CompareCond> cond = is_float ? emit_float_compare_flags(g, op, lhs, rhs)
                                             : emit_int_compare_flags(g, op, lhs, rhs);
  REQUIRE(cond);
  Xbyak::Label taken, end;
  switch (use) {
    case Use::Jcc:
      emit_jcc(g, *cond, taken);
      g.mov(g.eax, 0);
      g.jmp(end);
      g.L(taken);
      g.mov(g.eax, 1);
      break;
    case Use::JccNegated:
      emit_jcc(g, negate(*cond), taken, Xbyak::CodeGenerator::T_AUTO);
      g.mov(g.eax, 1);
      g.jmp(end);
      g.L(taken);
      g.mov(g.eax, 0);
      break;
    case Use::Setcc:
      g.mov(g.rax, ~0ull);  // mov leaves the flags alone; setcc + movzx must clear the rest
      emit_setcc(g, *cond, g.rax);
      break;
    case Use::Cmov:
      g.mov(g.eax, 0);
      g.mov(g.edx, 1);
      emit_cmovcc(g, *cond, g.eax, g.edx);
      break;
  }
  g.L(end);
  g.ret();
  g.ready();
  Compiled c;
  c.mem = CodeMemory::publish({g.getCode(), g.getSize()});
  c.fn = reinterpret_cast<TestFn>(const_cast<uint8_t*>(c.mem.data()));
  return c;
}

}  // namespace

TEST_CASE("emit_numeric: compare flags fuse into jcc, setcc and cmovcc", "[emit_numeric]") {
  const Op ops[] = {Op::I32Eqz, Op::I32Eq, Op::I32Ne, Op::I32LtS, Op::I32LtU, Op::I32GtS,
                    Op::I32GtU, Op::I32LeS, Op::I32LeU, Op::I32GeS, Op::I32GeU, Op::I64Eqz,
                    Op::I64Eq, Op::I64Ne, Op::I64LtS, Op::I64LtU, Op::I64GtS, Op::I64GtU,
                    Op::I64LeS, Op::I64LeU, Op::I64GeS, Op::I64GeU, Op::F32Lt, Op::F32Gt,
                    Op::F32Le, Op::F32Ge, Op::F64Lt, Op::F64Gt, Op::F64Le, Op::F64Ge};
  size_t cases = 0, failures = 0;
  std::string first;
  for (Op op : ops) {
    const OpInfo& info = op_info(op);
    std::vector<uint64_t> lv = values_for(info.params[0]);
    std::vector<uint64_t> rv = info.param_count() == 2 ? values_for(info.params[1]) : std::vector<uint64_t>{0};
    for (Use use : {Use::Jcc, Use::JccNegated, Use::Setcc, Use::Cmov}) {
      auto check = [&](const Compiled& code, uint64_t a, uint64_t b) {
        uint64_t got = reinterpret_cast<uint64_t (*)(uint64_t, uint64_t)>(
            reinterpret_cast<void*>(code.fn))(a, b);
        ++cases;
        if (got != reference(op, a, b).bits) {
          if (failures++ == 0)
            first = std::string(op_name(op)) + " use " + std::to_string(int(use)) + " (" + hex(a) +
                    ", " + hex(b) + "): got " + hex(got);
        }
      };
      Compiled code = build_fused(op, use, false, 0);
      for (uint64_t a : lv)
        for (uint64_t b : rv) check(code, a, b);
      if (!is_float_slot(info.params[0]) && info.param_count() == 2 && use == Use::Setcc) {
        for (uint64_t b : rv) {
          Compiled ci = build_fused(op, use, true, b);
          for (uint64_t a : lv) check(ci, a, b);
        }
      }
    }
  }
  INFO(cases << " cases; first failure: " << first);
  CHECK(cases > 0);
  CHECK(failures == 0);

  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  CHECK_FALSE(emit_float_compare_flags(g, Op::F32Eq, X(1), X(2)));
  CHECK_FALSE(emit_float_compare_flags(g, Op::F64Ne, X(1), X(2)));
  CHECK_FALSE(emit_int_compare_flags(g, Op::I32Add, G(1), G(2)));
  CHECK(g.getSize() == 0);
  CHECK(negate(CompareCond::L) == CompareCond::GE);
  CHECK(negate(CompareCond::A) == CompareCond::BE);
  CHECK(negate(CompareCond::NP) == CompareCond::P);
}

TEST_CASE("emit_numeric: operands that break the constraints are rejected", "[emit_numeric]") {
  Xbyak::CodeGenerator g(4096, Xbyak::AutoGrow);
  Sink sink;
  Scratch s{R::r11, R::xmm15};
  CHECK_THROWS(emit_numeric(g, Op::I32DivS, R::rax, R::rbx, R::rcx, s, sink));   // lhs not rax
  CHECK_THROWS(emit_numeric(g, Op::I32RemS, R::rax, R::rax, R::rcx, s, sink));   // rem dst not rdx
  CHECK_THROWS(emit_numeric(g, Op::I64DivU, R::rax, R::rax, R::rdx, s, sink));   // rhs in rdx
  CHECK_THROWS(emit_numeric(g, Op::I32Shl, R::rax, R::rbx, R::rdx, s, sink));    // count not rcx
  CHECK_THROWS(emit_numeric(g, Op::I32Add, R::rax, NumOperand::imm(1), R::rbx, s, sink));
  CHECK_THROWS(emit_numeric(g, Op::F32Add, R::xmm0, R::xmm1, NumOperand::imm(1), s, sink));
  CHECK_THROWS(emit_numeric(g, Op::I32TruncF32S, R::xmm0, R::xmm1, {}, s, sink));
  CHECK_THROWS(emit_numeric(g, Op::I32Const, R::rax, R::rax, {}, s, sink));
  CHECK_NOTHROW(emit_numeric(g, Op::I32DivS, R::rax, R::rax, NumOperand::imm(7), s, sink));
  CHECK_NOTHROW(emit_numeric(g, Op::I64Rotl, R::rcx, R::rcx, R::rcx, s, sink));
}
