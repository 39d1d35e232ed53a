#pragma once
// The 128-bit SIMD instructions: operands are put in registers as emit_simd's contract wants
// them, the sequences come from emit_simd*.hpp. v128 values live in xmm registers and 16-byte
// frame slots like any other value; a v128 constant on the value stack is always zero (other
// constants are loaded into a register from the function's constant pool at once).
#include "wasm/detail/jit/emit_nan_canonical.hpp"
#include "wasm/detail/jit/emit_simd.hpp"
#include "wasm/detail/jit/emit_simd_relaxed.hpp"
#include "wasm/detail/jit/function_compiler_decl.hpp"

namespace wasm::detail::jit {

inline SimdAsm FunctionCompiler::simd_asm() {
  return SimdAsm(a_, env_.options.cpu, pool_, kScratchXmm.x(), kScratchGpr.r64());
}

// The destination of an op whose first operand is `lhs`: lhs itself when nothing else uses it
// (and it is not another operand), else a fresh register.
inline Reg FunctionCompiler::simd_result_reg(Reg lhs, RegSet others, RegSet pinned) {
  if (!regs_.is_used(lhs) && !others.has(lhs)) return lhs;
  return alloc_reg(RegClass::Xmm, pinned | others | RegSet{lhs});
}

inline void FunctionCompiler::visit_simd(const Instruction& ins) {
  const Op op = ins.op;
  const OpInfo& info = ins.info();
  switch (info.imm) {
    case Imm::MemArg:
      if (op == Op::V128Store) visit_simd_store(ins);
      else visit_simd_load(ins);
      return;
    case Imm::MemArgLane:
      if (info.result == Slot::None) visit_simd_store_lane(ins);
      else visit_simd_load_lane(ins);
      return;
    case Imm::V128: visit_v128_const(ins.v128); return;
    case Imm::Lane:
      if (info.params[0] == Slot::V128 && info.param_count() == 1) visit_simd_extract(ins);
      else visit_simd_replace(ins);
      return;
    default: break;
  }
  if (info.params[0] != Slot::V128) {
    visit_simd_splat(op);
  } else if (simd_detail::is_simd_shift(op)) {
    visit_simd_shift(op);
  } else if (info.result == Slot::I32) {
    visit_simd_reduction(op);
  } else {
    visit_simd_v128_op(ins);
  }
}

inline void FunctionCompiler::visit_v128_const(const V128Bytes& bytes) {
  bool zero = true, ones = true;
  for (uint8_t b : bytes) {
    zero &= b == 0;
    ones &= b == 0xFF;
  }
  if (zero) {
    push_const(ValType::V128, 0);
    return;
  }
  Reg dst = alloc_reg(RegClass::Xmm);
  SimdAsm m = simd_asm();
  if (ones) m.all_ones(dst.x());
  else m.load(dst.x(), m.constant(bytes));
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_load(const Instruction& ins) {
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  const Xbyak::RegExp& e = addr.exp;
  Reg dst = alloc_reg(RegClass::Xmm);
  const Xbyak::Xmm d = dst.x();
  SimdAsm m = simd_asm();
  const bool avx = m.avx();
  switch (ins.op) {
    case Op::V128Load: m.load(d, a_.xword[e]); break;
    case Op::V128Load8x8S: m.pmovsxbw(d, a_.qword[e]); break;
    case Op::V128Load8x8U: m.pmovzxbw(d, a_.qword[e]); break;
    case Op::V128Load16x4S: m.pmovsxwd(d, a_.qword[e]); break;
    case Op::V128Load16x4U: m.pmovzxwd(d, a_.qword[e]); break;
    case Op::V128Load32x2S: m.pmovsxdq(d, a_.qword[e]); break;
    case Op::V128Load32x2U: m.pmovzxdq(d, a_.qword[e]); break;
    case Op::V128Load8Splat:
      a_.movzx(a_.r11d, a_.byte[e]);
      simd_detail::splat_int(m, d, a_.r11, 1);
      break;
    case Op::V128Load16Splat:
      a_.movzx(a_.r11d, a_.word[e]);
      simd_detail::splat_int(m, d, a_.r11, 2);
      break;
    case Op::V128Load32Splat:
      if (avx) {
        a_.vbroadcastss(d, a_.dword[e]);
      } else {
        a_.movss(d, a_.dword[e]);
        m.shufps(d, d, d, 0);
      }
      break;
    case Op::V128Load64Splat: m.movddup(d, a_.qword[e]); break;
    case Op::V128Load32Zero:
      if (avx) a_.vmovd(d, a_.dword[e]);
      else a_.movd(d, a_.dword[e]);
      break;
    case Op::V128Load64Zero:
      if (avx) a_.vmovq(d, a_.qword[e]);
      else a_.movq(d, a_.qword[e]);
      break;
    default: throw CompileFailure{"internal error: not a SIMD load"};
  }
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_store(const Instruction& ins) {
  Reg value = pop_to_reg();
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  if (env_.options.cpu.avx) a_.vmovdqu(a_.xword[addr.exp], value.x());
  else a_.movdqu(a_.xword[addr.exp], value.x());
}

inline void FunctionCompiler::visit_simd_load_lane(const Instruction& ins) {
  Reg vec = pop_to_reg();
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  const Xbyak::RegExp& e = addr.exp;
  Reg dst = simd_result_reg(vec, {}, {});
  SimdAsm m = simd_asm();
  const Xbyak::Xmm d = dst.x(), v = vec.x();
  switch (ins.op) {
    case Op::V128Load8Lane: m.pinsrb(d, v, a_.byte[e], ins.lane); break;
    case Op::V128Load16Lane: m.pinsrw(d, v, a_.word[e], ins.lane); break;
    case Op::V128Load32Lane: m.pinsrd(d, v, a_.dword[e], ins.lane); break;
    case Op::V128Load64Lane: m.pinsrq(d, v, a_.qword[e], ins.lane); break;
    default: throw CompileFailure{"internal error: not a SIMD lane load"};
  }
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_store_lane(const Instruction& ins) {
  Reg vec = pop_to_reg();
  MemAddress addr = memory_address(ins.mem.memory, ins.mem.offset, ins.info().extra, {});
  const Xbyak::RegExp& e = addr.exp;
  const Xbyak::Xmm v = vec.x();
  const bool avx = env_.options.cpu.avx;
  const uint8_t lane = ins.lane;
  switch (ins.op) {
    case Op::V128Store8Lane:
      if (avx) a_.vpextrb(a_.byte[e], v, lane);
      else a_.pextrb(a_.byte[e], v, lane);
      break;
    case Op::V128Store16Lane:
      if (avx) a_.vpextrw(a_.word[e], v, lane);
      else a_.pextrw(a_.word[e], v, lane);
      break;
    case Op::V128Store32Lane:
      if (avx) a_.vpextrd(a_.dword[e], v, lane);
      else a_.pextrd(a_.dword[e], v, lane);
      break;
    case Op::V128Store64Lane:
      if (avx) a_.vpextrq(a_.qword[e], v, lane);
      else a_.pextrq(a_.qword[e], v, lane);
      break;
    default: throw CompileFailure{"internal error: not a SIMD lane store"};
  }
}

inline void FunctionCompiler::visit_simd_splat(Op op) {
  Reg src = pop_to_reg();
  SimdAsm m = simd_asm();
  switch (op) {
    case Op::F32x4Splat:
    case Op::F64x2Splat: {
      Reg dst = simd_result_reg(src, {}, {});
      if (op == Op::F32x4Splat) simd_detail::splat_f32(m, dst.x(), src.x());
      else simd_detail::splat_f64(m, dst.x(), src.x());
      push_reg(ValType::V128, dst);
      return;
    }
    default: {
      Reg dst = alloc_reg(RegClass::Xmm);
      int bytes = op == Op::I8x16Splat ? 1 : op == Op::I16x8Splat ? 2 : op == Op::I32x4Splat ? 4 : 8;
      simd_detail::splat_int(m, dst.x(), src.r64(), bytes);
      push_reg(ValType::V128, dst);
      return;
    }
  }
}

inline void FunctionCompiler::visit_simd_extract(const Instruction& ins) {
  Reg src = pop_to_reg();
  SimdAsm m = simd_asm();
  const ValType t = slot_type(ins.info().result);
  if (t == ValType::F32 || t == ValType::F64) {
    Reg dst = simd_result_reg(src, {}, {});
    simd_detail::extract_float(m, ins.op, dst.x(), src.x(), ins.lane);
    push_reg(t, dst);
    return;
  }
  Reg dst = alloc_reg(RegClass::Gpr);
  simd_detail::extract_int(m, ins.op, dst.r64(), src.x(), ins.lane);
  push_reg(t, dst);
}

inline void FunctionCompiler::visit_simd_replace(const Instruction& ins) {
  Reg value = pop_to_reg();
  Reg vec = pop_to_reg({value});
  Reg dst = simd_result_reg(vec, {value}, {});
  SimdAsm m = simd_asm();
  const bool is_float = value.is_xmm();
  simd_detail::replace_lane(m, ins.op, dst.x(), vec.x(),
                            is_float ? Xbyak::Reg64(0) : value.r64(),
                            is_float ? value.x() : Xbyak::Xmm(0), ins.lane);
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_shift(Op op) {
  simd_detail::ShiftCount count;
  RegSet pinned;
  if (stack_.back().is_const()) {
    count.is_imm = true;
    count.imm = uint32_t(pop().imm);
  } else {
    Reg r = pop_to_reg();
    count.reg = r.r32();
    pinned.add(r);
  }
  Reg vec = pop_to_reg(pinned);
  pinned.add(vec);
  Reg tmp = kScratchXmm;
  if (simd_needs_temp(op)) {
    tmp = alloc_reg(RegClass::Xmm, pinned);
    pinned.add(tmp);
  }
  Reg dst = simd_result_reg(vec, {}, pinned);
  SimdAsm m = simd_asm();
  simd_detail::emit_shift(m, op, dst.x(), vec.x(), count, tmp.x());
  push_reg(ValType::V128, dst);
}

inline void FunctionCompiler::visit_simd_reduction(Op op) {
  Reg src = pop_to_reg();
  Reg dst = alloc_reg(RegClass::Gpr);
  SimdAsm m = simd_asm();
  if (!simd_detail::emit_reduction(m, op, dst.r64(), src.x())) {
    throw CompileFailure{"internal error: not a SIMD reduction"};
  }
  push_reg(ValType::I32, dst);
}

// Ops with only v128 operands and a v128 result (and shuffle).
inline void FunctionCompiler::visit_simd_v128_op(const Instruction& ins) {
  const Op op = ins.op;
  const uint32_t n = ins.info().param_count();
  Reg operands[3] = {kScratchXmm, kScratchXmm, kScratchXmm};
  RegSet pinned;
  for (uint32_t k = n; k-- > 0;) {
    operands[k] = pop_to_reg(pinned);
    pinned.add(operands[k]);
  }
  Reg tmp = kScratchXmm;
  if (is_relaxed_simd(op) ? relaxed_needs_temp(op) : simd_needs_temp(op)) {
    tmp = alloc_reg(RegClass::Xmm, pinned);
    pinned.add(tmp);
  }
  RegSet others;
  for (uint32_t k = 1; k < n; ++k) others.add(operands[k]);
  Reg dst = simd_result_reg(operands[0], others, pinned);
  SimdAsm m = simd_asm();
  if (op == Op::I8x16Shuffle) {
    simd_detail::shuffle(m, dst.x(), operands[0].x(), operands[1].x(), ins.v128);
  } else if (is_relaxed_simd(op)) {
    emit_relaxed_simd_op(m, env_.options.relaxed_simd_deterministic, op, dst.x(), operands[0].x(),
                         operands[1].x(), operands[2].x(), tmp.x());
  } else {
    emit_simd_v128_op(m, op, dst.x(), operands[0].x(), operands[1].x(), operands[2].x(), tmp.x());
  }
  if (env_.options.canonicalize_nans && produces_arithmetic_nan(op))
    canonicalize_vector_nans(m, dst.x(), nan_result_is_f64(op));
  push_reg(ValType::V128, dst);
}

}  // namespace wasm::detail::jit
