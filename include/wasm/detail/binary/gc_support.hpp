#pragma once
// What of WebAssembly GC a valid module may use today (GC phase 1: types and validation).
// The runtime has no GC heap yet, so a module that would create, hold or inspect a GC reference
// (the any hierarchy: any, eq, i31, struct, array, none and the struct and array types) is
// refused with ErrorKind::Unsupported after validation; so is a module that would need a
// subtype check at run time that the compilers and the linker do not make yet (they compare
// type ids for equality, which is exact only for final types). Everything else runs: recursion
// groups, declared subtypes of function types, call_ref and call_indirect of final types.
// Remove a rule here when the runtime learns what it refuses.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "wasm/detail/binary/instruction.hpp"
#include "wasm/detail/binary/module_info.hpp"
#include "wasm/detail/binary/reader.hpp"
#include "wasm/detail/binary/type_defs.hpp"
#include "wasm/features.hpp"

namespace wasm::detail {

namespace gc_support {

inline constexpr const char* kGcInstructions = "GC instructions are not compiled yet";
inline constexpr const char* kGcReferences = "GC references (any, eq, i31, struct, array) are not compiled yet";
inline constexpr const char* kNonFinalImport =
    "importing an entity whose type names a non-final defined type needs link-time subtyping, "
    "which is not implemented yet";

inline bool gc_ref(const ModuleInfo& m, ValType t) { return is_gc_ref(t, m.type_defs); }

inline bool func_type_needs_gc(const ModuleInfo& m, uint32_t type_index) {
  if (type_index >= m.types.size()) return false;
  for (const auto* list : {&m.types[type_index].params, &m.types[type_index].results})
    for (ValType t : *list)
      if (gc_ref(m, t)) return true;
  return false;
}

inline bool non_final(const ModuleInfo& m, uint32_t type_index) {
  return type_index < m.type_defs.size() && !m.type_defs[type_index].final;
}
inline bool names_non_final(const ModuleInfo& m, ValType t) { return t.has_index() && non_final(m, t.index()); }

// The first instruction of `code` that needs what the runtime lacks.
inline const char* code_gap(const ModuleInfo& m, const Features& f, std::span<const uint8_t> code, size_t offset) {
  Reader r(code, offset);
  InstructionReader ir(r, f);
  Instruction in;
  while (!r.at_end() && ir.next(in)) {
    const OpInfo& info = in.info();
    if (info.prefix == 0xFB || in.op == Op::RefEq) return kGcInstructions;
    switch (in.op) {
      case Op::RefNull:
      case Op::SelectT:
        if (gc_ref(m, in.type)) return kGcReferences;
        break;
      case Op::Block:
      case Op::Loop:
      case Op::If:
      case Op::Try:
      case Op::TryTable:
        if (in.block.kind == BlockType::Kind::Value && gc_ref(m, in.block.value)) return kGcReferences;
        if (in.block.kind == BlockType::Kind::TypeIndex && func_type_needs_gc(m, in.block.type_index))
          return kGcReferences;
        break;
      case Op::CallIndirect:
      case Op::ReturnCallIndirect:
      case Op::CallRef:
      case Op::ReturnCallRef:
        if (func_type_needs_gc(m, in.index)) return kGcReferences;
        break;
      default: break;
    }
  }
  return nullptr;
}

}  // namespace gc_support

// Why a valid module cannot run yet, or nothing. Checked only with Features::gc (without it no
// module can name a GC type or instruction).
inline std::optional<std::string> gc_runtime_gap(const ModuleInfo& m, const Features& f) {
  using namespace gc_support;
  if (!f.gc) return std::nullopt;
  auto gap = [](const char* why) { return std::optional<std::string>(why); };
  for (const Import& imp : m.imports) {
    switch (imp.kind) {
      case ExternKind::Tag:
        if (non_final(m, imp.type_index)) return gap(kNonFinalImport);
        break;
      case ExternKind::Table:
        if (names_non_final(m, imp.table.element)) return gap(kNonFinalImport);
        break;
      case ExternKind::Global:
        if (names_non_final(m, imp.global.type)) return gap(kNonFinalImport);
        break;
      default: break;
    }
  }
  for (uint32_t t : m.func_types)
    if (func_type_needs_gc(m, t)) return gap(kGcReferences);
  for (uint32_t t : m.tag_types)
    if (func_type_needs_gc(m, t)) return gap(kGcReferences);
  for (const GlobalType& g : m.globals)
    if (gc_ref(m, g.type)) return gap(kGcReferences);
  for (const TableType& t : m.tables)
    if (gc_ref(m, t.element)) return gap(kGcReferences);
  for (const ElemSegment& e : m.elements)
    if (gc_ref(m, e.type)) return gap(kGcReferences);
  for (const FunctionBody& b : m.bodies)
    for (const LocalGroup& g : b.locals)
      if (gc_ref(m, g.type)) return gap(kGcReferences);
  auto expr_gap = [&](const ConstExpr& e) -> const char* {
    for (const Instruction& in : e.code) {
      if (in.info().prefix == 0xFB) return kGcInstructions;
      if (in.op == Op::RefNull && gc_ref(m, in.type)) return kGcReferences;
    }
    return nullptr;
  };
  for (const ConstExpr& e : m.global_inits)
    if (const char* why = expr_gap(e)) return gap(why);
  for (const auto& e : m.table_inits)
    if (e)
      if (const char* why = expr_gap(*e)) return gap(why);
  for (const ElemSegment& s : m.elements)
    for (const ConstExpr& e : s.exprs)
      if (const char* why = expr_gap(e)) return gap(why);
  for (const FunctionBody& b : m.bodies)
    if (const char* why = code_gap(m, f, m.body_code(b), b.code_offset)) return gap(why);
  return std::nullopt;
}

}  // namespace wasm::detail
