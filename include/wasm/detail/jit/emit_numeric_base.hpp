#pragma once
// Shared vocabulary of the numeric emitters (emit_numeric.hpp is the entry point): operands,
// trap labels, scratch registers, CPU features, x86 condition codes and small helpers.
#include <xbyak/xbyak.h>
#include <xbyak/xbyak_util.h>

#include <cassert>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/error.hpp"

namespace wasm::detail::jit {

// Where the out-of-line trap stubs live. The framework emits one stub per trap code (after the
// function body) behind each label; the emitters only jump there (always with near jumps).
class TrapSink {
 public:
  virtual Xbyak::Label& trap_label(TrapCode code) = 0;

 protected:
  ~TrapSink() = default;
};

// Registers the emitters may clobber freely on every call (the framework reserves r11 and
// xmm15). They never hold an operand or the destination.
struct Scratch {
  Xbyak::Reg64 gpr;
  Xbyak::Xmm xmm;
};

// One operand of a numeric instruction: a general purpose register (integer classes; i32 values
// live in the low half of a 64-bit register with the upper half zero), an xmm register (f32 in the
// low 32 bits, f64 in the low 64 bits; the other lanes are don't-care), or an immediate (integer
// right-hand sides only; for i32 ops only the low 32 bits are read).
class NumOperand {
 public:
  enum class Kind : uint8_t { None, Gpr, Xmm, Imm };

  constexpr NumOperand() = default;
  NumOperand(const Xbyak::Reg64& r) : kind_(Kind::Gpr), idx_(uint8_t(r.getIdx())) {}  // NOLINT
  NumOperand(const Xbyak::Xmm& x) : kind_(Kind::Xmm), idx_(uint8_t(x.getIdx())) {}    // NOLINT
  static constexpr NumOperand none() { return NumOperand(); }
  static constexpr NumOperand imm(int64_t value) {
    NumOperand o;
    o.kind_ = Kind::Imm;
    o.imm_ = value;
    return o;
  }

  constexpr Kind kind() const { return kind_; }
  constexpr bool is_none() const { return kind_ == Kind::None; }
  constexpr bool is_gpr() const { return kind_ == Kind::Gpr; }
  constexpr bool is_xmm() const { return kind_ == Kind::Xmm; }
  constexpr bool is_imm() const { return kind_ == Kind::Imm; }
  constexpr bool is_reg() const { return is_gpr() || is_xmm(); }
  constexpr int idx() const { return idx_; }
  constexpr int64_t imm_value() const { return imm_; }

  Xbyak::Reg64 r64() const { return Xbyak::Reg64(idx_); }
  Xbyak::Reg32 r32() const { return Xbyak::Reg32(idx_); }
  Xbyak::Xmm x() const { return Xbyak::Xmm(idx_); }

  // The same register (class and number); immediates never alias.
  constexpr bool same_reg(const NumOperand& o) const {
    return is_reg() && kind_ == o.kind_ && idx_ == o.idx_;
  }
  friend constexpr bool operator==(const NumOperand&, const NumOperand&) = default;

 private:
  Kind kind_ = Kind::None;
  uint8_t idx_ = 0;
  int64_t imm_ = 0;
};

// Optional instructions. SSE4.1 (roundss/roundsd, pminsd, ptest, ...) is the floor and is not
// optional.
struct CpuFeatures {
  bool popcnt = false;  // popcnt
  bool lzcnt = false;   // lzcnt (ABM / LZCNT)
  bool bmi1 = false;    // tzcnt
  bool sse42 = false;   // pcmpgtq
  bool avx = false;     // VEX encodings of 128-bit operations (three operands)
  bool avx2 = false;    // vpbroadcast*
  bool fma = false;     // vfmadd*/vfnmadd* (FMA3): relaxed SIMD's multiply-add is fused with it

  static CpuFeatures detect() {
    using Xbyak::util::Cpu;
    Cpu cpu;
    CpuFeatures f;
    f.popcnt = cpu.has(Cpu::tPOPCNT);
    f.lzcnt = cpu.has(Cpu::tLZCNT);
    f.bmi1 = cpu.has(Cpu::tBMI1);
    f.sse42 = cpu.has(Cpu::tSSE42);
    f.avx = cpu.has(Cpu::tAVX);  // xbyak reports AVX only when the OS saves the ymm state
    f.avx2 = f.avx && cpu.has(Cpu::tAVX2);
    f.fma = f.avx && cpu.has(Cpu::tFMA);
    return f;
  }
  // Every optional feature off: the fallback sequences (tests use this to cover them).
  static constexpr CpuFeatures baseline() { return CpuFeatures{}; }
  // Whether the host can run code of this compiler at all.
  static bool host_meets_floor() {
    return Xbyak::util::Cpu().has(Xbyak::util::Cpu::tSSE41);
  }
  friend constexpr bool operator==(const CpuFeatures&, const CpuFeatures&) = default;
};

// The host's features, detected once.
inline const CpuFeatures& host_cpu_features() {
  static const CpuFeatures features = CpuFeatures::detect();
  return features;
}

// x86 condition codes, numbered as the hardware numbers them (the low nibble of jcc/setcc/cmovcc),
// so negate() flips bit 0.
enum class CompareCond : uint8_t {
  O = 0, NO = 1,
  B = 2, AE = 3,   // unsigned <, >=
  E = 4, NE = 5,
  BE = 6, A = 7,   // unsigned <=, >
  S = 8, NS = 9,
  P = 10, NP = 11,
  L = 12, GE = 13, // signed <, >=
  LE = 14, G = 15, // signed <=, >
};

constexpr CompareCond negate(CompareCond c) { return CompareCond(uint8_t(c) ^ 1); }

// jcc to `target`; near by default since trap labels and block ends may be far away.
inline void emit_jcc(Xbyak::CodeGenerator& a, CompareCond c, Xbyak::Label& target,
                     Xbyak::CodeGenerator::LabelType type = Xbyak::CodeGenerator::T_NEAR) {
  switch (c) {
    case CompareCond::O: a.jo(target, type); break;
    case CompareCond::NO: a.jno(target, type); break;
    case CompareCond::B: a.jb(target, type); break;
    case CompareCond::AE: a.jae(target, type); break;
    case CompareCond::E: a.je(target, type); break;
    case CompareCond::NE: a.jne(target, type); break;
    case CompareCond::BE: a.jbe(target, type); break;
    case CompareCond::A: a.ja(target, type); break;
    case CompareCond::S: a.js(target, type); break;
    case CompareCond::NS: a.jns(target, type); break;
    case CompareCond::P: a.jp(target, type); break;
    case CompareCond::NP: a.jnp(target, type); break;
    case CompareCond::L: a.jl(target, type); break;
    case CompareCond::GE: a.jge(target, type); break;
    case CompareCond::LE: a.jle(target, type); break;
    case CompareCond::G: a.jg(target, type); break;
  }
}

// setcc into the low byte of `dst` (no zero extension; see emit_setcc).
inline void emit_setcc8(Xbyak::CodeGenerator& a, CompareCond c, const Xbyak::Reg8& dst) {
  switch (c) {
    case CompareCond::O: a.seto(dst); break;
    case CompareCond::NO: a.setno(dst); break;
    case CompareCond::B: a.setb(dst); break;
    case CompareCond::AE: a.setae(dst); break;
    case CompareCond::E: a.sete(dst); break;
    case CompareCond::NE: a.setne(dst); break;
    case CompareCond::BE: a.setbe(dst); break;
    case CompareCond::A: a.seta(dst); break;
    case CompareCond::S: a.sets(dst); break;
    case CompareCond::NS: a.setns(dst); break;
    case CompareCond::P: a.setp(dst); break;
    case CompareCond::NP: a.setnp(dst); break;
    case CompareCond::L: a.setl(dst); break;
    case CompareCond::GE: a.setge(dst); break;
    case CompareCond::LE: a.setle(dst); break;
    case CompareCond::G: a.setg(dst); break;
  }
}

// dst = condition ? 1 : 0, as a zero-extended i32 (setcc + movzx; flags are read, not changed).
inline void emit_setcc(Xbyak::CodeGenerator& a, CompareCond c, const Xbyak::Reg64& dst) {
  emit_setcc8(a, c, dst.cvt8());
  a.movzx(dst.cvt32(), dst.cvt8());
}

// if (condition) dst = src. 32-bit operands zero-extend dst even when the condition is false.
inline void emit_cmovcc(Xbyak::CodeGenerator& a, CompareCond c, const Xbyak::Reg& dst,
                        const Xbyak::Operand& src) {
  switch (c) {
    case CompareCond::O: a.cmovo(dst, src); break;
    case CompareCond::NO: a.cmovno(dst, src); break;
    case CompareCond::B: a.cmovb(dst, src); break;
    case CompareCond::AE: a.cmovae(dst, src); break;
    case CompareCond::E: a.cmove(dst, src); break;
    case CompareCond::NE: a.cmovne(dst, src); break;
    case CompareCond::BE: a.cmovbe(dst, src); break;
    case CompareCond::A: a.cmova(dst, src); break;
    case CompareCond::S: a.cmovs(dst, src); break;
    case CompareCond::NS: a.cmovns(dst, src); break;
    case CompareCond::P: a.cmovp(dst, src); break;
    case CompareCond::NP: a.cmovnp(dst, src); break;
    case CompareCond::L: a.cmovl(dst, src); break;
    case CompareCond::GE: a.cmovge(dst, src); break;
    case CompareCond::LE: a.cmovle(dst, src); break;
    case CompareCond::G: a.cmovg(dst, src); break;
  }
}

namespace numeric_detail {

[[noreturn]] inline void bad_operands(const char* what) {
  throw std::logic_error(std::string("emit_numeric: ") + what);
}

// A forward-only label for the short branches inside one emitted sequence: rel8 displacements
// patched when the label is bound, without Xbyak's label maps (a hash map entry per label, and
// these sequences are emitted for every division, truncation and min/max).
class LocalLabel {
 public:
  LocalLabel() = default;
  LocalLabel(const LocalLabel&) = delete;
  LocalLabel& operator=(const LocalLabel&) = delete;
  ~LocalLabel() { assert(bound_ || count_ == 0); }

  void jcc(Xbyak::CodeGenerator& a, CompareCond c) { branch(a, uint8_t(0x70 | uint8_t(c))); }
  void jmp(Xbyak::CodeGenerator& a) { branch(a, 0xEB); }
  void bind(Xbyak::CodeGenerator& a) {
    if (bound_) bad_operands("local label bound twice");
    bound_ = true;
    size_t here = a.getSize();
    for (int i = 0; i < count_; ++i) {
      size_t rel = here - fixups_[i];
      if (rel > 127) bad_operands("short branch out of range");
      a.rewrite(fixups_[i] - 1, rel, 1);
    }
  }

 private:
  void branch(Xbyak::CodeGenerator& a, uint8_t opcode) {
    if (bound_ || count_ == kMaxFixups) bad_operands("local label misuse");
    a.db(opcode);
    a.db(0);
    fixups_[count_++] = a.getSize();
  }
  static constexpr int kMaxFixups = 4;
  size_t fixups_[kMaxFixups] = {};
  int count_ = 0;
  bool bound_ = false;
};

inline bool fits_simm32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

inline void trap_if(Xbyak::CodeGenerator& a, CompareCond c, TrapSink& traps, TrapCode code) {
  emit_jcc(a, c, traps.trap_label(code), Xbyak::CodeGenerator::T_NEAR);
}

// dst = src for general purpose registers (32-bit move when !wide; skipped when the same).
inline void mov_gpr(Xbyak::CodeGenerator& a, bool wide, int dst, int src) {
  if (dst == src) return;
  if (wide) a.mov(Xbyak::Reg64(dst), Xbyak::Reg64(src));
  else a.mov(Xbyak::Reg32(dst), Xbyak::Reg32(src));
}

inline void mov_xmm(Xbyak::CodeGenerator& a, int dst, int src) {
  if (dst != src) a.movaps(Xbyak::Xmm(dst), Xbyak::Xmm(src));
}

}  // namespace numeric_detail

}  // namespace wasm::detail::jit
