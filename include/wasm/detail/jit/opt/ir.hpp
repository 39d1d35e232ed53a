#pragma once
// The optimizing tier's SSA IR: a function is dense arrays of blocks, instructions and values,
// addressed by 32-bit indices. Blocks take parameters (as in Cranelift) instead of phis; a
// terminator's edges name the target block and the arguments passed to its parameters.
// Instructions of a block form an intrusive doubly linked list (prev/next), so that passes can
// remove or move one in O(1); operand lists live in one pool and grow by relocation.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/types.hpp"

namespace wasm::detail::jit::opt {

enum class Type : uint8_t { Void, I32, I64, F32, F64, V128, FuncRef, ExternRef };

constexpr Type type_of(ValType t) {
  switch (t) {
    case ValType::I32: return Type::I32;
    case ValType::I64: return Type::I64;
    case ValType::F32: return Type::F32;
    case ValType::F64: return Type::F64;
    case ValType::V128: return Type::V128;
    case ValType::FuncRef: return Type::FuncRef;
    case ValType::ExternRef: return Type::ExternRef;
    case ValType::ExnRef: return Type::Void;  // not in the IR yet (builder.hpp refuses it)
    case ValType::Kind::AnyRef: return Type::Void;  // GC: refused before compilation (gc_support.hpp)
  }
  return Type::Void;
}

constexpr Type type_of(Slot s) {
  switch (s) {
    case Slot::I32: return Type::I32;
    case Slot::I64: return Type::I64;
    case Slot::F32: return Type::F32;
    case Slot::F64: return Type::F64;
    case Slot::V128: return Type::V128;
    default: return Type::Void;
  }
}

constexpr const char* type_name(Type t) {
  switch (t) {
    case Type::Void: return "void";
    case Type::I32: return "i32";
    case Type::I64: return "i64";
    case Type::F32: return "f32";
    case Type::F64: return "f64";
    case Type::V128: return "v128";
    case Type::FuncRef: return "funcref";
    case Type::ExternRef: return "externref";
  }
  return "?";
}

// What an instruction may do (a bit set).
struct Fx {
  static constexpr uint16_t None = 0;
  static constexpr uint16_t Trap = 1;          // may trap
  static constexpr uint16_t ReadMem = 2;       // reads linear memory
  static constexpr uint16_t WriteMem = 4;      // writes linear memory
  static constexpr uint16_t ReadGlobal = 8;    // reads the global named by imm
  static constexpr uint16_t WriteGlobal = 16;  // writes the global named by imm
  static constexpr uint16_t ReadMemState = 32; // reads a memory's base or size (changed by grow)
  static constexpr uint16_t Call = 64;         // may read and write anything, and trap
  static constexpr uint16_t Terminator = 128;  // ends a block
};

enum class Opcode : uint8_t {
#define OPT_OP(name, text, flags) name,
#include "wasm/detail/jit/opt/opcodes.def"
#undef OPT_OP
};

struct OpcodeInfo {
  const char* text;
  uint16_t flags;
};

inline constexpr OpcodeInfo kOpcodeInfo[] = {
#define OPT_OP(name, text, flags) OpcodeInfo{text, flags},
#include "wasm/detail/jit/opt/opcodes.def"
#undef OPT_OP
};

constexpr const OpcodeInfo& opcode_info(Opcode o) { return kOpcodeInfo[size_t(o)]; }
constexpr bool is_terminator(Opcode o) { return opcode_info(o).flags & Fx::Terminator; }

using ValueId = uint32_t;
using BlockId = uint32_t;
using InstId = uint32_t;
inline constexpr uint32_t kNone = 0xFFFFFFFFu;

// A list of values in Function::pool: [begin, begin + count), room for cap.
struct ValueList {
  uint32_t begin = 0;
  uint32_t count = 0;
  uint32_t cap = 0;
};

// A control-flow edge: the target block and the arguments for its parameters.
struct Edge {
  BlockId block = kNone;
  ValueList args;
  InstId inst = kNone;  // the terminator that owns the edge
};

// Per-instruction flags that passes set.
struct InstFlag {
  static constexpr uint8_t NoZeroCheck = 1;      // division: divisor proved nonzero
  static constexpr uint8_t NoOverflowCheck = 2;  // signed division: not INT_MIN / -1
  static constexpr uint8_t Immutable = 4;        // global.get of an immutable global
};

struct Inst {
  Opcode opc = Opcode::Nop;
  Type type = Type::Void;  // type of the first result
  uint8_t flags = 0;
  uint8_t lane = 0;        // lane operations: the lane index
  Op op = Op::Nop;         // Wasm, Load, Store, Runtime: the wasm operator
  uint16_t nresults = 0;
  ValueId result = kNone;  // results are values [result, result + nresults)
  ValueList args;
  uint32_t edges_begin = 0;  // terminators: edges [edges_begin, edges_begin + edges_count)
  uint32_t edges_count = 0;
  uint64_t imm = 0;
  uint32_t imm2 = 0;
  BlockId block = kNone;
  InstId prev = kNone;
  InstId next = kNone;
};

struct Block {
  ValueList params;
  InstId first = kNone;
  InstId last = kNone;
  bool removed = false;
};

enum class ValueKind : uint8_t { Result, Param, Alias };

struct ValueData {
  Type type = Type::Void;
  ValueKind kind = ValueKind::Result;
  uint32_t def = kNone;  // Result: instruction; Param: block; Alias: the value it stands for
  uint32_t index = 0;    // Result: which result; Param: position in the block's parameters
};

using V128Bytes = std::array<uint8_t, 16>;

struct Function {
  uint32_t func_index = 0;
  std::vector<Type> params;   // the signature
  std::vector<Type> results;
  BlockId entry = 0;

  std::vector<Block> blocks;
  std::vector<Inst> insts;
  std::vector<ValueData> values;
  std::vector<ValueId> pool;
  std::vector<Edge> edges;
  std::vector<V128Bytes> v128_consts;  // v128.const values and shuffle lane patterns

  // --- blocks and values -------------------------------------------------------------------
  BlockId add_block() {
    blocks.emplace_back();
    return BlockId(blocks.size() - 1);
  }
  ValueId new_value(Type t, ValueKind k, uint32_t def, uint32_t index) {
    values.push_back(ValueData{t, k, def, index});
    return ValueId(values.size() - 1);
  }
  ValueId add_param(BlockId b, Type t) {
    ValueId v = new_value(t, ValueKind::Param, b, blocks[b].params.count);
    push(blocks[b].params, v);
    return v;
  }
  Type type(ValueId v) const { return values[v].type; }

  // Follows aliases to the value that stands for v (with path compression).
  ValueId resolve(ValueId v) {
    ValueId root = v;
    while (values[root].kind == ValueKind::Alias) root = values[root].def;
    while (values[v].kind == ValueKind::Alias) {
      ValueId next = values[v].def;
      values[v].def = root;
      v = next;
    }
    return root;
  }
  void make_alias(ValueId v, ValueId to) {
    values[v].kind = ValueKind::Alias;
    values[v].def = to;
  }

  // --- value lists -------------------------------------------------------------------------
  std::span<ValueId> list(const ValueList& l) { return {pool.data() + l.begin, l.count}; }
  std::span<const ValueId> list(const ValueList& l) const { return {pool.data() + l.begin, l.count}; }
  void push(ValueList& l, ValueId v) {
    if (l.count == l.cap) {
      uint32_t cap = l.cap ? l.cap * 2 : 2;
      if (l.count == 0 || l.begin + l.cap != pool.size()) {
        uint32_t begin = uint32_t(pool.size());
        pool.resize(pool.size() + cap);
        for (uint32_t i = 0; i < l.count; ++i) pool[begin + i] = pool[l.begin + i];
        l.begin = begin;
      } else {
        pool.resize(l.begin + cap);  // the list ends the pool: grow in place
      }
      l.cap = cap;
    }
    pool[l.begin + l.count++] = v;
  }
  ValueList make_list(std::span<const ValueId> vs) {
    ValueList l{uint32_t(pool.size()), uint32_t(vs.size()), uint32_t(vs.size())};
    pool.insert(pool.end(), vs.begin(), vs.end());
    return l;
  }
  // Removes the entries whose keep[i] is false, in place.
  template <typename Keep>
  void filter(ValueList& l, Keep keep) {
    uint32_t out = 0;
    for (uint32_t i = 0; i < l.count; ++i)
      if (keep(i)) pool[l.begin + out++] = pool[l.begin + i];
    l.count = out;
  }

  std::span<ValueId> args(InstId i) { return list(insts[i].args); }
  std::span<const ValueId> args(InstId i) const { return list(insts[i].args); }
  std::span<ValueId> params_of(BlockId b) { return list(blocks[b].params); }
  std::span<const ValueId> params_of(BlockId b) const { return list(blocks[b].params); }
  std::span<Edge> edges_of(InstId i) { return {edges.data() + insts[i].edges_begin, insts[i].edges_count}; }
  std::span<const Edge> edges_of(InstId i) const {
    return {edges.data() + insts[i].edges_begin, insts[i].edges_count};
  }
  InstId terminator(BlockId b) const {
    InstId t = blocks[b].last;
    return t != kNone && is_terminator(insts[t].opc) ? t : kNone;
  }

  // --- instructions ------------------------------------------------------------------------
  // Creates an unlinked instruction with `nresults` results (types given; the first is `type`).
  InstId create(Opcode opc, std::span<const ValueId> a, std::span<const Type> result_types = {}) {
    Inst in;
    in.opc = opc;
    in.args = make_list(a);
    in.nresults = uint16_t(result_types.size());
    if (!result_types.empty()) in.type = result_types[0];
    insts.push_back(in);
    InstId id = InstId(insts.size() - 1);
    for (uint32_t r = 0; r < result_types.size(); ++r) {
      ValueId v = new_value(result_types[r], ValueKind::Result, id, r);
      if (r == 0) insts[id].result = v;
    }
    return id;
  }
  InstId create1(Opcode opc, Type t, std::span<const ValueId> a) {
    Type ts[1] = {t};
    return create(opc, a, t == Type::Void ? std::span<const Type>() : std::span<const Type>(ts, 1));
  }
  uint32_t add_edge(InstId term, BlockId target, std::span<const ValueId> a) {
    Inst& in = insts[term];
    if (in.edges_count == 0) in.edges_begin = uint32_t(edges.size());
    edges.push_back(Edge{target, make_list(a), term});
    in.edges_count++;
    return uint32_t(edges.size() - 1);
  }

  void append(BlockId b, InstId i) {
    Inst& in = insts[i];
    in.block = b;
    in.prev = blocks[b].last;
    in.next = kNone;
    if (in.prev != kNone) insts[in.prev].next = i;
    else blocks[b].first = i;
    blocks[b].last = i;
  }
  void insert_before(InstId pos, InstId i) {
    Inst& in = insts[i];
    BlockId b = insts[pos].block;
    in.block = b;
    in.next = pos;
    in.prev = insts[pos].prev;
    if (in.prev != kNone) insts[in.prev].next = i;
    else blocks[b].first = i;
    insts[pos].prev = i;
  }
  void unlink(InstId i) {
    Inst& in = insts[i];
    if (in.prev != kNone) insts[in.prev].next = in.next;
    else blocks[in.block].first = in.next;
    if (in.next != kNone) insts[in.next].prev = in.prev;
    else blocks[in.block].last = in.prev;
    in.prev = in.next = kNone;
  }
  void remove(InstId i) {
    unlink(i);
    insts[i].opc = Opcode::Nop;
    insts[i].block = kNone;
  }

  // Calls f(InstId) for each instruction of b in order; f may unlink the current one.
  template <typename F>
  void for_each_inst(BlockId b, F f) const {
    for (InstId i = blocks[b].first; i != kNone;) {
      InstId next = insts[i].next;
      f(i);
      i = next;
    }
  }
};

}  // namespace wasm::detail::jit::opt
