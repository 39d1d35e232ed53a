#pragma once
// Builds WebAssembly module binaries for unit tests.
//
//   using namespace wasm::test;
//   ModuleBuilder b;
//   uint32_t t = b.type({ValType::I32}, {ValType::I32});
//   b.func(t, cat({op(Op::LocalGet), uleb(0), op(Op::End)}));
//   Bytes wasm = b.build();
//
// Every add method takes the encoding of one entry as bytes (instructions, limits, segments)
// and returns the entry's index in its index space; build() writes the sections in the order
// the binary format requires, each with its count and size. Nothing is checked: tests may build
// malformed or invalid modules on purpose. Code and constant expressions are passed complete,
// including their final `end`, so that tests can leave it out.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "wasm/detail/binary/opcodes.hpp"
#include "wasm/types.hpp"

namespace wasm::test {

using Bytes = std::vector<uint8_t>;

// ---- encoding helpers --------------------------------------------------------------------

// Unsigned LEB128.
inline Bytes uleb(uint64_t v) {
  Bytes out;
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    out.push_back(uint8_t(byte | (v ? 0x80 : 0)));
  } while (v);
  return out;
}

// Signed LEB128.
inline Bytes sleb(int64_t v) {
  Bytes out;
  for (;;) {
    uint8_t byte = v & 0x7F;
    v >>= 7;  // arithmetic shift
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    out.push_back(uint8_t(byte | (done ? 0 : 0x80)));
    if (done) return out;
  }
}

// Concatenation: cat({op(Op::I32Const), sleb(1), op(Op::End)}).
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A length-prefixed name.
inline Bytes name(std::string_view s) {
  Bytes out = uleb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

inline Bytes byte(ValType t) { return {uint8_t(t.kind())}; }

// An opcode's bytes (prefix and LEB128 code), from the opcode table.
inline Bytes op(detail::Op o) {
  const detail::OpInfo& info = detail::op_info(o);
  if (info.prefix == 0) return {uint8_t(info.code)};
  return cat({{info.prefix}, uleb(info.code)});
}

// Common instructions with their immediates.
inline Bytes i32_const(int32_t v) { return cat({op(detail::Op::I32Const), sleb(v)}); }
inline Bytes i64_const(int64_t v) { return cat({op(detail::Op::I64Const), sleb(v)}); }
inline Bytes end() { return op(detail::Op::End); }
// A memarg: alignment (log2) and offset.
inline Bytes memarg(uint32_t align_log2, uint32_t offset = 0) {
  return cat({uleb(align_log2), uleb(offset)});
}

// Limits: min only, or min and max.
inline Bytes limits(uint64_t min) { return cat({{0x00}, uleb(min)}); }
inline Bytes limits(uint64_t min, uint64_t max) { return cat({{0x01}, uleb(min), uleb(max)}); }

// ---- the builder -------------------------------------------------------------------------

class ModuleBuilder {
 public:
  uint32_t type(std::vector<ValType> params, std::vector<ValType> results) {
    Bytes t = {0x60};
    append(t, vec_of(params));
    append(t, vec_of(results));
    return add(types_, std::move(t));
  }

  uint32_t import_func(std::string_view module, std::string_view field, uint32_t type_index) {
    imports_.push_back(cat({name(module), name(field), {0x00}, uleb(type_index)}));
    return num_funcs_++;
  }
  uint32_t import_table(std::string_view module, std::string_view field, ValType element,
                        Bytes lim) {
    imports_.push_back(cat({name(module), name(field), {0x01}, byte(element), lim}));
    return num_tables_++;
  }
  uint32_t import_memory(std::string_view module, std::string_view field, Bytes lim) {
    imports_.push_back(cat({name(module), name(field), {0x02}, lim}));
    return num_memories_++;
  }
  uint32_t import_global(std::string_view module, std::string_view field, ValType type,
                         bool mutable_) {
    imports_.push_back(cat({name(module), name(field), {0x03}, byte(type), {uint8_t(mutable_)}}));
    return num_globals_++;
  }

  // A defined function: its type, its code (instructions ending with `end`) and its local
  // groups as (count, type) pairs. Adds an entry to both the function and the code section.
  uint32_t func(uint32_t type_index, Bytes code,
                std::vector<std::pair<uint32_t, ValType>> locals = {}) {
    funcs_.push_back(uleb(type_index));
    Bytes body = uleb(locals.size());
    for (auto [count, t] : locals) append(body, cat({uleb(count), byte(t)}));
    code_prefix_sizes_.push_back(uint32_t(body.size()));
    append(body, code);
    codes_.push_back(std::move(body));
    return num_funcs_++;
  }
  // A function section entry without a body, or a body without an entry (malformed modules).
  void func_decl_only(uint32_t type_index) { funcs_.push_back(uleb(type_index)); }

  uint32_t table(ValType element, Bytes lim) {
    tables_.push_back(cat({byte(element), lim}));
    return num_tables_++;
  }
  uint32_t memory(Bytes lim) {
    memories_.push_back(std::move(lim));
    return num_memories_++;
  }
  // `init` is a constant expression ending with `end`.
  uint32_t global(ValType type, bool mutable_, Bytes init) {
    globals_.push_back(cat({byte(type), {uint8_t(mutable_)}, init}));
    return num_globals_++;
  }
  void export_(std::string_view field, ExternKind kind, uint32_t index) {
    exports_.push_back(cat({name(field), {uint8_t(kind)}, uleb(index)}));
  }
  void start(uint32_t func_index) { start_ = func_index; }

  // Segments are passed fully encoded (flags, table/memory, offset expression, items).
  uint32_t elem(Bytes segment) { return add(elems_, std::move(segment)); }
  uint32_t data(Bytes segment) { return add(datas_, std::move(segment)); }
  // Active segments of the simplest encodings (flags 0): offset i32.const, then the items.
  uint32_t elem_active(int32_t offset, std::vector<uint32_t> funcs) {
    Bytes seg = cat({{0x00}, i32_const(offset), end(), uleb(funcs.size())});
    for (uint32_t f : funcs) append(seg, uleb(f));
    return elem(std::move(seg));
  }
  uint32_t data_active(int32_t offset, Bytes contents) {
    return data(cat({{0x00}, i32_const(offset), end(), uleb(contents.size()), contents}));
  }
  void data_count(uint32_t n) { data_count_ = n; }

  Bytes build() {
    Bytes out = {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
    section(out, 1, types_);
    section(out, 2, imports_);
    section(out, 3, funcs_);
    section(out, 4, tables_);
    section(out, 5, memories_);
    section(out, 6, globals_);
    section(out, 7, exports_);
    if (start_) raw_section(out, 8, uleb(*start_));
    section(out, 9, elems_);
    if (data_count_) raw_section(out, 12, uleb(*data_count_));
    // Code entries are size-prefixed; remember where each body's instructions begin.
    code_offsets_.clear();
    if (!codes_.empty()) {
      Bytes payload = uleb(codes_.size());
      std::vector<size_t> starts;
      for (size_t i = 0; i < codes_.size(); ++i) {
        append(payload, uleb(codes_[i].size()));
        starts.push_back(payload.size() + code_prefix_sizes_[i]);
        append(payload, codes_[i]);
      }
      size_t base = out.size() + 1 + uleb(payload.size()).size();
      for (size_t s : starts) code_offsets_.push_back(uint32_t(base + s));
      raw_section(out, 10, payload);
    }
    section(out, 11, datas_);
    return out;
  }

  // Module offset of the first instruction of defined function i (after build()).
  uint32_t code_offset(size_t defined_index) const { return code_offsets_.at(defined_index); }

 private:
  static void append(Bytes& to, const Bytes& from) { to.insert(to.end(), from.begin(), from.end()); }
  static Bytes vec_of(const std::vector<ValType>& ts) {
    Bytes out = uleb(ts.size());
    for (ValType t : ts) out.push_back(uint8_t(t.kind()));
    return out;
  }
  static uint32_t add(std::vector<Bytes>& list, Bytes entry) {
    list.push_back(std::move(entry));
    return uint32_t(list.size() - 1);
  }
  static void raw_section(Bytes& out, uint8_t id, const Bytes& payload) {
    out.push_back(id);
    append(out, uleb(payload.size()));
    append(out, payload);
  }
  static void section(Bytes& out, uint8_t id, const std::vector<Bytes>& entries) {
    if (entries.empty()) return;
    Bytes payload = uleb(entries.size());
    for (const Bytes& e : entries) append(payload, e);
    raw_section(out, id, payload);
  }

  std::vector<Bytes> types_, imports_, funcs_, tables_, memories_, globals_, exports_, elems_,
      datas_, codes_;
  std::vector<uint32_t> code_prefix_sizes_;  // bytes of each body before its instructions
  std::vector<uint32_t> code_offsets_;
  std::optional<uint32_t> start_;
  std::optional<uint32_t> data_count_;
  uint32_t num_funcs_ = 0, num_tables_ = 0, num_memories_ = 0, num_globals_ = 0;
};

}  // namespace wasm::test
