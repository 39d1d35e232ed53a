#pragma once
// Register names of the baseline compiler: one small id space for both classes (0-15 general
// purpose, 16-31 xmm), sets of them as bit masks, and which ones the allocator may hand out.
#include <xbyak/xbyak.h>

#include <cstdint>

#include "wasm/detail/jit/abi.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::jit {

enum class RegClass : uint8_t { Gpr, Xmm };

constexpr RegClass reg_class_of(ValType t) {
  return abi::is_float_class(t) ? RegClass::Xmm : RegClass::Gpr;
}

// A register of either class: gpr n is n, xmm n is 16 + n.
struct Reg {
  uint8_t id = 0;

  static constexpr Reg gpr(uint8_t n) { return Reg{n}; }
  static constexpr Reg xmm(uint8_t n) { return Reg{uint8_t(16 + n)}; }
  constexpr bool is_xmm() const { return id >= 16; }
  constexpr RegClass cls() const { return is_xmm() ? RegClass::Xmm : RegClass::Gpr; }
  constexpr uint8_t code() const { return id & 15; }
  friend constexpr bool operator==(Reg, Reg) = default;

  Xbyak::Reg64 r64() const { return Xbyak::Reg64(code()); }
  Xbyak::Reg32 r32() const { return Xbyak::Reg32(code()); }
  Xbyak::Xmm x() const { return Xbyak::Xmm(code()); }
};

class RegSet {
 public:
  constexpr RegSet() = default;
  constexpr RegSet(std::initializer_list<Reg> regs) {
    for (Reg r : regs) add(r);
  }
  constexpr void add(Reg r) { bits_ |= 1u << r.id; }
  constexpr void remove(Reg r) { bits_ &= ~(1u << r.id); }
  constexpr bool has(Reg r) const { return (bits_ >> r.id) & 1; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr RegSet operator|(RegSet o) const { return from_bits(bits_ | o.bits_); }
  constexpr uint32_t bits() const { return bits_; }
  static constexpr RegSet from_bits(uint32_t b) {
    RegSet s;
    s.bits_ = b;
    return s;
  }

 private:
  uint32_t bits_ = 0;
};

// Never allocated: rsp, rbp (frame chain), r14 (VMContext), r15 (memory 0 base), and r11 and
// xmm15, the scratch registers of emit_numeric and of this compiler's own short sequences.
inline constexpr Reg kScratchGpr = Reg::gpr(abi::R11);
inline constexpr Reg kScratchXmm = Reg::xmm(15);

// Allocation order. The argument and division registers come last, so that parameters cached
// in them and the fixed operands of div/shift collide as little as possible with temporaries.
inline constexpr Reg kAllocGprs[] = {
    Reg::gpr(abi::RSI), Reg::gpr(abi::RDI), Reg::gpr(abi::R10), Reg::gpr(abi::RBX),
    Reg::gpr(abi::R12), Reg::gpr(abi::R13), Reg::gpr(abi::R8),  Reg::gpr(abi::R9),
    Reg::gpr(abi::RCX), Reg::gpr(abi::RDX), Reg::gpr(abi::RAX)};
inline constexpr Reg kAllocXmms[] = {
    Reg::xmm(0), Reg::xmm(1), Reg::xmm(2),  Reg::xmm(3),  Reg::xmm(4),
    Reg::xmm(5), Reg::xmm(6), Reg::xmm(7),  Reg::xmm(8),  Reg::xmm(9),
    Reg::xmm(10), Reg::xmm(11), Reg::xmm(12), Reg::xmm(13), Reg::xmm(14)};

}  // namespace wasm::detail::jit
