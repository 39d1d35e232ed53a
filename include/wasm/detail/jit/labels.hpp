#pragma once
// Branch targets of the compiler. Xbyak's labels keep hash maps per label; the baseline tier
// creates one or two per block, so it uses this flat scheme instead: a label is an index,
// forward references form a linked list of rel32 fields patched when the label is bound.
#include <xbyak/xbyak.h>

#include <cstdint>
#include <vector>

#include "wasm/detail/jit/emit_numeric_base.hpp"

namespace wasm::detail::jit {

using LabelId = uint32_t;

// x86 condition codes, shared with the numeric emitters.
using Cond = CompareCond;

class Labels {
 public:
  void reset() {
    labels_.clear();
    fixups_.clear();
  }
  LabelId make() {
    labels_.push_back(State{});
    return LabelId(labels_.size() - 1);
  }
  bool is_bound(LabelId l) const { return labels_[l].pos >= 0; }
  bool is_used(LabelId l) const { return labels_[l].used; }
  int64_t position(LabelId l) const { return labels_[l].pos; }

  void bind(Xbyak::CodeGenerator& a, LabelId l) {
    State& s = labels_[l];
    s.pos = int64_t(a.getSize());
    for (int32_t f = s.fixups; f >= 0; f = fixups_[f].next) {
      uint32_t at = fixups_[f].at;
      a.rewrite(at, uint64_t(int64_t(s.pos) - int64_t(at + 4)), 4);
    }
    s.fixups = -1;
  }

  // `near`: always the 5-byte form (jump table entries have a fixed size).
  void jmp(Xbyak::CodeGenerator& a, LabelId l, bool near = false) {
    labels_[l].used = true;
    if (is_bound(l) && near) {
      a.db(0xE9);
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
      return;
    }
    if (is_bound(l)) {
      int64_t rel = labels_[l].pos - int64_t(a.getSize() + 2);
      if (rel >= -128) {
        a.db(0xEB);
        a.db(uint8_t(rel));
        return;
      }
      a.db(0xE9);
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
      return;
    }
    a.db(0xE9);
    refer(a, l);
  }

  void jcc(Xbyak::CodeGenerator& a, Cond c, LabelId l) {
    labels_[l].used = true;
    if (is_bound(l)) {
      int64_t rel = labels_[l].pos - int64_t(a.getSize() + 2);
      if (rel >= -128) {
        a.db(0x70 | uint8_t(c));
        a.db(uint8_t(rel));
        return;
      }
      a.db(0x0F);
      a.db(0x80 | uint8_t(c));
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
      return;
    }
    a.db(0x0F);
    a.db(0x80 | uint8_t(c));
    refer(a, l);
  }

  // lea r64, [rip + label]
  void lea(Xbyak::CodeGenerator& a, const Xbyak::Reg64& dst, LabelId l) {
    labels_[l].used = true;
    a.db(0x48 | (dst.getIdx() >= 8 ? 0x04 : 0));
    a.db(0x8D);
    a.db(0x05 | ((dst.getIdx() & 7) << 3));
    if (is_bound(l)) {
      a.dd(uint32_t(labels_[l].pos - int64_t(a.getSize() + 4)));
    } else {
      refer(a, l);
    }
  }

  // A rel32 field at the current position that will point at `l`.
  void refer(Xbyak::CodeGenerator& a, LabelId l) {
    fixups_.push_back(Fixup{uint32_t(a.getSize()), labels_[l].fixups});
    labels_[l].fixups = int32_t(fixups_.size() - 1);
    a.dd(0);
  }

  bool all_bound() const {
    for (const State& s : labels_) {
      if (s.fixups >= 0) return false;
    }
    return true;
  }

 private:
  struct State {
    int64_t pos = -1;
    int32_t fixups = -1;
    bool used = false;
  };
  struct Fixup {
    uint32_t at;
    int32_t next;
  };
  std::vector<State> labels_;
  std::vector<Fixup> fixups_;
};

}  // namespace wasm::detail::jit
