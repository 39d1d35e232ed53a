#pragma once
// The opcode enumeration and its static description, generated from opcodes.def.
#include <array>
#include <cstdint>
#include <optional>

#include "wasm/types.hpp"

namespace wasm::detail {

// Immediate operand layouts.
enum class Imm : uint8_t {
  None,
  BlockType,     // s33 block type
  Label,         // label depth
  BrTable,       // vec(label) + default label
  Func,          // function index
  CallIndirect,  // type index, table index
  Local,
  Global,
  Table,         // table index
  Memory,        // memory index (a zero byte in 2.0)
  MemArg,        // alignment, offset (and memory index with multi-memory)
  I32,
  I64,
  F32,
  F64,
  V128,
  Shuffle,       // 16 lane indices
  Lane,          // one lane index
  MemArgLane,    // memarg then lane index
  SelectTypes,   // vec(valtype)
  RefType,       // heap type of ref.null
  MemoryInit,    // data index, memory index
  Data,          // data index
  MemoryCopy,    // destination memory, source memory
  TableInit,     // element index, table index
  Elem,          // element index
  TableCopy,     // destination table, source table
  Tag,           // tag index (throw, catch)
  TryTable,      // block type, vec(catch clause)
  TypeIdx,       // type index (call_ref, struct.new, array.get, ...)
  TypeField,     // type index, field index
  TypeCount,     // type index, u32 operand count (array.new_fixed)
  TypeData,      // type index, data index
  TypeElem,      // type index, element index
  TypeType,      // two type indices (array.copy)
  HeapType,      // s33 heap type (ref.test, ref.cast)
  BrOnCast,      // flags byte, label, two heap types
  ZeroByte,      // a reserved zero byte (atomic.fence)
};

// Operand and result slots of the opcode table.
enum class Slot : uint8_t { None, Special, I32, I64, F32, F64, V128 };

constexpr ValType slot_type(Slot s) {
  switch (s) {
    case Slot::I64: return ValType::I64;
    case Slot::F32: return ValType::F32;
    case Slot::F64: return ValType::F64;
    case Slot::V128: return ValType::V128;
    default: return ValType::I32;
  }
}

enum class Op : uint16_t {
#define WASM_OP(name, prefix, code, imm, text, p0, p1, p2, r, extra) name,
#include "wasm/detail/binary/opcodes.def"
#undef WASM_OP
};

struct OpInfo {
  uint8_t prefix;
  uint32_t code;
  Imm imm;
  const char* text;
  std::array<Slot, 3> params;
  Slot result;
  uint8_t extra;  // bytes accessed (memory ops) or lane count (lane ops)

  constexpr bool special() const { return params[0] == Slot::Special; }
  constexpr unsigned param_count() const {
    unsigned n = 0;
    for (Slot s : params) n += s != Slot::None;
    return n;
  }
};

namespace opcode_table_slots {
constexpr Slot _ = Slot::None;
constexpr Slot Special = Slot::Special;
constexpr Slot I32 = Slot::I32;
constexpr Slot I64 = Slot::I64;
constexpr Slot F32 = Slot::F32;
constexpr Slot F64 = Slot::F64;
constexpr Slot V128 = Slot::V128;
}  // namespace opcode_table_slots

inline constexpr OpInfo kOpInfo[] = {
#define WASM_OP(name, prefix, code, imm, text, p0, p1, p2, r, extra)                       \
  OpInfo{prefix, code, Imm::imm, text,                                                     \
         {opcode_table_slots::p0, opcode_table_slots::p1, opcode_table_slots::p2},         \
         opcode_table_slots::r, extra},
#include "wasm/detail/binary/opcodes.def"
#undef WASM_OP
};

inline constexpr size_t kOpCount = sizeof(kOpInfo) / sizeof(kOpInfo[0]);

constexpr const OpInfo& op_info(Op op) { return kOpInfo[size_t(op)]; }
constexpr const char* op_name(Op op) { return op_info(op).text; }

// Byte-to-opcode maps for the opcode spaces (plain, 0xFB, 0xFC, 0xFD, 0xFE). 0xFFFF marks an unassigned code.
struct OpcodeMaps {
  std::array<uint16_t, 256> plain{};
  std::array<uint16_t, 0x28> fb{};
  std::array<uint16_t, 32> fc{};
  std::array<uint16_t, 0x120> fd{};
  std::array<uint16_t, 0x50> fe{};
};

constexpr OpcodeMaps make_opcode_maps() {
  OpcodeMaps maps;
  for (auto& v : maps.plain) v = 0xFFFF;
  for (auto& v : maps.fb) v = 0xFFFF;
  for (auto& v : maps.fc) v = 0xFFFF;
  for (auto& v : maps.fd) v = 0xFFFF;
  for (auto& v : maps.fe) v = 0xFFFF;
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpInfo& info = kOpInfo[i];
    if (info.prefix == 0) maps.plain[info.code] = uint16_t(i);
    else if (info.prefix == 0xFB) maps.fb[info.code] = uint16_t(i);
    else if (info.prefix == 0xFC) maps.fc[info.code] = uint16_t(i);
    else if (info.prefix == 0xFD) maps.fd[info.code] = uint16_t(i);
    else maps.fe[info.code] = uint16_t(i);
  }
  return maps;
}

inline constexpr OpcodeMaps kOpcodeMaps = make_opcode_maps();

// Looks up an opcode by its prefix byte (0 for none) and code.
constexpr std::optional<Op> lookup_opcode(uint8_t prefix, uint32_t code) {
  uint16_t index = 0xFFFF;
  if (prefix == 0 && code < 256) index = kOpcodeMaps.plain[code];
  else if (prefix == 0xFB && code < kOpcodeMaps.fb.size()) index = kOpcodeMaps.fb[code];
  else if (prefix == 0xFC && code < kOpcodeMaps.fc.size()) index = kOpcodeMaps.fc[code];
  else if (prefix == 0xFD && code < kOpcodeMaps.fd.size()) index = kOpcodeMaps.fd[code];
  else if (prefix == 0xFE && code < kOpcodeMaps.fe.size()) index = kOpcodeMaps.fe[code];
  if (index == 0xFFFF) return std::nullopt;
  return Op(index);
}

constexpr bool is_prefix_byte(uint8_t b) { return b == 0xFB || b == 0xFC || b == 0xFD || b == 0xFE; }

}  // namespace wasm::detail
