#pragma once
// Decoding of one instruction (opcode and immediates) from a function body or constant
// expression. The validator and the compilers read code only through InstructionReader.
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/type_reader.hpp"
#include "wasm/detail/binary/unsupported.hpp"
#include "wasm/features.hpp"

namespace wasm::detail {

struct BlockType {
  enum class Kind : uint8_t { Empty, Value, TypeIndex };
  Kind kind = Kind::Empty;
  ValType value = ValType::I32;  // when Kind::Value
  uint32_t type_index = 0;       // when Kind::TypeIndex
};

struct MemArg {
  uint32_t align_log2 = 0;
  uint32_t memory = 0;
  uint64_t offset = 0;
};

// One decoded instruction. Only the fields named by the opcode's Imm kind are meaningful.
struct Instruction {
  Op op = Op::Nop;
  uint32_t offset = 0;  // module offset of the opcode's first byte
  BlockType block;
  uint32_t index = 0;   // label, function, type, local, global, table, memory, data or element
  uint32_t index2 = 0;  // call_indirect table; memory.copy/table.copy source; table.init table
  MemArg mem;
  uint8_t lane = 0;
  ValType type = ValType::I32;  // ref.null heap type; typed select's type
  uint32_t select_type_count = 0;
  uint64_t bits = 0;  // i32/i64 value (sign-extended), f32/f64 bit pattern
  int64_t heap = 0;    // ref.test/ref.cast/br_on_cast heap type (s33: type index or negative code)
  int64_t heap2 = 0;   // br_on_cast target heap type
  uint8_t flags = 0;   // br_on_cast nullability flags
  std::array<uint8_t, 16> v128{};  // v128.const bytes or shuffle lanes
  // br_table targets (the default label is in `index`); owned by the reader and reused.
  const std::vector<uint32_t>* targets = nullptr;
  // try_table catch clauses; owned by the reader and reused.
  struct Catch {
    uint8_t kind = 0;  // 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref
    uint32_t tag = 0;
    uint32_t label = 0;
  };
  const std::vector<Catch>* catches = nullptr;

  const OpInfo& info() const { return op_info(op); }
  int32_t i32() const { return int32_t(uint32_t(bits)); }
  int64_t i64() const { return int64_t(bits); }
};

// Reads instructions one at a time. Errors are recorded in the underlying Reader with the
// binary format's messages ("illegal opcode", "zero byte expected", ...).
class InstructionReader {
 public:
  InstructionReader(Reader& reader, const Features& features) : r_(reader), features_(features) {}

  // Decodes the next instruction into `out`. Returns false on error (see reader().error()).
  bool next(Instruction& out) {
    out.offset = uint32_t(r_.offset());
    uint8_t byte = r_.u8();
    if (!r_.ok()) return false;
    std::optional<Op> op;
    uint8_t prefix = 0;
    uint32_t code = byte;
    if (is_prefix_byte(byte)) {
      prefix = byte;
      code = r_.u32();
      if (!r_.ok()) return false;
    }
    op = lookup_opcode(prefix, code);
    if (!op || !enabled(*op)) {
      r_.fail_at(out.offset, "illegal opcode");
      return false;
    }
    out.op = *op;
    read_immediates(out);
    return r_.ok();
  }

  Reader& reader() { return r_; }

 private:
  // Post-2.0 opcodes are refused ("illegal opcode") unless their feature is on.
  bool enabled(Op op) const {
    switch (op) {
      case Op::ReturnCall:
      case Op::ReturnCallIndirect: return features_.tail_call;
      case Op::Try: case Op::Catch: case Op::Throw: case Op::Rethrow: case Op::ThrowRef:
      case Op::Delegate: case Op::CatchAll: case Op::TryTable: return features_.exceptions;
      case Op::CallRef: case Op::RefAsNonNull: case Op::BrOnNull: case Op::BrOnNonNull:
        return features_.function_references || features_.gc;
      case Op::ReturnCallRef:
        return (features_.function_references || features_.gc) && features_.tail_call;
      case Op::RefEq: return features_.gc;
      case Op::RefNull: case Op::RefIsNull: case Op::RefFunc: case Op::SelectT:
      case Op::TableGet: case Op::TableSet: case Op::TableSize: case Op::TableGrow:
      case Op::TableFill: return features_.reference_types;
      case Op::I64Add128: case Op::I64Sub128: case Op::I64MulWideS: case Op::I64MulWideU:
        return features_.wide_arithmetic;
      default: break;
    }
    const OpInfo& info = op_info(op);
    if (info.prefix == 0xFB) return features_.gc;
    if (info.prefix == 0xFE) return features_.threads;
    if (info.prefix == 0xFD && info.code >= 0x100) return features_.relaxed_simd;
    return true;
  }

  // 1.0 encodes call_indirect's reserved table index as a single zero byte; reference types
  // make it a u32.
  uint32_t table_index() {
    if (features_.reference_types) return r_.u32();
    if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
    return 0;
  }

  // 2.0 encodes a reserved memory index as a single zero byte; multi-memory makes it a u32.
  uint32_t memory_index() {
    if (features_.multi_memory) return r_.u32();
    if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
    return 0;
  }

  void read_memarg(Instruction& out) {
    const size_t at = r_.offset();
    uint32_t flags = r_.u32();
    out.mem.memory = 0;
    // With several memories the field is 6 bits of alignment and the index flag; more is malformed.
    if (features_.multi_memory && flags >= 0x80) r_.fail_at(at, "malformed memop flags");
    // Bit 6 of the alignment field announces an explicit memory index (multi-memory).
    if (features_.multi_memory && (flags & 0x40)) {
      flags &= ~0x40u;
      out.mem.memory = r_.u32();
    }
    out.mem.align_log2 = flags;
    out.mem.offset = features_.memory64 ? r_.u64() : r_.u32();
  }

  void read_immediates(Instruction& out) {
    switch (out.info().imm) {
      case Imm::None: break;
      case Imm::BlockType: read_block_type(out.block); break;
      case Imm::Label:
      case Imm::Func:
      case Imm::Local:
      case Imm::Global:
      case Imm::Table:
      case Imm::Data:
      case Imm::Elem: out.index = r_.u32(); break;
      case Imm::Memory: out.index = memory_index(); break;
      case Imm::BrTable: {
        uint32_t count = r_.u32();
        targets_.clear();
        // Each label takes at least one byte: a count beyond the bytes left is malformed,
        // and checking first keeps a hostile count from allocating.
        if (count > r_.remaining()) {
          r_.fail("unexpected end");
          break;
        }
        targets_.reserve(count);
        for (uint32_t i = 0; i < count && r_.ok(); ++i) targets_.push_back(r_.u32());
        out.index = r_.u32();
        out.targets = &targets_;
        break;
      }
      case Imm::CallIndirect:
        out.index = r_.u32();
        out.index2 = table_index();
        break;
      case Imm::MemArg: read_memarg(out); break;
      case Imm::MemArgLane:
        read_memarg(out);
        out.lane = r_.u8();
        break;
      case Imm::Lane: out.lane = r_.u8(); break;
      case Imm::I32: out.bits = uint64_t(int64_t(r_.s32())); break;
      case Imm::I64: out.bits = uint64_t(r_.s64()); break;
      case Imm::F32: out.bits = r_.fixed_u32(); break;
      case Imm::F64: out.bits = r_.fixed_u64(); break;
      case Imm::V128:
      case Imm::Shuffle:
        for (auto& b : out.v128) b = r_.u8();
        break;
      case Imm::SelectTypes: {
        out.select_type_count = r_.u32();
        if (out.select_type_count > r_.remaining()) {
          r_.fail("unexpected end");
          break;
        }
        // 2.0 allows exactly one type; the validator reports other counts as invalid.
        for (uint32_t i = 0; i < out.select_type_count && r_.ok(); ++i) {
          ValType t = read_valtype();
          if (i == 0) out.type = t;
        }
        break;
      }
      case Imm::RefType: out.type = read_reftype(); break;
      case Imm::MemoryInit:
        out.index = r_.u32();
        out.index2 = memory_index();
        break;
      case Imm::MemoryCopy:
        out.index = memory_index();
        out.index2 = memory_index();
        break;
      case Imm::TableInit:
        out.index = r_.u32();
        out.index2 = r_.u32();
        break;
      case Imm::TableCopy:
      case Imm::TypeField:
      case Imm::TypeCount:
      case Imm::TypeData:
      case Imm::TypeElem:
      case Imm::TypeType:
        out.index = r_.u32();
        out.index2 = r_.u32();
        break;
      case Imm::Tag:
      case Imm::TypeIdx: out.index = r_.u32(); break;
      case Imm::HeapType: out.heap = read_cast_heap_type(); break;
      case Imm::BrOnCast:
        out.flags = r_.u8();
        out.index = r_.u32();
        out.heap = read_cast_heap_type();
        out.heap2 = read_cast_heap_type();
        break;
      case Imm::ZeroByte:
        if (r_.u8() != 0) r_.fail_at(r_.offset() - 1, "zero byte expected");
        break;
      case Imm::TryTable: {
        read_block_type(out.block);
        uint32_t count = r_.u32();
        catches_.clear();
        if (count > r_.remaining()) {
          r_.fail("unexpected end");
          break;
        }
        for (uint32_t i = 0; i < count && r_.ok(); ++i) {
          Instruction::Catch c;
          c.kind = r_.u8();
          if (r_.ok() && c.kind > 3) r_.fail_at(r_.offset() - 1, "malformed catch clause");
          if (c.kind < 2) c.tag = r_.u32();
          c.label = r_.u32();
          catches_.push_back(c);
        }
        out.catches = &catches_;
        break;
      }
    }
  }

  void read_block_type(BlockType& bt) {
    uint8_t first = r_.peek_u8();
    if (first == 0x40) {
      r_.u8();
      bt.kind = BlockType::Kind::Empty;
    } else if ((first >= 0x7B && first <= 0x7F) || type_reader::known_abstract(first, features_) ||
               ((first == 0x63 || first == 0x64) && (features_.function_references || features_.gc))) {
      bt.kind = BlockType::Kind::Value;
      bt.value = read_valtype();
    } else {
      size_t at = r_.offset();
      if (const char* unsupported = unsupported_type_byte(first)) {
        r_.fail_at(at, unsupported);
        return;
      }
      int64_t index = r_.s33();
      if (r_.ok() && index < 0) {
        r_.fail_at(at, "malformed value type");
        return;
      }
      bt.kind = BlockType::Kind::TypeIndex;
      bt.type_index = uint32_t(index);
    }
  }

  ValType read_valtype() { return type_reader::read_valtype(r_, features_); }

  // The heap type (s33) of a cast; an exact one is refused (type_reader.hpp).
  int64_t read_cast_heap_type() {
    size_t at = r_.offset();
    int64_t v = r_.s33();
    if (r_.ok()) type_reader::refuse_exact_heap_type(r_, at, v);
    return v;
  }

  // ref.null's heap type: func, extern (exn with exceptions) or, with typed references, any
  // heap type including a type index.
  ValType read_reftype() {
    size_t at = r_.offset();
    if (!features_.function_references && !features_.gc) {
      uint8_t b = r_.u8();
      if (r_.ok() && !type_reader::known_abstract(b, features_))
        type_reader::fail_type_byte(r_, at, b, "malformed reference type");
      return r_.ok() ? ValType::ref(ValType::Heap(b), true) : ValType::FuncRef;
    }
    return type_reader::read_heap_type(r_, features_, true);
  }

  Reader& r_;
  const Features& features_;
  std::vector<uint32_t> targets_;
  std::vector<Instruction::Catch> catches_;
};

}  // namespace wasm::detail
