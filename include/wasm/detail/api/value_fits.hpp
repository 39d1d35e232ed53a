#pragma once
// Whether a value the embedder passes in (a call argument, a global or table element) is of a
// type that wasm declared. Numbers must have exactly the type; a reference must be of the same
// hierarchy, non-null where the type is, and a function of the type a `(ref $t)` names (the
// types on this path are canonical: their indices are engine type ids).
#include "wasm/detail/env/vm_records.hpp"
#include "wasm/value.hpp"

namespace wasm::detail {

inline bool value_fits(const Val& v, ValType t) {
  if (!t.is_ref()) return v.type() == t;
  if (!v.type().is_ref() || v.type().kind() != t.kind()) return false;
  if (v.is_null_ref()) return t.nullable();
  switch (t.heap()) {
    case ValType::Heap::NoFunc:
    case ValType::Heap::NoExtern:
    case ValType::Heap::NoExn: return false;  // only null is of a bottom type
    case ValType::Heap::Index:
      return t.kind() == ValType::Kind::FuncRef &&
             static_cast<const VMFuncRef*>(v.raw().ref)->type_id == t.index();
    default: return true;
  }
}

}  // namespace wasm::detail
