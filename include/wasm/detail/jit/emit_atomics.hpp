#pragma once
// Machine code for the threads proposal's atomic accesses (prefix 0xFE), on x86-64's memory
// model (TSO). Every wasm atomic is sequentially consistent:
//  - a load is a plain mov: x86 never reorders a load with an older load, and a locked
//    instruction (every store and read-modify-write below) drains the store buffer, so
//    loads cannot pass an earlier atomic store;
//  - a store is an xchg with memory (implicitly locked), which gives the store-load fence a
//    seq-cst store needs without a separate mfence;
//  - add, sub and xchg are one `lock xadd` / `xchg`; and, or and xor have no fetching form
//    on x86, so they are a `lock cmpxchg` loop; cmpxchg is one `lock cmpxchg`;
//  - atomic.fence is mfence.
// Narrow accesses (8, 16, 32 bits) zero-extend their result to the value's type, as the
// `_u` in their names says. The compiler (compile_atomics.hpp) picks registers, does the
// alignment and bounds checks and passes the checked address here.
#include <xbyak/xbyak.h>

#include <cstdint>

#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::jit {

enum class AtomicKind : uint8_t { Notify, Wait32, Wait64, Fence, Load, Store, Rmw, Cmpxchg };
enum class AtomicRmw : uint8_t { Add, Sub, And, Or, Xor, Xchg };

struct AtomicDesc {
  AtomicKind kind = AtomicKind::Fence;
  AtomicRmw rmw = AtomicRmw::Add;  // Rmw only
  uint8_t size = 0;                // bytes accessed
  ValType type = ValType::I32;     // the value operand's / result's type (not the address)
};

// The 0xFE sub-opcodes come in groups of seven widths, always in this order:
// i32 (4), i64 (8), i32 8-bit, i32 16-bit, i64 8-bit, i64 16-bit, i64 32-bit.
inline AtomicDesc describe_atomic(Op op) {
  const OpInfo& info = op_info(op);
  AtomicDesc d;
  d.size = info.extra;
  const uint32_t code = info.code;
  if (code <= 0x03) {
    d.kind = code == 0x00   ? AtomicKind::Notify
             : code == 0x01 ? AtomicKind::Wait32
             : code == 0x02 ? AtomicKind::Wait64
                            : AtomicKind::Fence;
    return d;
  }
  static constexpr bool kWide[7] = {false, true, false, false, true, true, true};
  auto group = [&](uint32_t first) { return kWide[(code - first) % 7] ? ValType::I64 : ValType::I32; };
  if (code >= 0x10 && code <= 0x16) {
    d.kind = AtomicKind::Load;
    d.type = group(0x10);
  } else if (code >= 0x17 && code <= 0x1d) {
    d.kind = AtomicKind::Store;
    d.type = group(0x17);
  } else if (code >= 0x1e && code <= 0x47) {
    d.kind = AtomicKind::Rmw;
    d.rmw = AtomicRmw((code - 0x1e) / 7);
    d.type = group(0x1e);
  } else {
    d.kind = AtomicKind::Cmpxchg;
    d.type = group(0x48);
  }
  return d;
}

namespace atomic_emit_detail {

inline Xbyak::Address sized(Xbyak::CodeGenerator& a, const Xbyak::RegExp& e, uint8_t size) {
  switch (size) {
    case 1: return a.byte[e];
    case 2: return a.word[e];
    case 4: return a.dword[e];
    default: return a.qword[e];
  }
}

inline Xbyak::Reg sized(const Xbyak::Reg64& r, uint8_t size) {
  switch (size) {
    case 1: return r.cvt8();
    case 2: return r.cvt16();
    case 4: return r.cvt32();
    default: return r;
  }
}

}  // namespace atomic_emit_detail

// r <- its low `size` bytes, zero-extended to 64 bits.
inline void emit_zero_extend(Xbyak::CodeGenerator& a, const Xbyak::Reg64& r, uint8_t size) {
  switch (size) {
    case 1: a.movzx(r.cvt32(), r.cvt8()); break;
    case 2: a.movzx(r.cvt32(), r.cvt16()); break;
    case 4: a.mov(r.cvt32(), r.cvt32()); break;
    default: break;
  }
}

// dst <- [e], zero-extended.
inline void emit_atomic_load(Xbyak::CodeGenerator& a, const Xbyak::Reg64& dst,
                             const Xbyak::RegExp& e, uint8_t size) {
  switch (size) {
    case 1: a.movzx(dst.cvt32(), a.byte[e]); break;
    case 2: a.movzx(dst.cvt32(), a.word[e]); break;
    case 4: a.mov(dst.cvt32(), a.dword[e]); break;
    default: a.mov(dst, a.qword[e]); break;
  }
}

// [e] <- value (its low `size` bytes); value is clobbered (it receives the old contents).
inline void emit_atomic_store(Xbyak::CodeGenerator& a, const Xbyak::RegExp& e,
                              const Xbyak::Reg64& value, uint8_t size) {
  a.xchg(atomic_emit_detail::sized(a, e, size), atomic_emit_detail::sized(value, size));
}

// add, sub, xchg: value <- old [e] (zero-extended); [e] <- old op value.
inline void emit_atomic_rmw_fetch(Xbyak::CodeGenerator& a, AtomicRmw op, const Xbyak::RegExp& e,
                                  const Xbyak::Reg64& value, uint8_t size) {
  const Xbyak::Reg v = atomic_emit_detail::sized(value, size);
  const Xbyak::Address m = atomic_emit_detail::sized(a, e, size);
  if (op == AtomicRmw::Xchg) {
    a.xchg(m, v);
  } else {
    if (op == AtomicRmw::Sub) a.neg(value);  // the low bits of -v are -(low bits of v)
    a.lock();
    a.xadd(m, v);
  }
  emit_zero_extend(a, value, size);
}

// and, or, xor: rax <- old [e] (zero-extended); [e] <- old op value. `value` is only read;
// `tmp` is clobbered; neither may be rax.
inline void emit_atomic_rmw_loop(Xbyak::CodeGenerator& a, AtomicRmw op, const Xbyak::RegExp& e,
                                 const Xbyak::Reg64& value, const Xbyak::Reg64& tmp,
                                 uint8_t size) {
  const Xbyak::Reg t = atomic_emit_detail::sized(tmp, size);
  emit_atomic_load(a, a.rax, e, size);
  Xbyak::Label retry;
  a.L(retry);
  a.mov(tmp, a.rax);
  switch (op) {
    case AtomicRmw::And: a.and_(tmp, value); break;
    case AtomicRmw::Or: a.or_(tmp, value); break;
    default: a.xor_(tmp, value); break;
  }
  // On failure cmpxchg loads the current contents into al/ax/eax/rax; the bits above `size`
  // stay zero from the load above.
  a.lock();
  a.cmpxchg(atomic_emit_detail::sized(a, e, size), t);
  a.jnz(retry);
}

// rax holds the expected value: if [e] equals its low `size` bytes, [e] <- replacement.
// Either way rax <- old [e], zero-extended. `replacement` may not be rax.
inline void emit_atomic_cmpxchg(Xbyak::CodeGenerator& a, const Xbyak::RegExp& e,
                                const Xbyak::Reg64& replacement, uint8_t size) {
  a.lock();
  a.cmpxchg(atomic_emit_detail::sized(a, e, size),
            atomic_emit_detail::sized(replacement, size));
  // On success rax still holds the whole expected value; only its low `size` bytes matched.
  emit_zero_extend(a, a.rax, size);
}

inline void emit_atomic_fence(Xbyak::CodeGenerator& a) { a.mfence(); }

}  // namespace wasm::detail::jit
