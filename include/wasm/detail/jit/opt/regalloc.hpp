#pragma once
// Register allocation for the optimizing tier's back end: liveness over the CFG (block
// parameters defined at their block's start, edge arguments used at the terminator), one
// conservative live interval per value ([definition, last position where it is live], holes
// filled) over the blocks in reverse post-order, then linear scan (Poletto and Sarkar).
//
// Every register is caller-saved between wasm functions (abi.hpp), so a value live across a
// call or a builtin call gets a frame slot for its whole life; constants get no location
// (the emitter materialises them where used). A value with no use gets none either.
// rax, rcx, rdx, r11, xmm13-15 are never allocated: they are the emitter's temporaries (and the
// fixed operands of division and shifts).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "wasm/detail/jit/opt/cfg.hpp"
#include "wasm/detail/jit/opt/ir.hpp"

namespace wasm::detail::jit::opt {

struct Location {
  enum class Kind : uint8_t { None, Gpr, Xmm, Frame, Const };
  Kind kind = Kind::None;
  uint8_t reg = 0;     // Gpr, Xmm: register number
  int32_t disp = 0;    // Frame: [rbp + disp], 8 bytes
  uint64_t imm = 0;    // Const: the bits

  static Location gpr(uint8_t r) { return {Kind::Gpr, r, 0, 0}; }
  static Location xmm(uint8_t r) { return {Kind::Xmm, r, 0, 0}; }
  static Location frame(int32_t d) { return {Kind::Frame, 0, d, 0}; }
  static Location constant(uint64_t bits) { return {Kind::Const, 0, 0, bits}; }
  bool is_reg() const { return kind == Kind::Gpr || kind == Kind::Xmm; }
  bool operator==(const Location& o) const {
    if (kind != o.kind) return false;
    switch (kind) {
      case Kind::Gpr:
      case Kind::Xmm: return reg == o.reg;
      case Kind::Frame: return disp == o.disp;
      case Kind::Const: return imm == o.imm;
      default: return true;
    }
  }
};

constexpr bool is_xmm_type(Type t) { return t == Type::F32 || t == Type::F64 || t == Type::V128; }

// Frame below the saved registers (frame_layout.hpp): [rbp-24] results pointer, [rbp-32]
// call_indirect target, then 8-byte slots; slot 0 is the parallel-move cycle temporary.
namespace regalloc_layout {
inline constexpr int32_t kFirstSlot = -40;
constexpr int32_t slot_disp(uint32_t i) { return kFirstSlot - 8 * int32_t(i); }
inline constexpr uint32_t kCycleTempSlot = 0;
}  // namespace regalloc_layout

inline constexpr uint8_t kOptGprs[] = {3 /*rbx*/, 6 /*rsi*/, 7 /*rdi*/, 8, 9, 10, 12, 13};
inline constexpr uint8_t kOptXmms[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

struct Allocation {
  std::vector<BlockId> order;        // emission order (reverse post-order)
  std::vector<Location> loc;         // per value
  std::vector<uint32_t> uses;        // per value: number of uses (operands and edge arguments)
  uint32_t num_slots = 1;            // slot 0 is the cycle temporary
  uint32_t spilled = 0;              // values in slots
};

// Whether an instruction clobbers every allocatable register.
inline bool clobbers_registers(Opcode o) {
  switch (o) {
    case Opcode::Call:
    case Opcode::CallImport:
    case Opcode::CallIndirect:
    case Opcode::Runtime: return true;
    default: return false;
  }
}

// Constants the emitter materialises; memory 0's base is pinned in r15 and needs no location.
inline bool needs_no_location(const Function& f, ValueId v) {
  const ValueData& d = f.values[v];
  if (d.kind != ValueKind::Result) return false;
  const Inst& in = f.insts[d.def];
  return in.opc == Opcode::Const || in.opc == Opcode::RefNull ||
         (in.opc == Opcode::MemBase && in.imm2 == 0);
}

// Returns false if the liveness sets would be too large (the function is then declined).
inline bool liveness_fits(const Function& f) {
  uint64_t words = (uint64_t(f.values.size()) + 63) / 64 * uint64_t(f.blocks.size());
  return words <= (uint64_t(1) << 21);
}

inline Allocation allocate_registers(const Function& f, const Cfg& cfg) {
  Allocation out;
  out.order = cfg.rpo;
  const size_t nv = f.values.size(), nb = f.blocks.size();
  const size_t words = (nv + 63) / 64;
  out.loc.assign(nv, Location{});
  out.uses.assign(nv, 0);

  // Positions: a block's start (its parameters), then one per instruction.
  std::vector<uint32_t> start(nb, 0), end(nb, 0), inst_pos(f.insts.size(), 0);
  std::vector<uint32_t> call_positions;
  uint32_t pos = 0;
  for (BlockId b : out.order) {
    start[b] = pos++;
    for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next) {
      inst_pos[i] = pos;
      if (clobbers_registers(f.insts[i].opc)) call_positions.push_back(pos);
      ++pos;
    }
    end[b] = pos - 1;
  }

  // Upward-exposed uses and definitions per block, then live-out by iteration to a fixpoint.
  std::vector<uint64_t> gen(nb * words, 0), kill(nb * words, 0), live_in(nb * words, 0),
      live_out(nb * words, 0);
  auto set = [&](std::vector<uint64_t>& s, BlockId b, ValueId v) { s[b * words + v / 64] |= uint64_t(1) << (v % 64); };
  auto has = [&](const std::vector<uint64_t>& s, BlockId b, ValueId v) {
    return (s[b * words + v / 64] >> (v % 64)) & 1;
  };
  std::vector<uint32_t> def_pos(nv, 0), last_use(nv, 0);
  for (BlockId b : out.order) {
    for (ValueId p : f.params_of(b)) {
      set(kill, b, p);
      def_pos[p] = start[b];
    }
    for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next) {
      const Inst& in = f.insts[i];
      auto use = [&](ValueId v) {
        out.uses[v]++;
        last_use[v] = std::max(last_use[v], inst_pos[i]);
        if (!has(kill, b, v)) set(gen, b, v);
      };
      for (ValueId a : f.args(i)) use(a);
      for (const Edge& e : f.edges_of(i))
        for (ValueId a : f.list(e.args)) use(a);
      for (uint32_t r = 0; r < in.nresults; ++r) {
        set(kill, b, in.result + r);
        def_pos[in.result + r] = inst_pos[i];
      }
    }
  }
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t k = out.order.size(); k-- > 0;) {
      BlockId b = out.order[k];
      uint64_t* lo = &live_out[b * words];
      InstId t = f.terminator(b);
      if (t != kNone) {
        for (const Edge& e : f.edges_of(t)) {
          const uint64_t* si = &live_in[e.block * words];
          std::vector<uint64_t> in_minus(si, si + words);
          for (ValueId p : f.params_of(e.block)) in_minus[p / 64] &= ~(uint64_t(1) << (p % 64));
          for (size_t w = 0; w < words; ++w) lo[w] |= in_minus[w];
        }
      }
      uint64_t* li = &live_in[b * words];
      for (size_t w = 0; w < words; ++w) {
        uint64_t nw = gen[b * words + w] | (lo[w] & ~kill[b * words + w]);
        if (nw != li[w]) {
          li[w] = nw;
          changed = true;
        }
      }
    }
  }

  // Intervals.
  std::vector<uint32_t> iv_end(nv, 0);
  std::vector<uint8_t> defined(nv, 0);
  for (BlockId b : out.order) {
    for (ValueId p : f.params_of(b)) defined[p] = 1;
    for (InstId i = f.blocks[b].first; i != kNone; i = f.insts[i].next)
      for (uint32_t r = 0; r < f.insts[i].nresults; ++r) defined[f.insts[i].result + r] = 1;
  }
  for (ValueId v = 0; v < nv; ++v) iv_end[v] = std::max(def_pos[v], last_use[v]);
  for (BlockId b : out.order) {
    const uint64_t* lo = &live_out[b * words];
    for (size_t w = 0; w < words; ++w)
      for (uint64_t bits = lo[w]; bits; bits &= bits - 1) {
        ValueId v = ValueId(w * 64 + unsigned(__builtin_ctzll(bits)));
        iv_end[v] = std::max(iv_end[v], end[b]);
      }
  }

  auto crosses_call = [&](ValueId v) {
    auto it = std::upper_bound(call_positions.begin(), call_positions.end(), def_pos[v]);
    return it != call_positions.end() && *it < iv_end[v];
  };

  std::vector<ValueId> todo;
  for (ValueId v = 0; v < nv; ++v) {
    if (!defined[v] || f.values[v].kind == ValueKind::Alias) continue;
    if (needs_no_location(f, v)) {
      const Inst& in = f.insts[f.values[v].def];
      if (in.opc == Opcode::Const) out.loc[v] = Location::constant(in.imm);
      if (in.opc == Opcode::RefNull) out.loc[v] = Location::constant(0);
      continue;
    }
    if (out.uses[v] == 0) continue;  // no location: written to a temporary and dropped
    if (f.type(v) == Type::Void) continue;
    if (crosses_call(v)) {
      out.loc[v] = Location::frame(regalloc_layout::slot_disp(out.num_slots++));
      out.spilled++;
      continue;
    }
    todo.push_back(v);
  }
  std::stable_sort(todo.begin(), todo.end(), [&](ValueId a, ValueId b) { return def_pos[a] < def_pos[b]; });

  // Hints: an edge argument and the parameter it feeds want the same register (the move then
  // disappears), in whichever order the two are allocated.
  std::vector<std::vector<ValueId>> related(nv);
  for (BlockId b : out.order) {
    InstId t = f.terminator(b);
    if (t == kNone) continue;
    for (const Edge& e : f.edges_of(t)) {
      auto args = f.list(e.args);
      auto params = f.params_of(e.block);
      for (size_t k = 0; k < args.size() && k < params.size(); ++k) {
        related[args[k]].push_back(params[k]);
        related[params[k]].push_back(args[k]);
      }
    }
  }

  // Linear scan, one pass for both classes.
  struct Active {
    ValueId v;
    uint32_t end;
  };
  std::vector<Active> active;
  uint32_t free_gpr = 0, free_xmm = 0;  // bit i: kOptGprs[i] / kOptXmms[i] free
  for (size_t i = 0; i < std::size(kOptGprs); ++i) free_gpr |= 1u << i;
  for (size_t i = 0; i < std::size(kOptXmms); ++i) free_xmm |= 1u << i;
  auto index_of = [](const uint8_t* regs, size_t n, uint8_t r) {
    for (size_t i = 0; i < n; ++i)
      if (regs[i] == r) return i;
    return n;
  };
  auto release = [&](ValueId v) {
    const Location& l = out.loc[v];
    if (l.kind == Location::Kind::Gpr) free_gpr |= 1u << index_of(kOptGprs, std::size(kOptGprs), l.reg);
    if (l.kind == Location::Kind::Xmm) free_xmm |= 1u << index_of(kOptXmms, std::size(kOptXmms), l.reg);
  };
  auto spill = [&](ValueId v) {
    out.loc[v] = Location::frame(regalloc_layout::slot_disp(out.num_slots++));
    out.spilled++;
  };
  for (ValueId v : todo) {
    uint32_t at = def_pos[v];
    // Expire intervals that ended at or before this definition (an operand's register may
    // hold the result of the instruction that last uses it).
    active.erase(std::remove_if(active.begin(), active.end(),
                                [&](const Active& a) {
                                  if (a.end > at) return false;
                                  release(a.v);
                                  return true;
                                }),
                 active.end());
    bool x = is_xmm_type(f.type(v));
    uint32_t& free = x ? free_xmm : free_gpr;
    const uint8_t* regs = x ? kOptXmms : kOptGprs;
    if (free) {
      unsigned k = unsigned(__builtin_ctz(free));
      for (ValueId r : related[v]) {
        const Location& l = out.loc[r];
        if (l.kind != (x ? Location::Kind::Xmm : Location::Kind::Gpr)) continue;
        size_t want = index_of(regs, x ? std::size(kOptXmms) : std::size(kOptGprs), l.reg);
        if ((free >> want) & 1) {
          k = unsigned(want);
          break;
        }
      }
      free &= ~(1u << k);
      out.loc[v] = x ? Location::xmm(regs[k]) : Location::gpr(regs[k]);
      active.push_back({v, iv_end[v]});
      continue;
    }
    // No register: spill whichever of this class ends last.
    size_t victim = active.size();
    for (size_t k = 0; k < active.size(); ++k) {
      if (is_xmm_type(f.type(active[k].v)) != x) continue;
      if (victim == active.size() || active[k].end > active[victim].end) victim = k;
    }
    if (victim != active.size() && active[victim].end > iv_end[v]) {
      out.loc[v] = out.loc[active[victim].v];
      spill(active[victim].v);
      active[victim] = {v, iv_end[v]};
    } else {
      spill(v);
    }
  }
  return out;
}

}  // namespace wasm::detail::jit::opt
