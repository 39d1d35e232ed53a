#pragma once
// Type-checks function bodies: the operand stack and control frames of the validation algorithm
// in the appendix of the WebAssembly 2.0 specification.
//
// One FunctionValidator checks every body of a module and reuses its stacks, so a body costs no
// allocation once the stacks have grown. Non-special opcodes are checked generically from the
// opcode table (pop P2, P1, P0, push R); only the opcodes marked Special have their own case.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/module_info.hpp"
#include "wasm/error.hpp"
#include "wasm/features.hpp"

namespace wasm::detail {

// The bottom type of the polymorphic stack: matches any value type.
inline constexpr ValType kUnknownType = ValType();

inline std::string stack_type_name(ValType t) {
  return t == kUnknownType ? "unknown" : valtype_name(t);
}

// " (function 3, offset 0x2a)": where a message points to.
inline std::string location_suffix(const char* what, uint32_t index, size_t offset) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  do {
    hex.insert(hex.begin(), kHex[offset & 0xF]);
    offset >>= 4;
  } while (offset != 0);
  return std::string(" (") + what + " " + std::to_string(index) + ", offset 0x" + hex + ")";
}

class FunctionValidator {
 public:
  // `declared_refs[f]` is nonzero when function f may be named by ref.func in a body (C.refs).
  FunctionValidator(const ModuleInfo& module, const Features& features,
                    const std::vector<uint8_t>& declared_refs)
      : m_(module), features_(features), declared_refs_(declared_refs) {}

  // Type-checks one defined function. After a validation error the rest of the body is still
  // decoded: the specification decodes the whole module before validating it, so a malformed
  // byte later in the body wins (ErrorKind::Decode) over the type error (ErrorKind::Validate).
  std::optional<Error> check(uint32_t func_index, const FunctionBody& body) {
    func_ = func_index;
    error_.reset();
    const FuncType& type = m_.func_type(func_index);
    results_ = type.results;
    block_values_.clear();
    if (!setup_locals(type, body)) return error_;
    vals_.clear();
    ctrls_.clear();
    ctrls_.push_back(Frame{Op::Block, false, 0, {}, type.results, 0});

    Reader r(m_.body_code(body), body.code_offset);
    InstructionReader ir(r, features_);
    Instruction in;
    while (!ctrls_.empty()) {
      if (r.at_end()) {
        frames_to_kinds();
        return overrun(body);
      }
      if (!ir.next(in)) return decode_error(r);
      if (!step(in)) {
        if (error_->kind() == ErrorKind::Decode) return error_;
        // Keep decoding the body without typing; a decode error there takes precedence.
        std::optional<Error> invalid = std::move(error_);
        error_.reset();
        frames_to_kinds();
        if (auto e = apply_structure(in)) return e;
        if (auto e = decode_structure(r, ir, body)) return e;
        return invalid;
      }
    }
    return trailing_bytes(r);
  }

  // Decodes a body without type-checking it (used after an earlier validation error).
  std::optional<Error> decode_only(uint32_t func_index, const FunctionBody& body) {
    func_ = func_index;
    error_.reset();
    Reader r(m_.body_code(body), body.code_offset);
    InstructionReader ir(r, features_);
    kinds_.assign(1, kPlain);
    return decode_structure(r, ir, body);
  }

 private:
  struct Frame {
    Op kind;  // Block (also the function's own frame), Loop, If, or Else after an else
    bool unreachable;
    uint32_t height;  // operand stack height at the start of the frame
    std::span<const ValType> params;
    std::span<const ValType> results;
    uint32_t inits = 0;  // height of inits_ at the start: locals set inside are reset at its end
  };

  // Frame kinds for decode-only mode: which frames still accept an `else`.
  enum : uint8_t { kPlain, kIf };

  // ---- errors ----------------------------------------------------------------------------

  // Records the error; checking stops at the first one, so there is never an earlier one.
  bool fail(ErrorKind kind, std::string message, size_t offset) {
    error_ = Error(kind, message + location_suffix("function", func_, offset));
    return false;
  }
  bool invalid(std::string message, const Instruction& in) {
    return fail(ErrorKind::Validate, std::move(message), in.offset);
  }
  bool unknown(const char* what, uint32_t index, const Instruction& in) {
    return invalid(std::string("unknown ") + what + " " + std::to_string(index), in);
  }
  bool mismatch(ValType expected, ValType found, const Instruction& in) {
    return invalid(std::string("type mismatch: ") + in.info().text + " expected " +
                       stack_type_name(expected) + " but found " + stack_type_name(found),
                   in);
  }
  std::optional<Error> decode_error(const Reader& r) {
    if (is_unsupported_message(r.error())) {
      error_ = Error(ErrorKind::Unsupported, unsupported_feature(r.error()));
      return error_;
    }
    std::string message = r.error();
    // Running out inside a body: the spec interpreter's wording.
    if (message == "unexpected end") message = "unexpected end of section or function";
    fail(ErrorKind::Decode, std::move(message), r.error_offset());
    return error_;
  }

  // ---- the operand stack -----------------------------------------------------------------

  void push(ValType t) { vals_.push_back(t); }
  void push(std::span<const ValType> ts) { vals_.insert(vals_.end(), ts.begin(), ts.end()); }

  // Pops one operand; kUnknownType when the frame is unreachable and has nothing left.
  bool pop_any(ValType& out, const Instruction& in) {
    const Frame& f = ctrls_.back();
    if (vals_.size() == f.height) {
      if (f.unreachable) {
        out = kUnknownType;
        return true;
      }
      return invalid(std::string("type mismatch: ") + in.info().text +
                         " expected an operand but the stack is empty",
                     in);
    }
    out = vals_.back();
    vals_.pop_back();
    return true;
  }
  bool pop(ValType expected, const Instruction& in) {
    const Frame& f = ctrls_.back();
    if (vals_.size() > f.height) {
      ValType actual = vals_.back();
      vals_.pop_back();
      if (m_.subtype(actual, expected)) return true;
      return mismatch(expected, actual, in);
    }
    if (f.unreachable) return true;
    return invalid(std::string("type mismatch: ") + in.info().text + " expected " +
                       valtype_name(expected) + " but the stack is empty",
                   in);
  }
  bool pop(std::span<const ValType> ts, const Instruction& in) {
    for (size_t i = ts.size(); i-- > 0;)
      if (!pop(ts[i], in)) return false;
    return true;
  }
  bool pop_ref(ValType& out, const Instruction& in) {
    if (!pop_any(out, in)) return false;
    if (out == kUnknownType || is_reftype(out)) return true;
    return invalid(std::string("type mismatch: ") + in.info().text +
                       " expected a reference but found " + valtype_name(out),
                   in);
  }
  // Checks that the top of the stack matches `ts` without popping (br_table's other labels).
  bool peek(std::span<const ValType> ts, const Instruction& in) {
    const Frame& f = ctrls_.back();
    size_t available = vals_.size() - f.height;
    for (size_t i = 0; i < ts.size(); ++i) {
      ValType expected = ts[ts.size() - 1 - i];
      if (i >= available) {
        if (f.unreachable) return true;
        return invalid(std::string("type mismatch: ") + in.info().text + " expected " +
                           valtype_name(expected) + " but the stack is empty",
                       in);
      }
      ValType actual = vals_[vals_.size() - 1 - i];
      if (!m_.subtype(actual, expected)) return mismatch(expected, actual, in);
    }
    return true;
  }
  void set_unreachable() {
    vals_.resize(ctrls_.back().height);
    ctrls_.back().unreachable = true;
  }

  // ---- control frames --------------------------------------------------------------------

  bool block_signature(const Instruction& in, std::span<const ValType>& params,
                       std::span<const ValType>& results) {
    params = {};
    results = {};
    switch (in.block.kind) {
      case BlockType::Kind::Empty: return true;
      case BlockType::Kind::Value:
        if (!check_type(in.block.value, in)) return false;
        block_values_.push_back(in.block.value);  // a deque: earlier spans stay valid
        results = std::span<const ValType>(&block_values_.back(), 1);
        return true;
      case BlockType::Kind::TypeIndex:
        if (in.block.type_index >= m_.types.size()) return unknown("type", in.block.type_index, in);
        params = m_.types[in.block.type_index].params;
        results = m_.types[in.block.type_index].results;
        return true;
    }
    return true;
  }
  void push_frame(Op kind, std::span<const ValType> params, std::span<const ValType> results) {
    ctrls_.push_back(Frame{kind, false, uint32_t(vals_.size()), params, results, uint32_t(inits_.size())});
    push(params);
  }
  // The results must be exactly what is left above the frame's base.
  bool check_frame_end(const Instruction& in) {
    const Frame& f = ctrls_.back();
    if (!pop(f.results, in)) return false;
    if (vals_.size() != f.height)
      return invalid("type mismatch: " + std::to_string(vals_.size() - f.height) +
                         " value(s) left on the stack at the end of the block",
                     in);
    return true;
  }
  bool label_types(uint32_t depth, const Instruction& in, std::span<const ValType>& out) {
    if (depth >= ctrls_.size()) return unknown("label", depth, in);
    const Frame& f = ctrls_[ctrls_.size() - 1 - depth];
    out = f.kind == Op::Loop ? f.params : f.results;
    return true;
  }

  // ---- locals ----------------------------------------------------------------------------

  bool setup_locals(const FuncType& type, const FunctionBody& body) {
    params_ = type.params;
    local_ends_.clear();
    local_types_.clear();
    inits_.clear();
    local_set_.clear();
    uint64_t end = params_.size();
    for (const LocalGroup& g : body.locals) {
      if (g.count == 0) continue;
      if (g.type.has_index() && g.type.index() >= m_.types.size())
        return fail(ErrorKind::Validate, "unknown type " + std::to_string(g.type.index()),
                    body.code_offset);
      // A local of a non-null reference type holds no value until it is set (local_set_).
      if (!g.type.defaultable()) {
        local_set_.resize(end, 1);
        local_set_.resize(end + g.count, 0);
      }
      end += g.count;
      local_ends_.push_back(end);
      local_types_.push_back(g.type);
    }
    local_set_.resize(end, 1);
    return true;
  }
  // local.set and local.tee initialize a non-defaultable local until the end of the block.
  void mark_set(uint32_t index) {
    if (local_set_[index]) return;
    local_set_[index] = 1;
    inits_.push_back(index);
  }
  void reset_inits(uint32_t height) {
    while (inits_.size() > height) {
      local_set_[inits_.back()] = 0;
      inits_.pop_back();
    }
  }
  // A type index in a value type must name a type of the module.
  bool check_type(ValType t, const Instruction& in) {
    if (t.has_index() && t.index() >= m_.types.size()) return unknown("type", t.index(), in);
    return true;
  }
  bool local_type(uint32_t index, const Instruction& in, ValType& out) {
    if (index < params_.size()) {
      out = params_[index];
      return true;
    }
    auto it = std::upper_bound(local_ends_.begin(), local_ends_.end(), uint64_t(index));
    if (it == local_ends_.end()) return unknown("local", index, in);
    out = local_types_[size_t(it - local_ends_.begin())];
    return true;
  }

  // ---- memories, tables, segments ---------------------------------------------------------

  // Address type of memory `index` (i64 for memory64 memories).
  bool memory(uint32_t index, const Instruction& in, ValType& addr) {
    if (index >= m_.memories.size()) return unknown("memory", index, in);
    addr = m_.memories[index].is64 ? ValType::I64 : ValType::I32;
    return true;
  }
  bool table(uint32_t index, const Instruction& in, ValType& element) {
    if (index >= m_.tables.size()) return unknown("table", index, in);
    element = m_.tables[index].element;
    return true;
  }
  // Index type of table `index`, a known table (i64 for table64 tables).
  ValType table_addr(uint32_t index) const {
    return m_.tables[index].is64 ? ValType::I64 : ValType::I32;
  }
  // memory.init and data.drop need the data count section: without it the binary is malformed
  // (binary.wast). A module with no data segments at all is the exception: wast2json writes
  // neither section for text modules that name a missing segment, and memory_init.wast expects
  // "unknown data segment" (invalid) for them, so such a module has zero segments.
  bool needs_data_count(const Instruction& in) {
    if (m_.data_count || m_.data.empty()) return true;
    return fail(ErrorKind::Decode, "data count section required", in.offset);
  }
  bool data_segment(uint32_t index, const Instruction& in) {
    if (index >= m_.data_count.value_or(0)) return unknown("data segment", index, in);
    return true;
  }
  bool elem_segment(uint32_t index, const Instruction& in) {
    if (index >= m_.elements.size()) return unknown("elem segment", index, in);
    return true;
  }
  bool memarg(const Instruction& in, ValType& addr) {
    if (!memory(in.mem.memory, in, addr)) return false;
    uint32_t natural = in.info().extra;
    if (in.mem.align_log2 >= 32 || (uint64_t(1) << in.mem.align_log2) > natural)
      return invalid("alignment must not be larger than natural: " + std::to_string(natural) +
                         " byte(s) accessed",
                     in);
    if (addr == ValType::I32 && in.mem.offset > 0xFFFFFFFFull)
      return invalid("offset out of range", in);
    return true;
  }
  bool lane(uint32_t lane, uint32_t count, const Instruction& in) {
    if (lane < count) return true;
    return invalid("invalid lane index: " + std::to_string(lane) + " (lanes: " +
                       std::to_string(count) + ")",
                   in);
  }

  // ---- instructions ----------------------------------------------------------------------

  // Type-checks one instruction. Returns false with error_ set.
  bool step(const Instruction& in) {
    const OpInfo& info = in.info();
    if (!info.special()) return step_generic(in, info);
    switch (in.op) {
      case Op::Unreachable: set_unreachable(); return true;
      case Op::Block:
      case Op::Loop:
      case Op::Try: {
        std::span<const ValType> params, results;
        if (!block_signature(in, params, results) || !pop(params, in)) return false;
        push_frame(in.op, params, results);
        return true;
      }
      case Op::If: {
        std::span<const ValType> params, results;
        if (!block_signature(in, params, results) || !pop(ValType::I32, in) || !pop(params, in))
          return false;
        push_frame(Op::If, params, results);
        return true;
      }
      case Op::Else: {
        if (ctrls_.back().kind != Op::If)
          return fail(ErrorKind::Decode, "END opcode expected: else without if", in.offset);
        if (!check_frame_end(in)) return false;
        Frame& f = ctrls_.back();
        reset_inits(f.inits);
        f.kind = Op::Else;
        f.unreachable = false;
        push(f.params);
        return true;
      }
      case Op::TryTable: return step_try_table(in);
      case Op::Catch:
      case Op::CatchAll: return step_catch(in);
      case Op::Delegate: return step_delegate(in);
      case Op::Throw: {
        std::span<const ValType> params;
        if (!tag_params(in.index, in, params) || !pop(params, in)) return false;
        set_unreachable();
        return true;
      }
      case Op::ThrowRef:
        if (!pop(ValType::ExnRef, in)) return false;
        set_unreachable();
        return true;
      case Op::Rethrow: {
        if (in.index >= ctrls_.size()) return unknown("label", in.index, in);
        Op kind = ctrls_[ctrls_.size() - 1 - in.index].kind;
        if (kind != Op::Catch && kind != Op::CatchAll)
          return invalid("invalid rethrow label: label " + std::to_string(in.index) +
                             " is not a catch block",
                         in);
        set_unreachable();
        return true;
      }
      case Op::End: {
        if (!check_frame_end(in)) return false;
        Frame f = ctrls_.back();
        // An if without else passes its parameters through as its results.
        if (f.kind == Op::If && !subtypes(f.params, f.results))
          return invalid("type mismatch: if without else must have matching parameter and "
                         "result types",
                         in);
        reset_inits(f.inits);
        ctrls_.pop_back();
        push(f.results);
        return true;
      }
      case Op::Br: {
        std::span<const ValType> types;
        if (!label_types(in.index, in, types) || !pop(types, in)) return false;
        set_unreachable();
        return true;
      }
      case Op::BrIf: {
        std::span<const ValType> types;
        if (!label_types(in.index, in, types) || !pop(ValType::I32, in) || !pop(types, in))
          return false;
        push(types);
        return true;
      }
      case Op::BrTable: return step_br_table(in);
      case Op::Return:
        if (!pop(results_, in)) return false;
        set_unreachable();
        return true;
      case Op::Call:
      case Op::ReturnCall: {
        if (in.index >= m_.func_types.size()) return unknown("function", in.index, in);
        return step_call(m_.func_type(in.index), in);
      }
      case Op::CallIndirect:
      case Op::ReturnCallIndirect: {
        ValType element = kUnknownType;
        if (!table(in.index2, in, element)) return false;
        if (!m_.subtype(element, ValType::FuncRef))
          return invalid(std::string("type mismatch: ") + info.text + " needs a funcref table", in);
        if (in.index >= m_.types.size()) return unknown("type", in.index, in);
        if (!pop(table_addr(in.index2), in)) return false;
        return step_call(m_.types[in.index], in);
      }
      case Op::Drop: {
        ValType t = kUnknownType;
        return pop_any(t, in);
      }
      case Op::Select: return step_select(in);
      case Op::SelectT:
        if (in.select_type_count != 1)
          return invalid("invalid result arity: typed select needs exactly one type", in);
        if (!check_type(in.type, in)) return false;
        if (!pop(ValType::I32, in) || !pop(in.type, in) || !pop(in.type, in)) return false;
        push(in.type);
        return true;
      case Op::LocalGet:
      case Op::LocalSet:
      case Op::LocalTee: {
        ValType t = kUnknownType;
        if (!local_type(in.index, in, t)) return false;
        if (in.op == Op::LocalGet && !local_set_[in.index])
          return invalid("uninitialized local: local " + std::to_string(in.index) +
                             " of a non-nullable type is read before it is set",
                         in);
        if (in.op != Op::LocalGet && !pop(t, in)) return false;
        if (in.op != Op::LocalGet) mark_set(in.index);
        if (in.op != Op::LocalSet) push(t);
        return true;
      }
      case Op::GlobalGet:
      case Op::GlobalSet: {
        if (in.index >= m_.globals.size()) return unknown("global", in.index, in);
        const GlobalType& g = m_.globals[in.index];
        if (in.op == Op::GlobalGet) {
          push(g.type);
          return true;
        }
        if (!g.mutable_)
          return invalid("global is immutable: global " + std::to_string(in.index), in);
        return pop(g.type, in);
      }
      case Op::TableGet:
      case Op::TableSet:
      case Op::TableGrow:
      case Op::TableFill: return step_table(in);
      case Op::RefNull:
        if (!check_type(in.type, in)) return false;
        push(in.type);
        return true;
      case Op::RefIsNull: {
        ValType t = kUnknownType;
        if (!pop_ref(t, in)) return false;
        push(ValType::I32);
        return true;
      }
      case Op::I64Add128:
      case Op::I64Sub128:
      case Op::I64MulWideS:
      case Op::I64MulWideU: return step_wide_arithmetic(in);
      case Op::RefFunc:
        if (in.index >= m_.func_types.size()) return unknown("function", in.index, in);
        if (!declared_refs_[in.index])
          return invalid("undeclared function reference: function " + std::to_string(in.index) +
                             " is not named by an element segment, export or global",
                         in);
        push(ValType::ref_index(m_.func_types[in.index], false));  // (ref $t)
        return true;
      case Op::RefAsNonNull: {
        ValType t = kUnknownType;
        if (!pop_ref(t, in)) return false;
        push(t.is_unknown() ? t : t.as_nullable(false));
        return true;
      }
      case Op::BrOnNull: return step_br_on_null(in);
      case Op::BrOnNonNull: return step_br_on_non_null(in);
      case Op::CallRef:
      case Op::ReturnCallRef:
        if (in.index >= m_.types.size()) return unknown("type", in.index, in);
        if (!pop(ValType::ref_index(in.index, true), in)) return false;
        return step_call(m_.types[in.index], in);
      default: break;
    }
    if (info.prefix == 0xFB || in.op == Op::RefEq) return step_gc(in);
    // Decoded (its feature is on) but not validated yet: the module may be valid; we cannot
    // run it. Without the location, so that the reason is the same for every such module.
    error_ = Error(ErrorKind::Unsupported, std::string("instruction ") + info.text + " not implemented");
    return false;
  }

  // Opcodes described fully by the table: check the immediates, then pop P2, P1, P0 and push R.
  bool step_generic(const Instruction& in, const OpInfo& info) {
    ValType p[3] = {slot_type(info.params[0]), slot_type(info.params[1]),
                    slot_type(info.params[2])};
    ValType r = slot_type(info.result);
    ValType addr = ValType::I32;
    switch (info.imm) {
      case Imm::MemArg:
        if (!memarg(in, addr)) return false;
        p[0] = addr;
        break;
      case Imm::MemArgLane:
        if (!memarg(in, addr) || !lane(in.lane, 16 / info.extra, in)) return false;
        p[0] = addr;
        break;
      case Imm::Lane:
        if (!lane(in.lane, info.extra, in)) return false;
        break;
      case Imm::Shuffle:
        for (uint8_t l : in.v128)
          if (!lane(l, 32, in)) return false;
        break;
      case Imm::Memory:  // memory.size, memory.grow, memory.fill
        if (!memory(in.index, in, addr)) return false;
        if (in.op == Op::MemorySize) r = addr;
        if (in.op == Op::MemoryGrow) p[0] = r = addr;
        if (in.op == Op::MemoryFill) p[0] = p[2] = addr;
        break;
      case Imm::MemoryInit:
        if (!needs_data_count(in) || !memory(in.index2, in, addr) || !data_segment(in.index, in))
          return false;
        p[0] = addr;
        break;
      case Imm::Data:
        if (!needs_data_count(in) || !data_segment(in.index, in)) return false;
        break;
      case Imm::MemoryCopy: {
        ValType src = kUnknownType;
        if (!memory(in.index, in, addr) || !memory(in.index2, in, src)) return false;
        p[0] = addr;
        p[1] = src;
        p[2] = addr == ValType::I64 && src == ValType::I64 ? ValType::I64 : ValType::I32;
        break;
      }
      case Imm::TableInit: {
        ValType element = kUnknownType;
        if (!table(in.index2, in, element) || !elem_segment(in.index, in)) return false;
        if (!m_.subtype(m_.elements[in.index].type, element))
          return invalid(std::string("type mismatch: table.init of ") +
                             valtype_name(m_.elements[in.index].type) + " segment into " +
                             valtype_name(element) + " table",
                         in);
        p[0] = table_addr(in.index2);  // the source offset and length are i32: segment indices
        break;
      }
      case Imm::Elem:
        if (!elem_segment(in.index, in)) return false;
        break;
      case Imm::TableCopy: {
        ValType dst = kUnknownType, src = kUnknownType;
        if (!table(in.index, in, dst) || !table(in.index2, in, src)) return false;
        if (!m_.subtype(src, dst))
          return invalid(std::string("type mismatch: table.copy from ") + valtype_name(src) +
                             " table to " + valtype_name(dst) + " table",
                         in);
        // Each index has its table's type; the length fits both (i64 only if both are i64).
        p[0] = table_addr(in.index);
        p[1] = table_addr(in.index2);
        p[2] = p[0] == ValType::I64 && p[1] == ValType::I64 ? ValType::I64 : ValType::I32;
        break;
      }
      case Imm::Table: {  // table.size
        ValType element = kUnknownType;
        if (!table(in.index, in, element)) return false;
        r = table_addr(in.index);
        break;
      }
      default: break;
    }
    for (int i = 2; i >= 0; --i)
      if (info.params[i] != Slot::None && !pop(p[i], in)) return false;
    if (info.result != Slot::None) push(r);
    return true;
  }

  bool step_br_table(const Instruction& in) {
    std::span<const ValType> defaults;
    if (!pop(ValType::I32, in) || !label_types(in.index, in, defaults)) return false;
    for (uint32_t depth : *in.targets) {
      std::span<const ValType> types;
      if (!label_types(depth, in, types)) return false;
      if (types.size() != defaults.size())
        return invalid("type mismatch: br_table labels have different arities (" +
                           std::to_string(types.size()) + " and " +
                           std::to_string(defaults.size()) + ")",
                       in);
      if (!peek(types, in)) return false;
    }
    if (!pop(defaults, in)) return false;
    set_unreachable();
    return true;
  }

  // Each of `from` is a subtype of the one at its place in `to` (same lengths).
  bool subtypes(std::span<const ValType> from, std::span<const ValType> to) const {
    if (from.size() != to.size()) return false;
    for (size_t i = 0; i < from.size(); ++i)
      if (!m_.subtype(from[i], to[i])) return false;
    return true;
  }

  // br_on_null l: [t* (ref null ht)] -> [t* (ref ht)], branching with t* on null.
  bool step_br_on_null(const Instruction& in) {
    std::span<const ValType> types;
    ValType t = kUnknownType;
    if (!pop_ref(t, in) || !label_types(in.index, in, types) || !pop(types, in)) return false;
    push(types);
    push(t.is_unknown() ? t : t.as_nullable(false));
    return true;
  }

  // br_on_non_null l: [t* (ref null ht)] -> [t*], branching with t* (ref ht) when not null;
  // the label's last type must take (ref ht).
  bool step_br_on_non_null(const Instruction& in) {
    std::span<const ValType> types;
    ValType t = kUnknownType;
    if (!label_types(in.index, in, types)) return false;
    if (types.empty() || !types.back().is_ref())
      return invalid(std::string("type mismatch: br_on_non_null needs a label whose last type "
                                 "is a reference, label ") + std::to_string(in.index) + " has [" +
                         type_list(types) + "]",
                     in);
    if (!pop_ref(t, in)) return false;
    if (!t.is_unknown() && !m_.subtype(t.as_nullable(false), types.back()))
      return mismatch(types.back(), t.as_nullable(false), in);
    std::span<const ValType> rest = types.first(types.size() - 1);
    if (!pop(rest, in)) return false;
    push(rest);
    return true;
  }

  static std::string type_list(std::span<const ValType> ts) {
    std::string s;
    for (ValType t : ts) (s += s.empty() ? "" : " ") += valtype_name(t);
    return s;
  }

  bool step_call(const FuncType& callee, const Instruction& in) {
    bool tail = in.op == Op::ReturnCall || in.op == Op::ReturnCallIndirect || in.op == Op::ReturnCallRef;
    if (tail && !subtypes(callee.results, results_))
      return invalid(std::string("type mismatch: ") + in.info().text +
                         " callee results differ from the caller's",
                     in);
    if (!pop(callee.params, in)) return false;
    if (tail) set_unreachable();
    else push(callee.results);
    return true;
  }

  // Wide arithmetic: a 128-bit value is two i64 (low half deeper). add128 and sub128 take two
  // such values, mul_wide_s/u two i64; each gives one 128-bit value.
  bool step_wide_arithmetic(const Instruction& in) {
    const int operands = in.op == Op::I64Add128 || in.op == Op::I64Sub128 ? 4 : 2;
    for (int k = 0; k < operands; ++k)
      if (!pop(ValType::I64, in)) return false;
    push(ValType::I64);
    push(ValType::I64);
    return true;
  }

  // Untyped select works only on numeric and vector operands of one type.
  bool step_select(const Instruction& in) {
    ValType a = kUnknownType, b = kUnknownType;
    if (!pop(ValType::I32, in) || !pop_any(a, in) || !pop_any(b, in)) return false;
    if (is_reftype(a) || is_reftype(b))
      return invalid(std::string("type mismatch: select without a type needs numeric or "
                                 "vector operands, found ") +
                         stack_type_name(is_reftype(a) ? a : b),
                     in);
    if (a != b && a != kUnknownType && b != kUnknownType) return mismatch(b, a, in);
    push(a == kUnknownType ? b : a);
    return true;
  }

  // Indices, sizes and lengths have the table's index type (i64 for table64).
  bool step_table(const Instruction& in) {
    ValType element = kUnknownType;
    if (!table(in.index, in, element)) return false;
    const ValType addr = table_addr(in.index);
    switch (in.op) {
      case Op::TableGet:
        if (!pop(addr, in)) return false;
        push(element);
        return true;
      case Op::TableSet: return pop(element, in) && pop(addr, in);
      case Op::TableGrow:
        if (!pop(addr, in) || !pop(element, in)) return false;
        push(addr);
        return true;
      default:  // table.fill
        return pop(addr, in) && pop(element, in) && pop(addr, in);
    }
  }

  // ---- GC (validator_gc.hpp) -------------------------------------------------------------

  bool step_gc(const Instruction& in);
  bool step_br_on_cast(const Instruction& in);
  bool gc_heap_type(int64_t v, bool nullable, const Instruction& in, ValType& out);
  bool gc_struct(uint32_t index, const Instruction& in, const TypeDef*& out);
  bool gc_array(uint32_t index, const Instruction& in, const TypeDef*& out);
  bool gc_packing(const FieldType& f, const Instruction& in);
  bool gc_mutable(const FieldType& f, const char* what, const Instruction& in);
  bool gc_numeric(const FieldType& e, const Instruction& in);
  bool gc_elem_fits(uint32_t segment, const FieldType& e, const Instruction& in);
  bool gc_pop(std::initializer_list<ValType> ts, const Instruction& in);

  // ---- exceptions ------------------------------------------------------------------------

  bool tag_params(uint32_t index, const Instruction& in, std::span<const ValType>& params) {
    if (index >= m_.tag_types.size()) return unknown("tag", index, in);
    params = m_.types[m_.tag_types[index]].params;  // the module validator checked the index
    return true;
  }

  // try_table: each catch clause branches to a label of the enclosing frames with the tag's
  // values (catch), plus the exnref (catch_ref), nothing (catch_all) or the exnref alone.
  bool step_try_table(const Instruction& in) {
    std::span<const ValType> params, results;
    if (!block_signature(in, params, results)) return false;
    for (const Instruction::Catch& c : *in.catches) {
      std::span<const ValType> label;
      if (!label_types(c.label, in, label)) return false;
      std::vector<ValType>& want = catch_types_;
      want.clear();
      if (c.kind < 2) {
        std::span<const ValType> tag;
        if (!tag_params(c.tag, in, tag)) return false;
        want.assign(tag.begin(), tag.end());
      }
      if (c.kind == 1 || c.kind == 3) want.push_back(ValType::ref(ValType::Heap::Exn, false));  // (ref exn)
      if (!subtypes(want, label))
        return invalid("type mismatch: catch clause values do not match label " +
                           std::to_string(c.label),
                       in);
    }
    if (!pop(params, in)) return false;
    push_frame(Op::TryTable, params, results);
    return true;
  }

  // Legacy catch / catch_all: ends the try (or previous catch) body and starts a handler.
  bool step_catch(const Instruction& in) {
    Op kind = ctrls_.back().kind;
    if (kind != Op::Try && kind != Op::Catch)
      return invalid(std::string(in.info().text) + " without try", in);
    std::span<const ValType> tag;
    if (in.op == Op::Catch && !tag_params(in.index, in, tag)) return false;
    if (!check_frame_end(in)) return false;
    Frame& f = ctrls_.back();
    reset_inits(f.inits);  // a handler starts like an else: what the try body set is unset
    f.kind = in.op;
    f.unreachable = false;
    push(tag);
    return true;
  }

  // Legacy delegate: ends a try body; its exceptions go to the handler of label `index`
  // counted from outside the try.
  bool step_delegate(const Instruction& in) {
    if (ctrls_.back().kind != Op::Try) return invalid("delegate without try", in);
    if (in.index >= ctrls_.size() - 1) return unknown("label", in.index, in);
    if (!check_frame_end(in)) return false;
    Frame f = ctrls_.back();
    ctrls_.pop_back();
    push(f.results);
    return true;
  }

  // ---- decode-only mode ------------------------------------------------------------------

  void frames_to_kinds() {
    kinds_.clear();
    for (const Frame& f : ctrls_) kinds_.push_back(f.kind == Op::If ? kIf : kPlain);
  }

  // The structural effect of one instruction: frames opened and closed, else placement, and
  // the data count rule, which the binary format checks while decoding.
  std::optional<Error> apply_structure(const Instruction& in) {
    switch (in.op) {
      case Op::Block:
      case Op::Loop:
      case Op::Try:
      case Op::TryTable: kinds_.push_back(kPlain); break;
      case Op::If: kinds_.push_back(kIf); break;
      case Op::Else:
        if (kinds_.back() != kIf) {
          fail(ErrorKind::Decode, "END opcode expected: else without if", in.offset);
          return error_;
        }
        kinds_.back() = kPlain;
        break;
      case Op::End:
      case Op::Delegate: kinds_.pop_back(); break;  // delegate ends its try as `end` does
      case Op::MemoryInit:
      case Op::DataDrop:
        if (!needs_data_count(in)) return error_;
        break;
      default: break;
    }
    return std::nullopt;
  }

  // Decodes to the final `end` of the body, then checks that nothing follows it.
  std::optional<Error> decode_structure(Reader& r, InstructionReader& ir, const FunctionBody& body) {
    Instruction in;
    while (!kinds_.empty()) {
      if (r.at_end()) return overrun(body);
      if (!ir.next(in)) return decode_error(r);
      if (auto e = apply_structure(in)) return e;
    }
    return trailing_bytes(r);
  }

  // The body ran out before its final `end`. The spec interpreter reads on past the body's
  // size and reports what it meets there; do the same so that messages agree.
  std::optional<Error> overrun(const FunctionBody& body) {
    size_t end = size_t(body.offset) + body.size;
    Reader r(std::span<const uint8_t>(m_.bytes).subspan(end), end);
    InstructionReader ir(r, features_);
    Instruction in;
    while (!kinds_.empty()) {
      if (!ir.next(in)) return decode_error(r);
      if (auto e = apply_structure(in)) return e;
    }
    fail(ErrorKind::Decode, "section size mismatch: function body has no final end",
         r.offset());
    return error_;
  }

  std::optional<Error> trailing_bytes(const Reader& r) {
    if (r.at_end()) return std::nullopt;
    fail(ErrorKind::Decode, "section size mismatch: bytes after the final end of the body",
         r.offset());
    return error_;
  }

  const ModuleInfo& m_;
  const Features& features_;
  const std::vector<uint8_t>& declared_refs_;

  uint32_t func_ = 0;
  std::optional<Error> error_;
  std::span<const ValType> params_;
  std::span<const ValType> results_;
  std::vector<uint64_t> local_ends_;  // end index (exclusive) of each declared local group
  std::vector<ValType> local_types_;
  std::vector<ValType> vals_;
  std::vector<Frame> ctrls_;
  std::vector<uint8_t> kinds_;
  std::vector<ValType> catch_types_;  // step_try_table's scratch
  std::deque<ValType> block_values_;  // the result of each block with a value type (spans point here)
  std::vector<uint8_t> local_set_;    // per local: holds a value (0 only for unset non-null locals)
  std::vector<uint32_t> inits_;       // locals set so far in the open blocks, innermost last
};

}  // namespace wasm::detail

#include "wasm/detail/binary/validator_gc.hpp"
