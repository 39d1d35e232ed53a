#pragma once
// Strength reduction of multiplication, division and remainder by constants:
//  - x * 2^k -> x << k, x * -1 -> 0 - x;
//  - unsigned x / 2^k -> x >> k, x % 2^k -> x & (2^k - 1);
//  - signed x / ±2^k: a bias of 2^k - 1 for negative x, then an arithmetic shift (negated for
//    a negative divisor); x % ±2^k = x - ((x + bias) & -2^k);
//  - unsigned x / d for other d: a multiply-high by a magic number and shifts (Granlund and
//    Montgomery, "Division by invariant integers using multiplication", 1994: the N+1-bit
//    multiplier case with the add-and-halve fix-up when the plain form needs one more bit);
//    d above 2^(N-1) is x >=u d;
//  - signed x / d: the magic number of Hacker's Delight (Warren, ch. 10) with smulhi;
//  - x % d = x - (x / d) * d.
// Only divisions that cannot trap are rewritten: the divisor is a constant other than 0 and,
// for signed division, other than -1 (folding marks those as checked; this pass tests itself).
#include <bit>
#include <cstdint>

#include "wasm/detail/jit/opt/cfg.hpp"
#include "wasm/detail/jit/opt/rewrite.hpp"

namespace wasm::detail::jit::opt {

// Signed magic number and shift for dividing w-bit integers by d (|d| >= 2).
struct SignedMagic {
  uint64_t m;
  unsigned s;
};
inline SignedMagic signed_magic(uint64_t d, unsigned w) {
  const uint64_t mask = w == 64 ? ~0ull : (1ull << w) - 1;
  const uint64_t top = 1ull << (w - 1);
  d &= mask;
  const bool neg = (d & top) != 0;
  const uint64_t ad = neg ? (0 - d) & mask : d;
  const uint64_t t = top + (neg ? 1 : 0);
  const uint64_t anc = t - 1 - t % ad;
  unsigned p = w - 1;
  uint64_t q1 = top / anc, r1 = top - q1 * anc;
  uint64_t q2 = top / ad, r2 = top - q2 * ad;
  uint64_t delta;
  do {
    ++p;
    q1 = (2 * q1) & mask;
    r1 = (2 * r1) & mask;
    if (r1 >= anc) {
      q1 = (q1 + 1) & mask;
      r1 = (r1 - anc) & mask;
    }
    q2 = (2 * q2) & mask;
    r2 = (2 * r2) & mask;
    if (r2 >= ad) {
      q2 = (q2 + 1) & mask;
      r2 = (r2 - ad) & mask;
    }
    delta = ad - r2;
  } while (q1 < delta || (q1 == delta && r1 == 0));
  uint64_t m = (q2 + 1) & mask;
  if (neg) m = (0 - m) & mask;
  return {m, p - w};
}

class StrengthPass {
 public:
  explicit StrengthPass(Function& f) : f_(f) {}

  bool run() {
    resolve_operands(f_);
    Cfg cfg(f_);
    for (BlockId b : cfg.rpo) f_.for_each_inst(b, [&](InstId i) { visit(i); });
    resolve_operands(f_);
    return changed_;
  }

 private:
  bool constant(ValueId v, uint64_t& bits) const {
    const ValueData& d = f_.values[v];
    if (d.kind != ValueKind::Result || f_.insts[d.def].opc != Opcode::Const) return false;
    bits = f_.insts[d.def].imm;
    return true;
  }

  struct Ops {  // the operators of one width
    Op add, sub, mul, shl, shr_s, shr_u, and_, ge_u;
  };
  static Ops ops(bool is64) {
    if (is64) return {Op::I64Add, Op::I64Sub, Op::I64Mul, Op::I64Shl, Op::I64ShrS, Op::I64ShrU, Op::I64And, Op::I64GeU};
    return {Op::I32Add, Op::I32Sub, Op::I32Mul, Op::I32Shl, Op::I32ShrS, Op::I32ShrU, Op::I32And, Op::I32GeU};
  }

  void visit(InstId i) {
    pos_ = i;
    const Inst& in = f_.insts[i];
    if (in.opc != Opcode::Wasm || (in.type != Type::I32 && in.type != Type::I64) || in.args.count != 2) return;
    const bool is64 = in.type == Type::I64;
    const unsigned w = is64 ? 64 : 32;
    const uint64_t mask = is64 ? ~0ull : 0xFFFFFFFFull;
    uint64_t c;
    if (!constant(f_.args(i)[1], c)) return;
    c &= mask;
    ValueId x = f_.args(i)[0];
    if (f_.type(x) != in.type) return;  // comparisons and the like
    const Ops o = ops(is64);
    const Type t = in.type;
    auto k = [&](uint64_t bits) { return insert_const(f_, i, t, bits & mask); };
    auto op = [&](Op which, ValueId a, ValueId b) { return insert_wasm(f_, i, which, t, {a, b}); };
    auto opk = [&](Op which, ValueId a, uint64_t bits) {  // the constant first: a fixed order
      ValueId kv = k(bits);
      return op(which, a, kv);
    };
    const bool pow2 = c != 0 && (c & (c - 1)) == 0;
    const unsigned log = unsigned(std::countr_zero(c));
    const uint64_t neg_c = (0 - c) & mask;
    const bool neg_pow2 = neg_c != 0 && (neg_c & (neg_c - 1)) == 0 && c != neg_c;
    const Op opw = in.op;
    ValueId r = kNone;
    if (opw == o.mul) {
      if (pow2 && log > 0) r = opk(o.shl, x, log);
      else if (c == mask) r = op(o.sub, k(0), x);
    } else if (opw == Op::I32DivU || opw == Op::I64DivU) {
      if (c == 0 || c == 1) return;
      r = pow2 ? opk(o.shr_u, x, log) : udiv(x, c, w);
    } else if (opw == Op::I32RemU || opw == Op::I64RemU) {
      if (c == 0 || c == 1) return;
      r = pow2 ? opk(o.and_, x, c - 1) : op(o.sub, x, opk(o.mul, udiv(x, c, w), c));
    } else if (opw == Op::I32DivS || opw == Op::I64DivS || opw == Op::I32RemS || opw == Op::I64RemS) {
      // 0 and -1 may trap, 1 folds, and INT_MIN is not worth a sequence.
      if (c == 0 || c == 1 || c == mask || c == (uint64_t(1) << (w - 1))) return;
      const bool rem = opw == Op::I32RemS || opw == Op::I64RemS;
      if (pow2 || neg_pow2) {
        unsigned sh = unsigned(std::countr_zero(pow2 ? c : neg_c));
        // bias = 2^sh - 1 when x < 0, else 0
        ValueId bias = opk(o.shr_u, opk(o.shr_s, x, w - 1), w - sh);
        ValueId biased = op(o.add, x, bias);
        if (rem) {
          r = op(o.sub, x, opk(o.and_, biased, 0 - (uint64_t(1) << sh)));
        } else {
          r = opk(o.shr_s, biased, sh);
          if (!pow2) r = op(o.sub, k(0), r);
        }
      } else {
        ValueId q = sdiv(x, c, w);
        r = rem ? op(o.sub, x, opk(o.mul, q, c)) : q;
      }
    }
    if (r == kNone) return;
    replace_with(f_, i, r);
    changed_ = true;
  }

  // floor(x / d), d unsigned, not a power of two, d >= 3.
  ValueId udiv(ValueId x, uint64_t d, unsigned w) {
    const Type t = w == 64 ? Type::I64 : Type::I32;
    const uint64_t mask = w == 64 ? ~0ull : 0xFFFFFFFFull;
    const Ops o = ops(w == 64);
    InstId pos = pos_;
    auto k = [&](uint64_t bits) { return insert_const(f_, pos, t, bits & mask); };
    auto op = [&](Op which, ValueId a, ValueId b) { return insert_wasm(f_, pos, which, t, {a, b}); };
    auto opk = [&](Op which, ValueId a, uint64_t bits) {  // the constant first: a fixed order
      ValueId kv = k(bits);
      return op(which, a, kv);
    };
    auto mulhi = [&](ValueId a, uint64_t m) {
      ValueId mv = k(m);
      ValueId args[2] = {a, mv};
      return insert_inst(f_, pos, Opcode::UMulHi, t, args);
    };
    if (d > (mask >> 1)) {  // the quotient is 0 or 1
      ValueId ge = insert_wasm(f_, pos, o.ge_u, Type::I32, {x, k(d)});
      return w == 64 ? insert_wasm(f_, pos, Op::I64ExtendI32U, Type::I64, {ge}) : ge;
    }
    const unsigned l = unsigned(64 - std::countl_zero(uint64_t(d - 1)));  // ceil(log2 d)
    using U128 = unsigned __int128;
    // Plain form: m = ceil(2^(w+s) / d) < 2^w with m*d - 2^(w+s) <= 2^s gives q = mulhi(x, m) >> s.
    for (unsigned s = 0; s <= l; ++s) {
      U128 two = U128(1) << (w + s);
      U128 m = (two + d - 1) / d;
      if (m > mask) continue;
      if (m * d - two <= (U128(1) << s)) {
        ValueId hi = mulhi(x, uint64_t(m));
        return s ? opk(o.shr_u, hi, s) : hi;
      }
    }
    // m' = floor(2^w * (2^l - d) / d) + 1; t = mulhi(x, m'); q = (t + ((x - t) >> 1)) >> (l - 1).
    U128 mp = ((U128(1) << w) * ((U128(1) << l) - d)) / d + 1;
    ValueId hi = mulhi(x, uint64_t(mp));
    ValueId sum = op(o.add, hi, opk(o.shr_u, op(o.sub, x, hi), 1));
    return l > 1 ? opk(o.shr_u, sum, l - 1) : sum;
  }

  // trunc(x / d), d signed, |d| >= 3 and not a power of two.
  ValueId sdiv(ValueId x, uint64_t d, unsigned w) {
    const Type t = w == 64 ? Type::I64 : Type::I32;
    const uint64_t mask = w == 64 ? ~0ull : 0xFFFFFFFFull;
    const uint64_t top = 1ull << (w - 1);
    const Ops o = ops(w == 64);
    InstId pos = pos_;
    auto k = [&](uint64_t bits) { return insert_const(f_, pos, t, bits & mask); };
    auto op = [&](Op which, ValueId a, ValueId b) { return insert_wasm(f_, pos, which, t, {a, b}); };
    auto opk = [&](Op which, ValueId a, uint64_t bits) {  // the constant first: a fixed order
      ValueId kv = k(bits);
      return op(which, a, kv);
    };
    SignedMagic mg = signed_magic(d, w);
    ValueId mv = k(mg.m);
    ValueId args[2] = {x, mv};
    ValueId q = insert_inst(f_, pos, Opcode::SMulHi, t, args);
    const bool d_neg = d & top, m_neg = mg.m & top;
    if (!d_neg && m_neg) q = op(o.add, q, x);
    if (d_neg && !m_neg) q = op(o.sub, q, x);
    if (mg.s) q = opk(o.shr_s, q, mg.s);
    return op(o.add, q, opk(o.shr_u, q, w - 1));  // + 1 when negative: round toward zero
  }

  Function& f_;
  bool changed_ = false;
  InstId pos_ = kNone;  // the instruction being replaced: new ones go before it
};

inline bool reduce_strength(Function& f) { return StrengthPass(f).run(); }

}  // namespace wasm::detail::jit::opt
