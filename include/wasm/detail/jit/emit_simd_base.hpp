#pragma once
// Shared vocabulary of the SIMD emitters (emit_simd.hpp is the entry point): a pool of 16-byte
// constants placed after the function body, and SimdAsm, which writes each 128-bit operation
// as `dst = op(lhs, rhs)` and picks the encoding: AVX's three-operand VEX form when the CPU
// has it, else SSE's two-operand form after copying lhs into dst.
#include <xbyak/xbyak.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <deque>

#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit {

using V128Bytes = std::array<uint8_t, 16>;

// 16-byte constants addressed rip-relative. Emitted (16-aligned, deduplicated) after the code
// of one function; the function's start must be 16-aligned too (module_compiler places them so).
class V128ConstPool {
 public:
  void clear() { entries_.clear(); }
  bool empty() const { return entries_.empty(); }

  Xbyak::Label& label(const V128Bytes& bytes) {
    for (Entry& e : entries_) {
      if (e.bytes == bytes) return e.label;
    }
    entries_.emplace_back();
    entries_.back().bytes = bytes;
    return entries_.back().label;
  }

  void emit(Xbyak::CodeGenerator& a) {
    if (entries_.empty()) return;
    while (a.getSize() % 16 != 0) a.db(0xCC);
    for (Entry& e : entries_) {
      a.L(e.label);
      for (uint8_t b : e.bytes) a.db(b);
    }
  }

 private:
  struct Entry {
    V128Bytes bytes{};
    Xbyak::Label label;
  };
  std::deque<Entry> entries_;  // labels must not move
};

template <typename T>
V128Bytes splat_bytes(T lane) {
  static_assert(16 % sizeof(T) == 0);
  V128Bytes out;
  for (size_t i = 0; i < 16; i += sizeof(T)) std::memcpy(out.data() + i, &lane, sizeof(T));
  return out;
}

// The 128-bit operations the SIMD emitters use, each with the same shape whatever the encoding.
// Aliasing: dst may equal any operand; in the SSE form an op whose dst is its second operand
// (and not its first) goes through the scratch register, so sequences that keep a value in
// scratch must not ask for that.
class SimdAsm {
 public:
  using Xmm = Xbyak::Xmm;
  using Operand = Xbyak::Operand;

  SimdAsm(Xbyak::CodeGenerator& a, const CpuFeatures& cpu, V128ConstPool& pool, Xmm scratch,
          Xbyak::Reg64 scratch_gpr)
      : a(a), cpu(cpu), scratch(scratch), scratch_gpr(scratch_gpr), pool_(pool) {}

  Xbyak::CodeGenerator& a;
  const CpuFeatures& cpu;
  const Xmm scratch;
  const Xbyak::Reg64 scratch_gpr;

  bool avx() const { return cpu.avx; }

  // A pool constant as a memory operand.
  Xbyak::Address constant(const V128Bytes& bytes) { return a.xword[a.rip + pool_.label(bytes)]; }
  template <typename T>
  Xbyak::Address splat(T lane) {
    return constant(splat_bytes(lane));
  }

  void mov(const Xmm& dst, const Xmm& src) {
    if (dst.getIdx() == src.getIdx()) return;
    if (avx()) a.vmovaps(dst, src);
    else a.movaps(dst, src);
  }
  void load(const Xmm& dst, const Xbyak::Address& src) {
    if (avx()) a.vmovdqu(dst, src);
    else a.movdqu(dst, src);
  }
  void zero(const Xmm& dst) {
    if (avx()) a.vpxor(dst, dst, dst);
    else a.pxor(dst, dst);
  }
  void all_ones(const Xmm& dst) {
    if (avx()) a.vpcmpeqd(dst, dst, dst);
    else a.pcmpeqd(dst, dst);
  }

  // dst = op(lhs, rhs) for two-operand SSE instructions (`op dst, rhs` computes op(dst, rhs)).
#define WASM_SIMD_OP3(name)                                                 \
  void name(const Xmm& dst, const Xmm& lhs, const Operand& rhs) {           \
    if (avx()) {                                                            \
      a.v##name(dst, lhs, rhs);                                             \
    } else {                                                                \
      a.name(dst, sse_rhs(dst, lhs, rhs));                                  \
    }                                                                       \
  }
  // The same with an immediate.
#define WASM_SIMD_OP3_IMM(name)                                             \
  void name(const Xmm& dst, const Xmm& lhs, const Operand& rhs, uint8_t imm) { \
    if (avx()) {                                                            \
      a.v##name(dst, lhs, rhs, imm);                                        \
    } else {                                                                \
      a.name(dst, sse_rhs(dst, lhs, rhs), imm);                             \
    }                                                                       \
  }
  // dst = op(src) and dst = op(src, imm): non-destructive in both encodings.
#define WASM_SIMD_OP2(name)                                                 \
  void name(const Xmm& dst, const Operand& src) {                           \
    if (avx()) a.v##name(dst, src);                                         \
    else a.name(dst, src);                                                  \
  }
#define WASM_SIMD_OP2_IMM(name)                                             \
  void name(const Xmm& dst, const Operand& src, uint8_t imm) {              \
    if (avx()) a.v##name(dst, src, imm);                                    \
    else a.name(dst, src, imm);                                             \
  }
  // Shifts: by an immediate, or by the count in an xmm register's low 64 bits.
#define WASM_SIMD_SHIFT(name)                                               \
  WASM_SIMD_OP3(name)                                                       \
  void name(const Xmm& dst, const Xmm& src, uint8_t imm) {                  \
    if (avx()) {                                                            \
      a.v##name(dst, src, imm);                                             \
    } else {                                                                \
      mov(dst, src);                                                        \
      a.name(dst, imm);                                                     \
    }                                                                       \
  }

  WASM_SIMD_OP3(paddb) WASM_SIMD_OP3(paddw) WASM_SIMD_OP3(paddd) WASM_SIMD_OP3(paddq)
  WASM_SIMD_OP3(psubb) WASM_SIMD_OP3(psubw) WASM_SIMD_OP3(psubd) WASM_SIMD_OP3(psubq)
  WASM_SIMD_OP3(paddsb) WASM_SIMD_OP3(paddsw) WASM_SIMD_OP3(paddusb) WASM_SIMD_OP3(paddusw)
  WASM_SIMD_OP3(psubsb) WASM_SIMD_OP3(psubsw) WASM_SIMD_OP3(psubusb) WASM_SIMD_OP3(psubusw)
  WASM_SIMD_OP3(pmullw) WASM_SIMD_OP3(pmulld) WASM_SIMD_OP3(pmuludq) WASM_SIMD_OP3(pmuldq)
  WASM_SIMD_OP3(pmulhw) WASM_SIMD_OP3(pmulhuw) WASM_SIMD_OP3(pmulhrsw)
  WASM_SIMD_OP3(pmaddwd) WASM_SIMD_OP3(pmaddubsw)
  WASM_SIMD_OP3(pminsb) WASM_SIMD_OP3(pminsw) WASM_SIMD_OP3(pminsd)
  WASM_SIMD_OP3(pminub) WASM_SIMD_OP3(pminuw) WASM_SIMD_OP3(pminud)
  WASM_SIMD_OP3(pmaxsb) WASM_SIMD_OP3(pmaxsw) WASM_SIMD_OP3(pmaxsd)
  WASM_SIMD_OP3(pmaxub) WASM_SIMD_OP3(pmaxuw) WASM_SIMD_OP3(pmaxud)
  WASM_SIMD_OP3(pavgb) WASM_SIMD_OP3(pavgw)
  WASM_SIMD_OP3(pcmpeqb) WASM_SIMD_OP3(pcmpeqw) WASM_SIMD_OP3(pcmpeqd) WASM_SIMD_OP3(pcmpeqq)
  WASM_SIMD_OP3(pcmpgtb) WASM_SIMD_OP3(pcmpgtw) WASM_SIMD_OP3(pcmpgtd) WASM_SIMD_OP3(pcmpgtq)
  WASM_SIMD_OP3(pand) WASM_SIMD_OP3(pandn) WASM_SIMD_OP3(por) WASM_SIMD_OP3(pxor)
  WASM_SIMD_OP3(packsswb) WASM_SIMD_OP3(packuswb) WASM_SIMD_OP3(packssdw) WASM_SIMD_OP3(packusdw)
  WASM_SIMD_OP3(punpcklbw) WASM_SIMD_OP3(punpckhbw) WASM_SIMD_OP3(punpcklqdq)
  WASM_SIMD_OP3(punpcklwd) WASM_SIMD_OP3(punpckhwd)
  WASM_SIMD_OP3(pshufb) WASM_SIMD_OP3(phaddw)
  WASM_SIMD_OP3(addps) WASM_SIMD_OP3(addpd) WASM_SIMD_OP3(subps) WASM_SIMD_OP3(subpd)
  WASM_SIMD_OP3(mulps) WASM_SIMD_OP3(mulpd) WASM_SIMD_OP3(divps) WASM_SIMD_OP3(divpd)
  WASM_SIMD_OP3(minps) WASM_SIMD_OP3(minpd) WASM_SIMD_OP3(maxps) WASM_SIMD_OP3(maxpd)
  WASM_SIMD_OP3(andps) WASM_SIMD_OP3(andnps) WASM_SIMD_OP3(orps) WASM_SIMD_OP3(xorps)
  WASM_SIMD_OP3(unpcklps) WASM_SIMD_OP3(movsd)
  WASM_SIMD_OP3_IMM(cmpps) WASM_SIMD_OP3_IMM(cmppd) WASM_SIMD_OP3_IMM(shufps)
  WASM_SIMD_OP3_IMM(insertps)
  WASM_SIMD_OP3_IMM(pinsrb) WASM_SIMD_OP3_IMM(pinsrw) WASM_SIMD_OP3_IMM(pinsrd)
  WASM_SIMD_OP3_IMM(pinsrq)
  WASM_SIMD_OP2(pabsb) WASM_SIMD_OP2(pabsw) WASM_SIMD_OP2(pabsd)
  WASM_SIMD_OP2(pmovsxbw) WASM_SIMD_OP2(pmovzxbw) WASM_SIMD_OP2(pmovsxwd) WASM_SIMD_OP2(pmovzxwd)
  WASM_SIMD_OP2(pmovsxdq) WASM_SIMD_OP2(pmovzxdq)
  WASM_SIMD_OP2(sqrtps) WASM_SIMD_OP2(sqrtpd)
  WASM_SIMD_OP2(cvtdq2ps) WASM_SIMD_OP2(cvttps2dq) WASM_SIMD_OP2(cvtdq2pd) WASM_SIMD_OP2(cvttpd2dq)
  WASM_SIMD_OP2(cvtpd2ps) WASM_SIMD_OP2(cvtps2pd) WASM_SIMD_OP2(movddup)
  WASM_SIMD_OP2(ptest)
  WASM_SIMD_OP2_IMM(pshufd) WASM_SIMD_OP2_IMM(pshuflw) WASM_SIMD_OP2_IMM(roundps)
  WASM_SIMD_OP2_IMM(roundpd)
  WASM_SIMD_SHIFT(psllw) WASM_SIMD_SHIFT(pslld) WASM_SIMD_SHIFT(psllq)
  WASM_SIMD_SHIFT(psrlw) WASM_SIMD_SHIFT(psrld) WASM_SIMD_SHIFT(psrlq)
  WASM_SIMD_SHIFT(psraw) WASM_SIMD_SHIFT(psrad)

#undef WASM_SIMD_OP3
#undef WASM_SIMD_OP3_IMM
#undef WASM_SIMD_OP2
#undef WASM_SIMD_OP2_IMM
#undef WASM_SIMD_SHIFT

  void movlhps(const Xmm& dst, const Xmm& lhs, const Xmm& rhs) {
    if (avx()) {
      a.vmovlhps(dst, lhs, rhs);
    } else {
      const Operand& r = sse_rhs(dst, lhs, rhs);
      a.movlhps(dst, static_cast<const Xmm&>(r));
    }
  }

  // Moves between general purpose and xmm registers.
  void movd(const Xmm& dst, const Xbyak::Reg32& src) {
    if (avx()) a.vmovd(dst, src);
    else a.movd(dst, src);
  }
  void movq(const Xmm& dst, const Xbyak::Reg64& src) {
    if (avx()) a.vmovq(dst, src);
    else a.movq(dst, src);
  }

 private:
  // Prepares dst = lhs for `op dst, rhs` and returns the rhs to use.
  const Operand& sse_rhs(const Xmm& dst, const Xmm& lhs, const Operand& rhs) {
    if (dst.getIdx() == lhs.getIdx()) return rhs;
    if (rhs.isXMM() && rhs.getIdx() == dst.getIdx()) {
      a.movaps(scratch, rhs);
      a.movaps(dst, lhs);
      return scratch;
    }
    a.movaps(dst, lhs);
    return rhs;
  }

  V128ConstPool& pool_;
};

}  // namespace wasm::detail::jit
