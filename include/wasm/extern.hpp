#pragma once
// Extern: anything a module can import or export.
#include <variant>

#include "wasm/func.hpp"
#include "wasm/global.hpp"
#include "wasm/memory.hpp"
#include "wasm/table.hpp"
#include "wasm/tag.hpp"

namespace wasm {

using Extern = std::variant<Func, Table, Memory, Global, Tag>;

namespace detail {

inline ExternKind extern_kind(const Extern& e) {
  switch (e.index()) {
    case 0: return ExternKind::Func;
    case 1: return ExternKind::Table;
    case 2: return ExternKind::Memory;
    case 3: return ExternKind::Global;
    default: return ExternKind::Tag;
  }
}

inline uint64_t extern_store_id(const Extern& e) {
  return std::visit([](const auto& x) { return x.store_id(); }, e);
}

inline uint32_t extern_handle(const Extern& e) {
  return std::visit([](const auto& x) { return x.index(); }, e);
}

}  // namespace detail

}  // namespace wasm
