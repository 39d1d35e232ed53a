#pragma once
// Moves between Locations (regalloc.hpp) that happen "at once": the block-parameter copies of
// an edge, a call's argument registers, the entry's incoming parameters. Sequentialised by
// emitting any move whose destination no pending move still reads, and breaking a cycle by
// copying one source to the frame's cycle temporary. r11 and xmm15 carry memory-to-memory and
// constant copies; they are never a source or destination here.
#include <xbyak/xbyak.h>

#include <vector>

#include "wasm/detail/jit/opt/regalloc.hpp"

namespace wasm::detail::jit::opt {

struct Move {
  Location dst, src;
  Type type = Type::I64;
};

// dst <- src for one value of type t (i32 loads from memory zero-extend: incoming stack
// arguments may carry garbage above their 32 bits).
inline void emit_move(Xbyak::CodeGenerator& a, const Location& dst, const Location& src, Type t) {
  using K = Location::Kind;
  if (dst.kind == K::None || dst == src) return;
  const bool x = is_xmm_type(t);
  auto mem = [&](const Location& l) { return a.qword[a.rbp + l.disp]; };
  switch (src.kind) {
    case K::Gpr:
      if (dst.kind == K::Gpr) a.mov(Xbyak::Reg64(dst.reg), Xbyak::Reg64(src.reg));
      else if (dst.kind == K::Frame) a.mov(mem(dst), Xbyak::Reg64(src.reg));
      else if (dst.kind == K::Xmm) a.movq(Xbyak::Xmm(dst.reg), Xbyak::Reg64(src.reg));
      return;
    case K::Xmm:
      if (dst.kind == K::Xmm) a.movaps(Xbyak::Xmm(dst.reg), Xbyak::Xmm(src.reg));
      else if (dst.kind == K::Frame) a.movsd(mem(dst), Xbyak::Xmm(src.reg));
      else if (dst.kind == K::Gpr) a.movq(Xbyak::Reg64(dst.reg), Xbyak::Xmm(src.reg));
      return;
    case K::Frame:
      if (dst.kind == K::Gpr) {
        if (t == Type::I32) a.mov(Xbyak::Reg32(dst.reg), a.dword[a.rbp + src.disp]);
        else a.mov(Xbyak::Reg64(dst.reg), mem(src));
      } else if (dst.kind == K::Xmm) {
        a.movsd(Xbyak::Xmm(dst.reg), mem(src));
      } else if (dst.kind == K::Frame) {
        if (t == Type::I32) a.mov(a.r11d, a.dword[a.rbp + src.disp]);
        else a.mov(a.r11, mem(src));
        a.mov(mem(dst), a.r11);
      }
      return;
    case K::Const: {
      uint64_t v = t == Type::I32 || t == Type::F32 ? uint64_t(uint32_t(src.imm)) : src.imm;
      if (dst.kind == K::Gpr) {
        Xbyak::Reg64 r(dst.reg);
        if (v == 0) a.xor_(r.cvt32(), r.cvt32());
        else if (v <= 0xFFFFFFFFu) a.mov(r.cvt32(), uint32_t(v));
        else a.mov(r, v);
      } else if (dst.kind == K::Xmm) {
        Xbyak::Xmm r(dst.reg);
        if (v == 0) {
          a.xorps(r, r);
        } else {
          a.mov(a.r11, v);
          a.movq(r, a.r11);
        }
      } else if (dst.kind == K::Frame) {
        if (int64_t(v) == int64_t(int32_t(v))) {
          a.mov(mem(dst), int32_t(v));
        } else {
          a.mov(a.r11, v);
          a.mov(mem(dst), a.r11);
        }
      }
      return;
    }
    case K::None: return;  // an undefined source (never read): nothing to copy
  }
  (void)x;
}

inline void emit_parallel_moves(Xbyak::CodeGenerator& a, std::vector<Move>& moves) {
  using K = Location::Kind;
  std::vector<Move> pending;
  for (const Move& m : moves)
    if (m.dst.kind != K::None && m.src.kind != K::None && !(m.dst == m.src)) pending.push_back(m);
  auto is_read = [&](const Location& l, size_t except) {
    for (size_t k = 0; k < pending.size(); ++k)
      if (k != except && pending[k].src == l) return true;
    return false;
  };
  const Location temp = Location::frame(regalloc_layout::slot_disp(regalloc_layout::kCycleTempSlot));
  while (!pending.empty()) {
    bool progress = false;
    for (size_t k = 0; k < pending.size();) {
      if (!is_read(pending[k].dst, k)) {
        emit_move(a, pending[k].dst, pending[k].src, pending[k].type);
        pending.erase(pending.begin() + ptrdiff_t(k));
        progress = true;
      } else {
        ++k;
      }
    }
    if (progress) continue;
    // Only cycles are left: park one source in the temporary.
    Location parked = pending[0].src;
    emit_move(a, temp, parked, Type::I64 == pending[0].type ? Type::I64 : pending[0].type);
    for (Move& m : pending)
      if (m.src == parked) m.src = temp;
  }
}

}  // namespace wasm::detail::jit::opt
